"""Apply a saved plan: check it, then remove its plays in journaled batches, resumably.

The write path works like a database's::

    preflight   account, max_deletions, journal, freshness, drift     (reads only)
    confirm     the caller's callback sees an ApplyPreview            (nothing sent yet)
    for each batch of ids:
        journal  intent {batch, ids, plays}      fsync'ed before the request
        POST     /sync/history/remove {"ids": [...]}
        journal  result {batch, deleted, not_found, removed}
    journal     complete {removed, already_gone, failed}

Whatever happens in between (a kill, a full disk, Ctrl-C, a dropped connection) the next
run of the same apply reads the journal, skips settled batches, re-sends the one that was
in flight (removing an id twice only reports it as not found) and ends with the same
account state as an uninterrupted run. Removed plays are journaled whole, so
:mod:`trakt_plan.apply.undo` can add them back.

Which not-found ids count as "removed by us": an id that was present when the apply
started (the history was unchanged since the plan, or re-read) and that Trakt later reports
as not found was removed by one of our own requests whose answer got lost (a retried
request, or the batch in flight when a run died), so it is journaled as removed and undo
restores it. Without that knowledge (``refresh=False`` on a changed history) a not-found
id counts as already gone, except in a re-sent in-flight batch.

The engine does no printing: it reports through ``notify``, ``confirm`` and an
:class:`ApplyProgress`.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Protocol, Self

from deepdiff import DeepDiff

from trakt_plan.apply.journal import (
    BatchIntent,
    Journal,
    JournalLock,
    JournalState,
    new_header,
    read_journal,
    undo_journal_path,
)
from trakt_plan.errors import (
    Aborted,
    AccountMismatchError,
    ConfigError,
    JournalError,
    StalePlanError,
    UnsafePlanError,
)
from trakt_plan.fetch import HistoryClient, fetch_history
from trakt_plan.labels import plural
from trakt_plan.planfile import PlannedDeletion, SavedPlan, replan_inputs
from trakt_plan.planner import build_plan
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.models import (
    HistoryItem,
    LastActivities,
    RemoveResult,
    UserSettings,
)

__all__ = [
    "MAX_BATCH_SIZE",
    "ApplyClient",
    "ApplyPreview",
    "ApplyProgress",
    "ApplyReport",
    "ChangedPlay",
    "DeferredInterrupt",
    "DriftReport",
    "apply_plan",
    "check_batch_size",
    "journal_path_for",
    "preflight",
    "same_api_base",
]

MAX_BATCH_SIZE = 1000
# How many changed plays a StalePlanError names before "and N more".
_SHOWN = 5


class ApplyProgress(Protocol):
    """Where the engine reports progress (the CLI draws a bar; tests count)."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def finish(self) -> None: ...


class ApplyClient(HistoryClient, Protocol):
    """The part of :class:`~trakt_plan.trakt.client.TraktClient` an apply uses."""

    def user_settings(self) -> UserSettings: ...

    def last_activities(self) -> LastActivities: ...

    def remove_history(self, ids: Sequence[int]) -> RemoveResult: ...


@dataclass(frozen=True)
class ChangedPlay:
    """A planned play that is still in the history but no longer as planned."""

    history_id: int
    label: str
    changes: tuple[str, ...]

    def describe(self) -> str:
        """``10000000005 (Show S06E03): watched_at 2025-… -> 2025-…``."""
        return f"{self.history_id} ({self.label}): {'; '.join(self.changes)}"


@dataclass(frozen=True)
class DriftReport:
    """How the live history differs from the plan, as far as the plan's rules can see.

    ``checked`` says whether the history was re-read at all (it is not when
    ``/sync/last_activities`` shows no change since the plan, or with ``refresh=False``).
    """

    already_gone: tuple[int, ...] = ()
    changed: tuple[ChangedPlay, ...] = ()
    new_catches: tuple[HistoryItem, ...] = ()
    checked: bool = False

    def summary(self) -> list[str]:
        """One line per kind of drift, for people; empty when there is none."""
        lines: list[str] = []
        if self.already_gone:
            count = len(self.already_gone)
            lines.append(
                f"{plural(count, 'planned play')} {'is' if count == 1 else 'are'} already gone "
                "from the history; skipped."
            )
        if self.changed:
            shown = "; ".join(change.describe() for change in self.changed[:_SHOWN])
            more = len(self.changed) - _SHOWN
            lines.append(
                f"{plural(len(self.changed), 'planned play')} changed since the "
                f"plan was made: {shown}" + (f"; and {more} more." if more > 0 else ".")
            )
        if self.new_catches:
            shown = ", ".join(_item_label(item) for item in self.new_catches[:_SHOWN])
            more = len(self.new_catches) - _SHOWN
            lines.append(
                f"not in this plan, left in place: "
                f"{plural(len(self.new_catches), 'newer play')} the rules now match ({shown}"
                + (f", and {more} more)." if more > 0 else ").")
            )
        return lines


