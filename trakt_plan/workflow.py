"""The command flows that span several modules: plan, show, apply, undo.

Each function is what one CLI command does after parsing: it calls the core
(loader, resolver, fetch layer, planner, plan file, apply engine) in order and
hands the results to the UI. It holds no rule logic and speaks no HTTP itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trakt_plan.errors import ConfigError
from trakt_plan.fsutil import atomic_write
from trakt_plan.labels import plural
from trakt_plan.planfile import SavedPlan, make_saved_plan
from trakt_plan.planner import (
    PlayIndex,
    build_plan,
    movies_kept,
    progress_after,
)
from trakt_plan.runtime import Runtime
from trakt_plan.view.plan import plan_view

if TYPE_CHECKING:
    from trakt_plan.apply.engine import ApplyReport
    from trakt_plan.catalogfetch import CatalogueClient, CatalogueReads
    from trakt_plan.spec.model import PlanSpec, ScopeRef
    from trakt_plan.trakt.models import HistoryItem, ResolvedScope

# Asks a person a yes/no question (the CLI's prompt, or yes under --yes).
Confirm = Callable[[str], bool]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown timezone {name!r}; use an IANA name such as Europe/Berlin."
        ) from None
    return name


def check_output_path(path: Path, *, spec_path: Path | None = None) -> None:
    """Refuse an ``-o`` that would destroy something: a directory, or a plan YAML.

    For ``plan`` (``spec_path`` given) the output is a saved plan, JSON: writing it over the
    YAML it was computed from, or over any ``.yaml``, would lose a hand-written plan.
    """
    example = "NAME.plan.json" if spec_path is not None else "NAME.yaml"
    if path.is_dir():
        raise ConfigError(f"-o {path} is a directory; give a file name, e.g. -o {path / example}.")
    if spec_path is None:
        return
    same = path.exists() and spec_path.exists() and os.path.samefile(path, spec_path)
    if same or path.suffix.lower() in {".yaml", ".yml"}:
        raise ConfigError(
            f"-o {path} would overwrite a plan YAML with the saved plan (JSON); nothing was "
            f"written. Save it beside the YAML, e.g. -o {spec_path.with_suffix('.plan.json')}."
        )


@dataclass(frozen=True)
class _Read:
    """What planning read: the plays, the catalogue facts, and whose they are."""

    spec: PlanSpec
    resolved: dict[ScopeRef, ResolvedScope]
    history: list[HistoryItem]
    reads: CatalogueReads | None
    # Opens a client for catalogue reads ("next up"); None for a snapshot without a Trakt app.
    opener: Callable[[], CatalogueClient] | None
    username: str
    api_base: str
    marks: dict[str, str | None]
    zone: str
    origin: str


# When relative dates resolve, the --timezone option, and whether to bypass the catalogue cache.
_When = tuple[datetime | None, str | None, bool]


def compute_plan(
    rt: Runtime,
    spec_path: Path,
    *,
    snapshot: Path | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
    refresh_catalog: bool = False,
) -> SavedPlan:
    """Load, resolve, fetch, plan: all `plan` does before printing (`30d ago` is from `now`).

    Runtimes and air dates come from the disk cache unless ``refresh_catalog``.
    """
    from trakt_plan.catalogfetch import season_ends
    from trakt_plan.spec.load import load_spec

    # Validation first: a bad plan never costs a request.
    spec = load_spec(spec_path)
    if timezone is not None:
        check_timezone(timezone)
    source = spec_path.read_bytes()
    when = (now, timezone, refresh_catalog)
    if snapshot is not None:
        read = _read_snapshot(rt, spec, spec_path, snapshot, when)
    else:
        read = _read_account(rt, spec, spec_path, when)
    fetched_at = _now()
    catalogue = read.reads.catalogue() if read.reads is not None else None
    # Indexed once: the plan, the shows' progress and the movies' counts all read it.
    index = PlayIndex(read.history)
    result = build_plan(read.spec, read.resolved, index, timezone=read.zone, catalogue=catalogue)
    removed = {d.item.id for d in result.deletions}
    # "Next up" of the shows that lose plays: the season lengths read, cached or read now.
    losing = {d.item.show.ids.trakt for d in result.deletions if d.item.show is not None}
    ends = season_ends(
        {show for show in losing if show is not None},
        read.history,
        reads=read.reads,
        opener=read.opener,
        refresh=refresh_catalog,
    )
    return make_saved_plan(
        result,
        spec=read.spec,
        resolved=read.resolved,
        source_path=str(spec_path),
        source_text=source,
        username=read.username,
        api_base=read.api_base,
        last_activities=read.marks,
        fetched_at=fetched_at,
        created_at=fetched_at,
        progress=progress_after(index, removed, ends),
        movies_kept=movies_kept(index, removed),
        timezone=f"{read.zone} ({read.origin})",
        history=read.history,
    )


def _read_snapshot(
    rt: Runtime, spec: PlanSpec, spec_path: Path, snapshot: Path, when: _When
) -> _Read:
    from trakt_plan.catalogplan import offline_catalogue
    from trakt_plan.resolve import resolve_offline
    from trakt_plan.snapshotfile import read_snapshot

    now, timezone, refresh = when
    read = read_snapshot(snapshot)
    resolved = resolve_offline(spec, read.history, source=spec_path)
    kind = "export" if read.export else "snapshot"
    activities = read.last_activities
    marks = activities.history_marks() if activities is not None else {}
    zone, origin = choose_timezone(timezone, read.timezone, "the export's account settings")
    spec = spec.resolve_dates(now=now or _now(), timezone=zone, source=str(spec_path))
    opener = rt.public_client_opener()
    reads = offline_catalogue(spec, resolved, read.history, client=opener, refresh=refresh)
    label = f"{kind}:{snapshot.name}"
    return _Read(
        spec, resolved, read.history, reads, opener, "snapshot", label, marks, zone, origin
    )


def _read_account(rt: Runtime, spec: PlanSpec, spec_path: Path, when: _When) -> _Read:
    from trakt_plan.catalogplan import fetch_for_plan
    from trakt_plan.resolve import resolve_scopes

    now, timezone, refresh = when
    client = rt.client()
    account = client.user_settings()
    zone, origin = choose_timezone(timezone, account.account.timezone, "the account's settings")
    spec = spec.resolve_dates(now=now or _now(), timezone=zone, source=str(spec_path))
    # Read the marks before the history: a change while we page shows up as drift later.
    marks = client.last_activities().history_marks()
    resolved = resolve_scopes(spec, client, source=spec_path)
    with rt.ui.pages("Reading history") as on_page:
        history, reads = fetch_for_plan(client, spec, resolved, on_page=on_page, refresh=refresh)
    username = account.user.username
    return _Read(
        spec, resolved, history, reads, lambda: client, username, rt.api_label, marks, zone, origin
    )


def choose_timezone(option: str | None, found: str | None, where: str) -> tuple[str, str]:
    """The zone days are counted in, and where it came from: --timezone, ``where``, or UTC."""
    if option is not None:
        return option, "--timezone"
    if found:
        return check_timezone(found), where
    return "UTC", "the default: none was given"


@dataclass(frozen=True)
class ApplyOptions:
    """How `apply` sends: the batch size and the checks a person may relax."""

    batch_size: int = 100
    allow_mass_delete: bool = False
    refresh: bool = True
    allow_unrestorable: bool = False


def _saved_plan_for(rt: Runtime, path: Path) -> tuple[SavedPlan, Path]:
    """A saved plan and its path: read, or planned from a YAML, shown and saved beside it."""
    from trakt_plan.planfile import read_saved_plan

    if path.suffix.lower() not in {".yaml", ".yml"}:
        return read_saved_plan(path), path
    from trakt_plan.apply.lifecycle import save_plan, saved_plan_path_for

    saved = compute_plan(rt, path)
    rt.ui.plan(plan_view(saved))
    plan_path = saved_plan_path_for(path)
    saved = save_plan(plan_path, saved, notify=rt.ui.info)
    rt.ui.info(f"Saved this plan to {plan_path}; its journal makes the apply resumable.")
    return saved, plan_path


def run_apply(
    rt: Runtime,
    path: Path,
    options: ApplyOptions,
    *,
    ask: Confirm,
    ask_typed: Callable[[str, str], bool] | None = None,
) -> ApplyReport:
    """`apply`: a saved plan, or a YAML that is planned, shown and saved beside it first."""
    from trakt_plan.apply.engine import ApplyPreview, apply_plan, journal_path_for

    saved, plan_path = _saved_plan_for(rt, path)
    client = rt.client()

    def confirm(preview: ApplyPreview) -> bool:
        for line in preview.drift.summary():
            rt.ui.warn(line)
        if preview.to_send == 0:
            return True
        whole = saved.whole_titles()
        if whole and ask_typed is not None:
            # A one-letter answer is too easy for losing every play of a show.
            return ask_typed(
                f"This removes every play of {', '.join(whole)}. Type {whole[0]} to remove "
                f"{preview.to_send} plays",
                whole[0],
            )
        return ask(f"Remove {preview.to_send} plays from {saved.account.username}'s Trakt history?")

    rt.resume_with = f"trakt-plan apply {plan_path}"
    with rt.ui.batches("Removing plays") as progress:
        report = apply_plan(
            saved,
            client,
            journal_path=journal_path_for(plan_path),
            batch_size=options.batch_size,
            refresh=options.refresh,
            allow_mass_delete=options.allow_mass_delete,
            allow_unrestorable=options.allow_unrestorable,
            api_base=rt.api_label,
            confirm=confirm,
            progress=progress,
            notify=rt.ui.info,
        )
    if report.already_applied:
        # The engine has said so; only the way back is worth adding.
        rt.ui.info(f"Undo with: trakt-plan undo {plan_path}")
        return report
    rt.ui.info(
        f"Removed {report.removed}, already gone {report.already_gone} "
        f"(in {plural(report.batches_sent, 'remove call')}). Journal: {report.journal_path}. "
        f"Undo with: trakt-plan undo {plan_path}"
    )
    return report


def run_undo(rt: Runtime, target: Path, *, batch_size: int, ask: Confirm) -> None:
    """`undo`: add back what the journal says was removed."""
    from trakt_plan.apply.lifecycle import apply_journal_for
    from trakt_plan.apply.undo import undo_plan

    journal = apply_journal_for(target)
    if not journal.exists():
        raise ConfigError(
            f"{journal} does not exist: nothing was applied from {target}, so there is "
            "nothing to undo."
        )
    client = rt.client()

    def confirm(count: int) -> bool:
        return count == 0 or ask(f"Add {count} plays back to the Trakt history?")

    rt.resume_with = f"trakt-plan undo {target}"
    with rt.ui.batches("Restoring plays") as progress:
        report = undo_plan(
            journal,
            client,
            api_base=rt.api_label,
            batch_size=batch_size,
            confirm=confirm,
            progress=progress,
            notify=rt.ui.info,
        )
    rt.ui.info(
        f"Restored {report.restored}, already there {report.already_there}, failed {report.failed}."
    )


def run_init(rt: Runtime, reference: str | None, *, spec_path: Path | None, force: bool) -> None:
    """`init`: a commented starter plan for a show (or the whole history) that plans as is."""
    from trakt_plan.detect import find_accidents
    from trakt_plan.fetch import HistoryRead, read_history
    from trakt_plan.resolve import resolve_any
    from trakt_plan.starter import render_starter

    if spec_path is not None and spec_path.exists() and not force:
        raise ConfigError(f"{spec_path} already exists; pass --force to overwrite it.")
    client = rt.client()
    username = client.user_settings().user.username
    resolved = None if reference is None else resolve_any(client, reference)
    with rt.ui.pages("Reading history") as on_page:
        history = read_history(client, HistoryRead.of(resolved), on_page=on_page)
    text = render_starter(resolved, history, now=_now(), source=f"{username} on {rt.api_label}")
    findings = find_accidents(history)
    if spec_path is None:
        rt.ui.data(text)
    else:
        atomic_write(spec_path, text)
        rt.ui.info(f"Wrote {spec_path}. Review it, then: trakt-plan plan {spec_path}")
    rt.ui.info(
        f"{plural(len(history), 'play')} read; "
        f"{plural(len(findings), 'likely accident')} pointed out in the plan."
    )
