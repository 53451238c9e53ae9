"""``guard``: the nightly run of a plan, packaged (contract 6.7).

Plan; with nothing to delete, say so in one line and stop. Otherwise save the plan beside
the YAML with a timestamp, apply it only when ``--apply-max`` allows that many deletions,
and tell every notification URL what happened, with the Markdown rendering and, after an
apply, the way back. Exit 0 (nothing to do, or applied), 2 (left for review) or 1 (error,
notified too). A lock beside the YAML keeps two guards of one plan apart; the token store
saves a rotated login atomically, so an unattended run cannot lose it half-way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trakt_plan.apply.lock import JournalLock
from trakt_plan.errors import ExitStatus, TraktPlanError
from trakt_plan.labels import plural
from trakt_plan.notify import NotifyKind, notify_urls, split_urls
from trakt_plan.planfile import SavedPlan, write_saved_plan
from trakt_plan.runtime import Runtime
from trakt_plan.timefmt import parse_trakt_time
from trakt_plan.view.markdown import render_markdown
from trakt_plan.view.plan import plan_view
from trakt_plan.workflow import ApplyOptions, compute_plan, run_apply

__all__ = [
    "NOTIFY_VARIABLE",
    "GuardOptions",
    "guard_lock_path",
    "guard_plan_path",
    "run_guard",
]

NOTIFY_VARIABLE = "TRAKT_PLAN_NOTIFY"


@dataclass(frozen=True)
class GuardOptions:
    """What one guard run may do: apply up to ``apply_max`` deletions, tell ``notify``;
    ``refresh_catalog`` reads runtimes and air dates from Trakt instead of the disk cache."""

    apply_max: int | None = None
    notify: tuple[str, ...] = ()
    now: datetime | None = None
    refresh_catalog: bool = False


@dataclass(frozen=True)
class _Outcome:
    """What a run found and did, for the exit status, stdout and the notification."""

    status: ExitStatus
    lines: tuple[str, ...]
    kind: NotifyKind
    body: str


def guard_plan_path(spec_path: Path, at: datetime) -> Path:
    """``NAME.YYYYMMDDTHHMMSSZ.plan.json`` beside ``NAME.yaml``, stamped in UTC."""
    name = spec_path.name
    stem = name.rsplit(".", 1)[0] if name.lower().endswith((".yaml", ".yml")) else name
    return spec_path.with_name(f"{stem}.{at.astimezone(UTC):%Y%m%dT%H%M%SZ}.plan.json")


def guard_lock_path(spec_path: Path) -> Path:
    """The lock that keeps two guards of one plan apart: ``NAME.yaml.guard.lock``."""
    return spec_path.with_name(spec_path.name + ".guard.lock")


def run_guard(rt: Runtime, spec_path: Path, options: GuardOptions) -> ExitStatus:
    """One unattended run of ``spec_path``: its exit status; errors are notified, then raised."""
    urls = split_urls(options.notify, os.environ.get(NOTIFY_VARIABLE))
    title = f"trakt-plan guard {spec_path.name}"
    try:
        # JournalLock(X) locks X.lock: the guard's lock sits beside the YAML, not a journal.
        guard_lock = JournalLock(
            spec_path.with_name(spec_path.name + ".guard"), command="guard", notify=rt.ui.warn
        )
        with guard_lock:
            outcome = _guard(rt, spec_path, options)
    except TraktPlanError as error:
        _notify(rt, urls, title=f"{title}: failed", body=error.message, kind="failure")
        raise
    except Exception as error:
        body = f"unexpected internal error ({type(error).__name__}); run again with -v."
        _notify(rt, urls, title=f"{title}: failed", body=body, kind="failure")
        raise
    for line in outcome.lines:
        rt.ui.data(line)
    if outcome.body:
        heading = f"{title}: {outcome.lines[0]}"
        _notify(rt, urls, title=heading, body=outcome.body, kind=outcome.kind)
    return outcome.status


def _guard(rt: Runtime, spec_path: Path, options: GuardOptions) -> _Outcome:
    saved = compute_plan(rt, spec_path, now=options.now, refresh_catalog=options.refresh_catalog)
    view = plan_view(saved)
    for warning in view.warnings:
        rt.ui.warn(warning)
    if not saved.deletions:
        return _Outcome(ExitStatus.OK, (view.summary.line,), "info", "")
    plan_path = guard_plan_path(spec_path, options.now or _created_at(saved))
    write_saved_plan(plan_path, saved)
    markdown = render_markdown(view)
    if not _may_apply(saved, options.apply_max):
        why = _why_not(saved, options.apply_max)
        lines = [view.summary.line, f"Saved to {plan_path}; {why}.", _review(plan_path)]
        return _Outcome(ExitStatus.CHANGES, tuple(lines), "warning", _body(markdown, lines[1:]))
    report = run_apply(rt, plan_path, ApplyOptions(), ask=lambda _question: True)
    lines = [
        view.summary.line,
        f"Applied: removed {plural(report.removed, 'play')} ({report.already_gone} already "
        f"gone). Saved to {plan_path}.",
        f"Undo with: trakt-plan undo {plan_path}",
    ]
    return _Outcome(ExitStatus.OK, tuple(lines), "success", _body(markdown, lines[1:]))


def _may_apply(saved: SavedPlan, apply_max: int | None) -> bool:
    count = len(saved.deletions)
    return apply_max is not None and count <= apply_max and count <= saved.max_deletions


def _why_not(saved: SavedPlan, apply_max: int | None) -> str:
    count = plural(len(saved.deletions), "deletion")
    if apply_max is None:
        return "left for review (no --apply-max)"
    if len(saved.deletions) > apply_max:
        return f"left for review: {count}, more than --apply-max {apply_max}"
    return f"left for review: {count}, more than the plan's max_deletions {saved.max_deletions}"


def _review(plan_path: Path) -> str:
    return f"Review it with: trakt-plan show {plan_path}; apply with: trakt-plan apply {plan_path}"


def _body(markdown: str, lines: Sequence[str]) -> str:
    return "\n\n".join([*lines, markdown])


def _created_at(saved: SavedPlan) -> datetime:
    return parse_trakt_time(saved.created_at)


def _notify(rt: Runtime, urls: Sequence[str], *, title: str, body: str, kind: NotifyKind) -> None:
    """Send; a URL that fails is a warning on stderr, never a change of the exit status."""
    for failure in notify_urls(urls, title=title, body=body, kind=kind):
        rt.ui.warn(f"notification not sent: {failure}")