@dataclass(frozen=True)
class ApplyPreview:
    """What an apply is about to do; ``confirm`` gets it before anything is sent.

    ``total`` is the number of planned plays, ``to_send`` how many go out in this run,
    ``already_done`` how many an earlier (interrupted) run already settled. ``fresh`` says
    the history is unchanged since the plan (``/sync/last_activities``).
    """

    plan_id: str
    total: int
    to_send: int
    already_done: int
    drift: DriftReport
    resumed: bool
    already_applied: bool
    fresh: bool = True


@dataclass(frozen=True)
class ApplyReport:
    """The outcome of an apply, over all its runs (resumes included)."""

    removed: int
    already_gone: int
    failed: int
    batches_sent: int
    already_applied: bool
    journal_path: Path


@dataclass(frozen=True)
class _Checked:
    """A preflight's verdict plus what the batch loop needs from it."""

    preview: ApplyPreview
    state: JournalState
    pending: tuple[int, ...]
    in_flight: tuple[BatchIntent, ...]
    # Every planned play still to send was seen present when this run started.
    verified: bool


def _quiet(message: str) -> None:
    """The default ``notify``: say nothing."""


def _item_label(item: HistoryItem) -> str:
    when = format_trakt_time(item.watched_at)
    if item.type == "episode" and item.episode is not None:
        show = item.show.title if item.show is not None and item.show.title else "unknown show"
        return f"{show} {item.episode.code} at {when}"
    title = item.movie.title if item.movie is not None and item.movie.title else "unknown movie"
    return f"{title} at {when}"


def journal_path_for(plan_path: Path) -> Path:
    """The journal of a saved plan: ``PLANFILE.journal`` beside it."""
    plan_path = Path(plan_path)
    return plan_path.with_name(plan_path.name + ".journal")


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size outside 1..1000 with a :class:`~trakt_plan.errors.ConfigError`."""
    if isinstance(batch_size, bool) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ConfigError(
            f"--batch-size must be between 1 and {MAX_BATCH_SIZE}, got {batch_size}. Trakt's "
            "own web app sends 100 ids per call; very large calls have timed out."
        )


def same_api_base(left: str, right: str) -> bool:
    """Whether two API bases name the same server (ignoring case and a trailing slash)."""
    return left.strip().rstrip("/").lower() == right.strip().rstrip("/").lower()


def _check_account(saved: SavedPlan, settings: UserSettings, api_base: str) -> None:
    username = settings.user.username
    planned = saved.account
    if username.casefold() != planned.username.casefold():
        raise AccountMismatchError(
            f"this plan was made for the Trakt user {planned.username!r}, but the login is "
            f"{username!r}; nothing was sent. Log in as {planned.username!r}, or plan again "
            "with this account."
        )
    if not same_api_base(api_base, planned.api_base):
        raise AccountMismatchError(
            f"this plan was made against {planned.api_base}, but this run talks to {api_base}; "
            "nothing was sent. Use the same --api-base (or --sandbox) as for `plan`, or plan "
            "again against this server."
        )


def _view(deletion: PlannedDeletion) -> dict[str, Any]:
    """What must not change for a planned play to still be the one reviewed."""
    return {
        "watched_at": format_trakt_time(parse_trakt_time(deletion.watched_at)),
        "action": deletion.action,
        "type": deletion.type,
        "show": deletion.show.trakt if deletion.show is not None else None,
        "episode": (
            {
                "season": deletion.episode.season,
                "number": deletion.episode.number,
                "trakt": deletion.episode.trakt,
            }
            if deletion.episode is not None
            else None
        ),
        "movie": deletion.movie.trakt if deletion.movie is not None else None,
    }


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True) if not isinstance(value, str) else value


def _drift(
    saved: SavedPlan,
    client: ApplyClient,
    candidates: Sequence[PlannedDeletion],
    *,
    timezone: str,
) -> DriftReport:
    """Re-read what the plan's rules touch and compare it with the plan (deepdiff)."""
    spec, resolved = replan_inputs(saved)
    history = fetch_history(client, spec, resolved)
    live = {item.id: item for item in history}
    planned = {str(d.history_id): _view(d) for d in candidates}
    current = {
        str(d.history_id): _view(PlannedDeletion.from_item(live[d.history_id], ()))
        for d in candidates
        if d.history_id in live
    }
    diff = DeepDiff(planned, current, view="tree")
    gone: set[int] = set()
    changes: dict[int, list[str]] = {}
    for kind, levels in diff.items():
        for level in levels:
            path = level.path(output_format="list")
            history_id = int(path[0])
            if kind == "dictionary_item_removed" and len(path) == 1:
                gone.add(history_id)
                continue
            where = ".".join(str(part) for part in path[1:]) or "play"
            before = level.t1 if kind != "dictionary_item_added" else None
            after = level.t2 if kind != "dictionary_item_removed" else None
            changes.setdefault(history_id, []).append(f"{where} {_show(before)} -> {_show(after)}")
    labels = {d.history_id: d.label for d in candidates}
    planned_ids = {d.history_id for d in saved.deletions}
    try:
        result = build_plan(spec, resolved, history, timezone=timezone)
    except ConfigError:
        # The account's timezone may be unknown here; the rules without `per: day` still count.
        result = build_plan(spec, resolved, history, timezone="UTC")
    new = tuple(d.item for d in result.deletions if d.item.id not in planned_ids)
    return DriftReport(
        already_gone=tuple(d.history_id for d in candidates if d.history_id in gone),
        changed=tuple(
            ChangedPlay(history_id=i, label=labels[i], changes=tuple(sorted(changes[i])))
            for i in (d.history_id for d in candidates)
            if i in changes
        ),
        new_catches=new,
        checked=True,
    )


