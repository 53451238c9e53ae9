"""Apply a saved plan: check it, then remove its plays in journaled batches, resumably.

The write path works like a database's::

    preflight   account, max_deletions, journal, freshness, drift     (reads only)
    confirm     the caller's callback sees an ApplyPreview            (nothing sent yet)
    for each batch of ids:
        journal  intent {batch, ids, plays}      fsync'ed before the request
        POST     /sync/history/remove {"ids": [...]}
        journal  result {batch, deleted, not_found, removed}
    journal     complete {removed, already_gone}

Whatever happens in between (a kill, a full disk, Ctrl-C, a dropped connection) the next
run of the same apply reads the journal, skips settled batches, re-sends the one that was
in flight (removing an id twice only reports it as not found) and ends with the same
account state as an uninterrupted run. Removed plays are journaled whole, so
:mod:`trakt_plan.apply.undo` can add them back. Which ids count as removed by us is decided
in :mod:`trakt_plan.apply.resume`, over plain values.

The engine does no printing: it reports through ``notify``, ``confirm`` and an
:class:`~trakt_plan.apply.protocols.ApplyProgress`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path

from trakt_plan.apply.drift import DriftReport, read_drift, stale_error
from trakt_plan.apply.guards import check_apply_account, check_apply_journal, check_restorable
from trakt_plan.apply.interrupt import DeferredInterrupt
from trakt_plan.apply.journal import (
    Journal,
    JournalState,
    journal_path_for,
    read_journal,
    undo_journal_path,
)
from trakt_plan.apply.lock import JournalLock
from trakt_plan.apply.presence import Restore, present_ids
from trakt_plan.apply.protocols import ApplyClient, ApplyProgress
from trakt_plan.apply.records import Complete, Counts, Header, Intent, Result, new_header
from trakt_plan.apply.resume import (
    Batch,
    Trust,
    baselines,
    check_batch_size,
    pending_deletions,
    plan_batches,
    settle,
)
from trakt_plan.errors import Aborted, ApiError
from trakt_plan.labels import plural
from trakt_plan.planfile import PlannedDeletion, SavedPlan

__all__ = [
    "ApplyPreview",
    "ApplyReport",
    "apply_plan",
    "journal_path_for",
    "preflight",
]


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
    batches_sent: int
    already_applied: bool
    journal_path: Path


@dataclass(frozen=True)
class _Checked:
    """A preflight's verdict plus what the batch loop needs from it."""

    preview: ApplyPreview
    state: JournalState
    pending: tuple[int, ...]
    # Every planned play still to send was seen present when this run started.
    verified: bool


def _quiet(message: str) -> None:
    """The default ``notify``: say nothing."""


def _already_applied(saved: SavedPlan, state: JournalState) -> _Checked:
    preview = ApplyPreview(
        plan_id=saved.plan_id,
        total=len(saved.deletions),
        to_send=0,
        already_done=len(state.settled_ids),
        drift=DriftReport(),
        resumed=True,
        already_applied=True,
    )
    return _Checked(preview=preview, state=state, pending=(), verified=True)


def _check(
    saved: SavedPlan,
    client: ApplyClient,
    *,
    journal_path: Path,
    refresh: bool,
    allow_mass_delete: bool,
    allow_unrestorable: bool = False,
    api_base: str,
) -> _Checked:
    settings = client.user_settings()
    check_apply_account(saved, settings, api_base)
    saved.raise_if_unsafe(allow_mass_delete=allow_mass_delete)
    check_restorable(saved, allow_unrestorable=allow_unrestorable)
    state = read_journal(journal_path)
    check_apply_journal(saved, state, read_journal(undo_journal_path(journal_path)))
    if state.is_complete:
        return _already_applied(saved, state)
    candidates = pending_deletions(saved, state)
    fresh = client.last_activities().history_marks() == dict(saved.observed.last_activities)
    drift = DriftReport()
    if not fresh and refresh:
        zone = settings.account.timezone or "UTC"
        drift = read_drift(saved, client, candidates, timezone=zone)
        if drift.changed:
            raise stale_error(drift.changed)
    gone = set(drift.already_gone)
    pending = tuple(d.history_id for d in candidates if d.history_id not in gone)
    in_flight = sum(len(intent.ids) for intent in state.in_flight)
    preview = ApplyPreview(
        plan_id=saved.plan_id,
        total=len(saved.deletions),
        to_send=len(pending) + in_flight,
        already_done=len(state.settled_ids),
        drift=drift,
        resumed=state.exists,
        already_applied=False,
        fresh=fresh,
    )
    return _Checked(preview=preview, state=state, pending=pending, verified=fresh or drift.checked)


