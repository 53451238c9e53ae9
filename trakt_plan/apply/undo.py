"""Undo an apply: add back every play its journal says was removed, exactly once.

``POST /sync/history`` re-creates a play from the episode or movie trakt id and the original
``watched_at``. Trakt does not de-duplicate such adds and answers without the new history
ids, so before each batch (and, after an add that got no answer, in the next run) the live
history around the batch's plays is re-read (:mod:`~trakt_plan.apply.presence`), and a play
already present (same media, same ``watched_at`` second) is not sent again. Running undo
twice, or resuming one that died mid-batch, therefore never doubles a play. The undo has its
own journal (``PLANFILE.undo.journal``) with the same intent/result/complete records and lock
as the apply::

    intent    batch, ids (the original history ids), plays, already_there
    result    batch, added{movies, episodes}, restored, already_there, not_found
    complete  restored, already_there, failed

Restored plays get new history ids and the ``watch`` action: Trakt cannot recreate a
scrobble or check-in.

Exact (contract 6.8): the apply journals, per (media, second) of a removed play, how many
plays of that key it kept (the baseline); undo restores a key until the live history has
the baseline plus the plays removed, so duplicates sharing one second all come back, and a
removed play sharing its second with a kept one too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path

from trakt_plan.apply.guards import check_undo_account
from trakt_plan.apply.interrupt import DeferredInterrupt
from trakt_plan.apply.journal import Journal, JournalState, read_journal, undo_journal_path
from trakt_plan.apply.lock import JournalLock
from trakt_plan.apply.presence import PlayKey, Restore, live_counts
from trakt_plan.apply.protocols import ApplyProgress, UndoClient
from trakt_plan.apply.records import Complete, Counts, Intent, RestorePlay, Result, new_header
from trakt_plan.apply.resume import check_batch_size
from trakt_plan.errors import Aborted, JournalError, WriteOutcomeUnknown
from trakt_plan.labels import plural
from trakt_plan.trakt.models import AddResult

__all__ = ["UndoReport", "undo_journal_path", "undo_plan"]


@dataclass(frozen=True)
class UndoReport:
    """The outcome of an undo, over all its runs (resumes included)."""

    restored: int
    already_there: int
    failed: int
    already_undone: bool = False
    batches_sent: int = 0
    journal_path: Path | None = None


def _quiet(message: str) -> None:
    """The default ``notify``: say nothing."""


def _present(
    plays: Sequence[Restore], counts: Counter[PlayKey], first: set[int] | None = None
) -> set[int]:
    """The history ids among ``plays`` that the counted live plays account for.

    Plays in ``first`` (known present before anything was sent) are matched first.
    """
    left = Counter(counts)
    present: set[int] = set()
    ordered = sorted(plays, key=lambda p: p.history_id not in first) if first else plays
    for play in ordered:
        key = play.key
        if key is not None and left[key] > 0:
            left[key] -= 1
            present.add(play.history_id)
    return present


def _batches(plays: Sequence[Restore], size: int) -> list[list[Restore]]:
    """Chunks of ``size`` that never split plays of one key: presence is counted per key."""
    batches: list[list[Restore]] = []
    current: list[Restore] = []
    for play in plays:
        if len(current) >= size and (current[-1].key is None or current[-1].key != play.key):
            batches.append(current)
            current = []
        current.append(play)
    if current:
        batches.append(current)
    return batches


def _not_found_media(answer: AddResult) -> set[tuple[str, int]]:
    missing: set[tuple[str, int]] = set()
    for kind, entries in (
        ("episode", answer.not_found.episodes),
        ("movie", answer.not_found.movies),
    ):
        for entry in entries:
            ids = entry.get("ids") if isinstance(entry, Mapping) else None
            trakt = ids.get("trakt") if isinstance(ids, Mapping) else None
            if isinstance(trakt, int):
                missing.add((kind, trakt))
    return missing


@dataclass
class _Tally:
    """Restored, already-there and failed ids, over all runs of one undo."""

    restored: set[int]
    there: set[int]
    failed: set[int]

    @classmethod
    def of(cls, state: JournalState) -> _Tally:
        tally = cls(set(), set(), set())
        for result in state.results.values():
            tally.restored.update(result.restored)
            tally.failed.update(result.not_found)
            tally.there.update(result.already_there)
        return tally

    def report(self, **extra: object) -> UndoReport:
        return UndoReport(
            restored=len(self.restored),
            already_there=len(self.there),
            failed=len(self.failed),
            **extra,  # type: ignore[arg-type]
        )


def _read_apply_journal(path: Path) -> JournalState:
    applied = read_journal(path)
    if applied.header is None:
        raise JournalError(
            f"{path} records no apply (it is missing or empty), so there is nothing to undo."
        )
    if applied.kind != "apply":
        raise JournalError(
            f"{path} is an undo journal; undo takes the plan file or its apply journal "
            "(PLANFILE.journal)."
        )
    return applied


def _failure_lines(failed: set[int], no_id: set[int]) -> list[str]:
    """Why plays could not be restored, by cause: no media id recorded, or unknown to Trakt."""
    lines = []
    missing_id = failed & no_id
    if missing_id:
        lines.append(
            f"{plural(len(missing_id), 'play')} could not be restored: Trakt had sent "
            "them without an episode or movie trakt id, so there is nothing to add them back "
            "by (their history ids and times are in the undo journal)."
        )
    unknown = failed - no_id
    if unknown:
        lines.append(
            f"{plural(len(unknown), 'play')} could not be restored: Trakt answered that "
            "it does not know their episode or movie any more (see the undo journal)."
        )
    return lines


def _check_undo_journal(state: JournalState, applied: JournalState) -> None:
    if state.exists and (state.plan_id != applied.plan_id or state.kind != "undo"):
        raise JournalError(
            f"{state.path} belongs to another plan or is not an undo journal; nothing was "
            "sent. Move it away only if you are sure it is not needed."
        )


def _candidates(applied: JournalState, notify: Callable[[str], None]) -> list[Restore]:
    """The plays to bring back: those removed, and those of a batch in flight when it died.

    A batch in flight was sent or not; whichever of its plays are missing now were removed
    by it, the same rule a resumed apply settles such a batch by. Plays still there are
    simply found present.
    """
    candidates = [Restore.from_deletion(p) for p in applied.removed_plays]
    if not applied.is_complete:
        notify(
            "the apply did not finish; undoing what it removed so far. Do not resume that "
            "apply afterwards: plan again instead."
        )
    lost = [play for intent in applied.in_flight for play in intent.plays]
    assert applied.header is not None
    if lost and not applied.header.verified:
        notify(
            f"{plural(len(lost), 'play')} of the batch in flight when the apply stopped "
            "were not checked before it (refresh was off): those missing now are restored, "
            "even one that was already gone before that apply."
        )
    known = {c.history_id for c in candidates}
    candidates += [
        Restore.from_record(p) if isinstance(p, RestorePlay) else Restore.from_deletion(p)
        for p in lost
        if p.history_id not in known
    ]
    return candidates


def undo_plan(
    journal_path: Path,
    client: UndoClient,
    *,
    batch_size: int = 100,
    confirm: Callable[[int], bool],
    progress: ApplyProgress | None = None,
    notify: Callable[[str], None] = _quiet,
    api_base: str | None = None,
) -> UndoReport:
    """Add back every play the apply journal at ``journal_path`` records as removed.

    ``confirm`` gets the number of plays still to restore (``False`` raises ``Aborted``).
    Works on a complete or an interrupted apply; in the latter case the plays of a batch
    that was in flight are included (when that apply had seen them present), and those
    still present are simply skipped. Resumable like an apply; once complete, a re-run sends
    nothing (``UndoReport.already_undone``). ``api_base``, when given, must be the one the
    apply ran against.
    """
    check_batch_size(batch_size)
    journal_path = Path(journal_path)
    undo_path = undo_journal_path(journal_path)
    header = _read_apply_journal(journal_path).header
    assert header is not None
    check_undo_account(header.account, client.user_settings(), api_base, journal_path)
    # The apply's own lock too: no apply of this plan may run while it is being undone.
    with (
        JournalLock(journal_path, command="undo", notify=notify),
        JournalLock(undo_path, command="undo", notify=notify),
    ):
        applied = _read_apply_journal(journal_path)
        state = read_journal(undo_path)
        _check_undo_journal(state, applied)
        if state.is_complete:
            notify(f"already undone: {undo_path} records this undo as complete; nothing sent.")
            return _Tally.of(state).report(already_undone=True, journal_path=undo_path)
        candidates = _candidates(applied, notify)
        sent_before = {p.history_id for i in state.in_flight for p in i.plays}
        tally = _Tally.of(state)
        settled = tally.restored | tally.there | tally.failed | sent_before
        # Plays of one key side by side, so that a batch never splits them (see _batches).
        pending = sorted(
            (c for c in candidates if c.history_id not in settled),
            key=lambda c: (c.watched_at, c.type, c.trakt_id or 0, c.history_id),
        )
        if not confirm(len(pending) + len(sent_before)):
            raise Aborted("undo cancelled: nothing was sent to Trakt.")
        notify(
            "restored plays get new history ids, and Trakt records them with the `watch` "
            "action: a scrobble or check-in cannot be recreated."
        )
        with Journal(undo_path) as journal:
            if state.header is None:
                _write_header(journal, applied, total=len(candidates))
            run = _UndoRun(client, journal, _baseline_of(applied), notify=notify)
            return run.restore(state, pending, batch_size, progress)


def _write_header(journal: Journal, applied: JournalState, *, total: int) -> None:
    assert applied.header is not None
    account = applied.header.account
    journal.append(
        new_header(
            plan_id=applied.header.plan_id,
            kind="undo",
            username=account.username,
            api_base=account.api_base,
            total=total,
            apply_journal=str(applied.path),
        )
    )


@dataclass(frozen=True)
class _UndoBatch:
    """One add call of this run; ``there_before`` is set for a batch that was in flight."""

    number: int
    plays: list[Restore]
    there_before: set[int] | None


def _baseline_of(applied: JournalState) -> Counter[PlayKey]:
    """Per key, the plays the apply kept: live plays up to this many are not ours to count."""
    assert applied.header is not None
    return Counter({(b.type, b.trakt, b.second): b.kept for b in applied.header.baselines})


@dataclass
class _UndoRun:
    """One run of the undo loop: per batch read, journal intent, add what is missing, result."""

    client: UndoClient
    journal: Journal
    baseline: Counter[PlayKey]
    _: KW_ONLY
    notify: Callable[[str], None]
    sent: int = field(default=0, init=False)
    # Plays journaled without a media trakt id: nothing to add them back by.
    no_id: set[int] = field(default_factory=set, init=False)

    def _present(self, plays: Sequence[Restore], first: set[int] | None) -> set[int]:
        """The plays of ``plays`` already back: live plays at their key beyond the kept ones."""
        counts = live_counts(self.client, plays)
        return _present(plays, counts - self.baseline, first)

    def restore(
        self,
        state: JournalState,
        pending: Sequence[Restore],
        batch_size: int,
        progress: ApplyProgress | None,
    ) -> UndoReport:
        tally = _Tally.of(state)
        batches = [
            _UndoBatch(
                intent.batch,
                [Restore.from_record(p) for p in intent.plays if isinstance(p, RestorePlay)],
                set(intent.already_there),
            )
            for intent in state.in_flight
        ]
        first = state.next_batch
        batches += [
            _UndoBatch(first + n, chunk, None)
            for n, chunk in enumerate(_batches(pending, batch_size))
        ]
        if progress is not None:
            progress.start(sum(len(b.plays) for b in batches))
        try:
            with DeferredInterrupt() as interrupt:
                for batch in interrupt.each(batches, self.notify):
                    result = self._restore_batch(batch)
                    tally.restored.update(result.restored)
                    tally.there.update(result.already_there)
                    tally.failed.update(result.not_found)
                    if progress is not None:
                        progress.advance(len(batch.plays))
        finally:
            if progress is not None:
                progress.finish()
        self.journal.append(
            Complete(
                restored=len(tally.restored),
                already_there=len(tally.there),
                failed=len(tally.failed),
            )
        )
        for line in _failure_lines(tally.failed, self.no_id):
            self.notify(line)
        return tally.report(batches_sent=self.sent, journal_path=self.journal.path)

    def _restore_batch(self, batch: _UndoBatch) -> Result:
        """Restore one batch: read, journal the intent (new batches), add what is missing."""
        plays = batch.plays
        present = self._present(plays, batch.there_before)
        there_before = batch.there_before
        if there_before is None:
            there_before = set(present)
            self.journal.append(
                Intent(
                    batch=batch.number,
                    ids=tuple(p.history_id for p in plays),
                    plays=tuple(p.to_record() for p in plays),
                    already_there=tuple(sorted(there_before)),
                )
            )
        failed = {p.history_id for p in plays if p.trakt_id is None}
        self.no_id.update(failed)
        added = self._add_missing(batch.number, plays, present, failed)
        return self.journal.append(
            Result(
                batch=batch.number,
                added=added,
                restored=tuple(
                    p.history_id for p in plays if p.history_id in present - there_before
                ),
                already_there=tuple(p.history_id for p in plays if p.history_id in there_before),
                not_found=tuple(sorted(failed)),
            )
        )

    def _add_missing(
        self,
        number: int,
        plays: Sequence[Restore],
        present: set[int],
        failed: set[int],
    ) -> Counts:
        """Add the plays not present, once; each becomes present or failed (sets updated).

        An add without an answer may still land later (Trakt answers 52x and commits anyway),
        so it is never re-sent in the same run: the batch stays in flight in the journal, and
        the next run re-reads the history before sending whatever is still missing.
        """
        missing = [p for p in plays if p.history_id not in present | failed]
        if not missing:
            return Counts()
        self.sent += 1
        try:
            answer = self.client.add_history([p.to_add() for p in missing])
        except WriteOutcomeUnknown:
            raise WriteOutcomeUnknown(
                f"no answer to batch {number} of the undo ({plural(len(missing), 'play')}): "
                "Trakt may still add them in the next minutes, so nothing "
                f"more was sent. The undo journal {self.journal.path} keeps the batch in flight; "
                "wait a few minutes, then run the same undo again: it re-reads the history "
                "first and sends only what is still missing, so nothing is doubled."
            ) from None
        lost = _not_found_media(answer)
        for play in missing:
            if play.trakt_id is not None and (play.type, play.trakt_id) in lost:
                failed.add(play.history_id)
            else:
                present.add(play.history_id)
        return Counts(movies=answer.added.movies, episodes=answer.added.episodes)