def _stale_error(changed: Sequence[ChangedPlay]) -> StalePlanError:
    shown = "; ".join(change.describe() for change in changed[:_SHOWN])
    more = len(changed) - _SHOWN
    return StalePlanError(
        f"the plan is stale: {plural(len(changed), 'planned play')} changed since it "
        f"was made, so it no longer shows what it would remove: {shown}"
        + (f"; and {more} more" if more > 0 else "")
        + ". Nothing was sent; run plan again and review the new plan."
    )


def _check(
    saved: SavedPlan,
    client: ApplyClient,
    *,
    journal_path: Path,
    refresh: bool,
    allow_mass_delete: bool,
    api_base: str,
) -> _Checked:
    settings = client.user_settings()
    _check_account(saved, settings, api_base)
    total = len(saved.deletions)
    if total > saved.max_deletions and not allow_mass_delete:
        raise UnsafePlanError(
            f"this plan removes {total} plays, more than its max_deletions "
            f"({saved.max_deletions}); nothing was sent. Review it, then run apply with "
            "--allow-mass-delete, or raise max_deletions in the plan YAML and plan again."
        )
    state = read_journal(journal_path)
    if state.exists:
        if state.plan_id != saved.plan_id:
            raise JournalError(
                f"{journal_path} belongs to another plan (plan_id {str(state.plan_id)[:12]}…, "
                f"this plan is {saved.plan_id[:12]}…); nothing was sent. Was the plan file "
                "replaced after an apply? Move the old journal away only if you no longer "
                "need it to undo that apply."
            )
        if state.kind != "apply":
            raise JournalError(f"{journal_path} is an undo journal, not an apply journal.")
    undone = read_journal(undo_journal_path(journal_path))
    if undone.exists:
        raise JournalError(
            f"this plan was undone ({undo_journal_path(journal_path)}): the restored plays have "
            "new history ids, so this plan no longer names them. Run plan again to remove "
            "them again; nothing was sent."
        )
    if state.is_complete:
        return _Checked(
            preview=ApplyPreview(
                plan_id=saved.plan_id,
                total=total,
                to_send=0,
                already_done=len(state.settled_ids),
                drift=DriftReport(),
                resumed=True,
                already_applied=True,
            ),
            state=state,
            pending=(),
            in_flight=(),
            verified=True,
        )
    in_flight = state.in_flight
    handled = state.settled_ids | {i for intent in in_flight for i in intent.ids}
    candidates = [d for d in saved.deletions if d.history_id not in handled]
    marks = client.last_activities().history_marks()
    fresh = marks == dict(saved.observed.last_activities)
    if fresh:
        drift = DriftReport()
    elif refresh:
        drift = _drift(saved, client, candidates, timezone=settings.account.timezone or "UTC")
        if drift.changed:
            raise _stale_error(drift.changed)
    else:
        drift = DriftReport()
    gone = set(drift.already_gone)
    pending = tuple(d.history_id for d in candidates if d.history_id not in gone)
    in_flight_count = sum(len(intent.ids) for intent in in_flight)
    preview = ApplyPreview(
        plan_id=saved.plan_id,
        total=total,
        to_send=len(pending) + in_flight_count,
        already_done=len(state.settled_ids),
        drift=drift,
        resumed=state.exists,
        already_applied=False,
        fresh=fresh,
    )
    return _Checked(
        preview=preview,
        state=state,
        pending=pending,
        in_flight=in_flight,
        verified=fresh or drift.checked,
    )