def preflight(
    saved: SavedPlan,
    client: ApplyClient,
    *,
    journal_path: Path,
    refresh: bool = True,
    allow_mass_delete: bool = False,
    allow_unrestorable: bool = False,
    api_base: str,
) -> ApplyPreview:
    """Check that ``saved`` may be applied now and say what applying it would do.

    Reads only (``/users/settings``, ``/sync/last_activities`` and, when the history changed
    since the plan and ``refresh`` is on, the history the plan's rules touch). Raises
    ``AccountMismatchError`` (another user or API base), ``UnsafePlanError`` (over
    ``max_deletions`` without ``allow_mass_delete``, or plays undo could not add back without
    ``allow_unrestorable``), ``JournalError`` (a journal of another
    plan, or the plan was undone) and ``StalePlanError`` (planned plays changed).
    """
    return _check(
        saved,
        client,
        journal_path=Path(journal_path),
        refresh=refresh,
        allow_mass_delete=allow_mass_delete,
        allow_unrestorable=allow_unrestorable,
        api_base=api_base,
    ).preview


def _report_from_complete(state: JournalState, journal_path: Path) -> ApplyReport:
    complete = state.complete or Complete()
    return ApplyReport(
        removed=complete.removed or 0,
        already_gone=complete.already_gone or 0,
        batches_sent=0,
        already_applied=True,
        journal_path=journal_path,
    )


def _notices(preview: ApplyPreview, journal_path: Path) -> list[str]:
    """What people should know before confirming: staleness, no re-read, a resume."""
    notes = []
    if preview.drift.new_catches:
        count = len(preview.drift.new_catches)
        notes.append(
            f"the plan is stale: {plural(count, 'new play')} match{'es' if count == 1 else ''} "
            "its rules; run plan again to include them. This apply removes only the "
            "planned plays."
        )
    if not preview.fresh and not preview.drift.checked:
        notes.append(
            "the history changed since the plan was made and was not re-read (refresh is "
            "off); planned plays that are already gone will be reported as not found."
        )
    if preview.resumed:
        notes.append(
            f"resuming the apply recorded in {journal_path}: {preview.already_done} of "
            f"{preview.total} planned plays already settled, {preview.to_send} to send."
        )
    return notes


def apply_plan(
    saved: SavedPlan,
    client: ApplyClient,
    *,
    journal_path: Path,
    batch_size: int = 100,
    refresh: bool = True,
    allow_mass_delete: bool = False,
    allow_unrestorable: bool = False,
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
            allow_unrestorable=allow_unrestorable,
            api_base=api_base,
        )
        if checked.preview.already_applied:
            notify(
                f"already applied: the journal {journal_path} records this plan as complete; "
                "nothing sent."
            )
            return _report_from_complete(checked.state, journal_path)
        for note in _notices(checked.preview, journal_path):
            notify(note)
        if not confirm(checked.preview):
            raise Aborted("apply cancelled: nothing was sent to Trakt.")
        with Journal(journal_path) as journal:
            run = _Run(saved, client, journal, checked, notify=notify)
            return run.send(batch_size, progress)


def _posts(client: ApplyClient) -> int | None:
    """How many POSTs the client has sent, when it counts them (``TraktClient.stats``).

    One remove call that sent more than one POST was retried: an earlier attempt may have
    landed. A client that does not count is taken to have retried (the cautious reading).
    """
    stats = getattr(client, "stats", None)
    requests = getattr(stats, "requests", None)
    return int(requests.get("POST", 0)) if requests is not None else None