def preflight(
    saved: SavedPlan,
    client: ApplyClient,
    *,
    journal_path: Path,
    refresh: bool = True,
    allow_mass_delete: bool = False,
    api_base: str,
) -> ApplyPreview:
    """Check that ``saved`` may be applied now and say what applying it would do.

    Reads only (``/users/settings``, ``/sync/last_activities`` and, when the history changed
    since the plan and ``refresh`` is on, the history the plan's rules touch). Raises
    ``AccountMismatchError`` (another user or API base), ``UnsafePlanError`` (over
    ``max_deletions`` without ``allow_mass_delete``), ``JournalError`` (a journal of another
    plan, or the plan was undone) and ``StalePlanError`` (planned plays changed).
    """
    return _check(
        saved,
        client,
        journal_path=Path(journal_path),
        refresh=refresh,
        allow_mass_delete=allow_mass_delete,
        api_base=api_base,
    ).preview


class DeferredInterrupt:
    """Holds Ctrl-C until the batch in flight is journaled (main thread only).

    The first SIGINT only sets :attr:`requested`; the loop checks it between batches. A
    second one raises ``KeyboardInterrupt`` at once: the journal still has the batch's
    intent, so the next run re-sends it.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            # A process told to ignore Ctrl-C keeps ignoring it.
            if previous is not signal.SIG_IGN:
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
                self._installed = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._installed:
            signal.signal(
                signal.SIGINT, self._previous if self._previous is not None else signal.SIG_DFL
            )
            self._installed = False


def _report_from_complete(state: JournalState, journal_path: Path) -> ApplyReport:
    complete = state.complete or {}
    return ApplyReport(
        removed=int(complete.get("removed", 0)),
        already_gone=int(complete.get("already_gone", 0)),
        failed=int(complete.get("failed", 0)),
        batches_sent=0,
        already_applied=True,
        journal_path=journal_path,
    )


def _chunks(ids: Sequence[int], size: int) -> list[tuple[int, ...]]:
    return [tuple(ids[start : start + size]) for start in range(0, len(ids), size)]


def apply_plan(
    saved: SavedPlan,
    client: ApplyClient,
    *,
    journal_path: Path,
    batch_size: int = 100,
    refresh: bool = True,
    allow_mass_delete: bool = False,
    api_base: str,
    confirm: Callable[[ApplyPreview], bool],
    progress: ApplyProgress | None = None,
    notify: Callable[[str], None] = _quiet,
) -> ApplyReport:
    """Remove exactly the plan's plays, in journaled batches of ``batch_size`` ids.

    Takes the plan's lock, runs :func:`preflight`, asks ``confirm`` (``False`` raises
    ``Aborted``; nothing is sent before it says yes), then sends the batches. Running it
    again resumes an interrupted apply, and after a complete one sends nothing
    (``ApplyReport.already_applied``). On Ctrl-C the batch in flight is finished and
    journaled, then ``KeyboardInterrupt`` propagates: run the same apply to resume.
    """
    check_batch_size(batch_size)
    journal_path = Path(journal_path)
    with JournalLock(journal_path, command="apply", notify=notify):
        checked = _check(
            saved,
            client,
            journal_path=journal_path,
            refresh=refresh,
            allow_mass_delete=allow_mass_delete,
            api_base=api_base,
        )
        preview = checked.preview
        if preview.already_applied:
            notify(
                f"already applied: the journal {journal_path} records this plan as complete; "
                "nothing sent."
            )
            return _report_from_complete(checked.state, journal_path)
        if preview.drift.new_catches:
            count = len(preview.drift.new_catches)
            notify(
                f"the plan is stale: {plural(count, 'new play')} match{'es' if count == 1 else ''} "
                "its rules; run plan again to include them. This apply removes only the "
                "planned plays."
            )
        if not preview.fresh and not preview.drift.checked:
            notify(
                "the history changed since the plan was made and was not re-read (refresh is "
                "off); planned plays that are already gone will be reported as not found."
            )
        if preview.resumed:
            notify(
                f"resuming the apply recorded in {journal_path}: {preview.already_done} of "
                f"{preview.total} planned plays already settled, {preview.to_send} to send."
            )
        if not confirm(preview):
            raise Aborted("apply cancelled: nothing was sent to Trakt.")
        return _send_batches(
            saved,
            client,
            checked,
            journal_path=journal_path,
            batch_size=batch_size,
            progress=progress,
            notify=notify,
        )


def _send_batches(
    saved: SavedPlan,
    client: ApplyClient,
    checked: _Checked,
    *,
    journal_path: Path,
    batch_size: int,
    progress: ApplyProgress | None,
    notify: Callable[[str], None],
) -> ApplyReport:
    state = checked.state
    plays: Mapping[int, PlannedDeletion] = {d.history_id: d for d in saved.deletions}
    total = len(saved.deletions)
    with Journal(journal_path) as journal:
        header: Mapping[str, Any]
        if state.header is None:
            header = journal.append(
                "header",
                **new_header(
                    plan_id=saved.plan_id,
                    kind="apply",
                    username=saved.account.username,
                    api_base=saved.account.api_base,
                    total=total,
                    verified=checked.verified,
                    already_gone=sorted(checked.preview.drift.already_gone),
                ),
            )
        else:
            header = state.header
        # Ids seen present when the apply first started (or when this run did): gone later
        # means gone by our own hand, through an answer that got lost.
        verified_at_start = bool(header.get("verified", False))
        gone_at_start = {int(i) for i in header.get("already_gone", [])}
        removed = set(state.done_ids)
        batches: list[tuple[int, tuple[int, ...], bool]] = [
            (intent.batch, intent.ids, True) for intent in checked.in_flight
        ]
        next_batch = state.next_batch
        for chunk in _chunks(checked.pending, batch_size):
            batches.append((next_batch, chunk, False))
            next_batch += 1
        sent = 0
        if progress is not None:
            progress.start(checked.preview.to_send)
        try:
            with DeferredInterrupt() as interrupt:
                for number, ids, resend in batches:
                    if interrupt.requested:
                        notify(f"stopped before batch {number} on an interrupt.")
                        raise KeyboardInterrupt
                    if resend:
                        notify(f"re-sending batch {number}, which was in flight when a run died.")
                    else:
                        journal.append(
                            "intent",
                            batch=number,
                            ids=list(ids),
                            plays=[plays[i].model_dump(mode="json") for i in ids],
                        )
                    answer = client.remove_history(ids)
                    sent += 1
                    reported = set(answer.not_found.ids)
                    not_found = [i for i in ids if i in reported]
                    ours = [
                        i
                        for i in ids
                        if i not in reported
                        or resend
                        or checked.verified
                        or (verified_at_start and i not in gone_at_start)
                    ]
                    journal.append(
                        "result",
                        batch=number,
                        deleted={
                            "movies": answer.deleted.movies,
                            "episodes": answer.deleted.episodes,
                        },
                        not_found=not_found,
                        removed=ours,
                    )
                    removed.update(ours)
                    if progress is not None:
                        progress.advance(len(ids))
        finally:
            if progress is not None:
                progress.finish()
        planned = set(plays)
        done = len(removed & planned)
        journal.append("complete", removed=done, already_gone=total - done, failed=0)
    return ApplyReport(
        removed=done,
        already_gone=total - done,
        failed=0,
        batches_sent=sent,
        already_applied=False,
        journal_path=journal_path,
    )