def _not_removed(batch: Batch, deleted: Counts, not_found: int, still: set[int]) -> ApiError:
    shown = ", ".join(str(i) for i in sorted(still)[:5]) + (", …" if len(still) > 5 else "")
    return ApiError(
        f"Trakt answered batch {batch.number} with {deleted.total} deleted and {not_found} not "
        f"found, but {len(still)} of its {len(batch.ids)} plays are still in the history "
        f"({shown}): they were not removed. Nothing further was sent, and the journal records "
        "only what is really gone. Run the same apply again to retry them.",
        endpoint="/sync/history/remove",
    )


@dataclass
class _Run:
    """One run of the batch loop: journal intent, remove, journal result; then complete."""

    saved: SavedPlan
    client: ApplyClient
    journal: Journal
    checked: _Checked
    _: KW_ONLY
    notify: Callable[[str], None]
    # The plan's plays by history id, and those gone so far (the journal's, then this run's).
    plays: dict[int, PlannedDeletion] = field(init=False)
    removed: set[int] = field(init=False)
    sent: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.plays = {d.history_id: d for d in self.saved.deletions}
        self.removed = set(self.checked.state.done_ids)

    def _header(self) -> Header:
        state = self.checked.state
        if state.header is not None:
            return state.header
        return self.journal.append(
            new_header(
                plan_id=self.saved.plan_id,
                kind="apply",
                username=self.saved.account.username,
                api_base=self.saved.account.api_base,
                total=len(self.saved.deletions),
                verified=self.checked.verified,
                already_gone=tuple(sorted(self.checked.preview.drift.already_gone)),
                baselines=baselines(self.saved),
            )
        )

    def send(self, batch_size: int, progress: ApplyProgress | None) -> ApplyReport:
        """Send every batch of this run, journaled; Ctrl-C stops between batches."""
        trust = Trust.of(self._header(), this_run=self.checked.verified)
        batches = plan_batches(self.checked.state, self.checked.pending, batch_size)
        if progress is not None:
            progress.start(self.checked.preview.to_send)
        try:
            with DeferredInterrupt() as interrupt:
                for batch in interrupt.each(batches, self.notify):
                    self._send_one(batch, trust)
                    if progress is not None:
                        progress.advance(len(batch.ids))
        finally:
            if progress is not None:
                progress.finish()
        total = len(self.plays)
        done = len(self.removed & set(self.plays))
        self.journal.append(Complete(removed=done, already_gone=total - done))
        return ApplyReport(
            removed=done,
            already_gone=total - done,
            batches_sent=self.sent,
            already_applied=False,
            journal_path=self.journal.path,
        )

    def _send_one(self, batch: Batch, trust: Trust) -> None:
        if batch.resend:
            self.notify(f"re-sending batch {batch.number}, which was in flight when a run died.")
        else:
            planned = tuple(self.plays[i] for i in batch.ids)
            self.journal.append(Intent(batch=batch.number, ids=batch.ids, plays=planned))
        posts = _posts(self.client)
        answer = self.client.remove_history(batch.ids)
        retried = posts is None or _posts(self.client) != posts + 1
        self.sent += 1
        deleted = Counts(movies=answer.deleted.movies, episodes=answer.deleted.episodes)
        still_there: set[int] = set()
        if deleted.total < len(batch.ids):
            # Not every id was confirmed deleted: believe the history, not the answer.
            restores = [Restore.from_deletion(self.plays[i]) for i in batch.ids]
            still_there = present_ids(self.client, restores)
        settled = settle(
            batch, answer.not_found.ids, trust, still_there=still_there, retried=retried
        )
        self.journal.append(
            Result(
                batch=batch.number,
                deleted=deleted,
                not_found=settled.not_found,
                removed=settled.removed,
            )
        )
        self.removed.update(settled.removed)
        if still_there:
            raise _not_removed(batch, deleted, len(answer.not_found.ids), still_there)
