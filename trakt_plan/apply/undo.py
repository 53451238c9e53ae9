"""Undo an apply: add back every play its journal says was removed, exactly once.

``POST /sync/history`` re-creates a play from the episode or movie trakt id and the original
``watched_at``. Trakt does not de-duplicate such adds and answers without the new history
ids, so before each batch (and again whenever an add may or may not have landed) the live
history around the batch's plays is re-read, and a play already present (same media, same
``watched_at`` second) is not sent again. Running undo twice, or resuming one that died
mid-batch, therefore never doubles a play. The undo has its own journal
(``PLANFILE.undo.journal``) with the same intent/result/complete records and lock as the
apply::

    intent    batch, ids (the original history ids), plays, already_there
    result    batch, added{movies, episodes}, restored, already_there, not_found
    complete  restored, already_there, failed

Restored plays get new history ids and the ``watch`` action: Trakt cannot recreate a
scrobble or check-in.

A play that shares its episode (or movie) and second with a play the apply kept cannot be
told apart from that kept play, and is counted as already there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from trakt_plan.apply.engine import (
    ApplyProgress,
    DeferredInterrupt,
    check_batch_size,
    same_api_base,
)
from trakt_plan.apply.journal import (
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
    JournalError,
    NetworkError,
    NotFound,
    WriteOutcomeUnknown,
)
from trakt_plan.fetch import HistoryClient
from trakt_plan.labels import plural
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.models import AddResult, HistoryItem, PlayToAdd, UserSettings

__all__ = ["UndoClient", "UndoReport", "undo_journal_path", "undo_plan"]

# Sends of one batch whose answers got lost, before giving up (the journal keeps it). Each
# comes after a re-read, so a send never doubles a play; the bound only stops a dead server.
_MAX_SENDS = 8
_ONE_SECOND = timedelta(seconds=1)

# (type, media trakt id, watched_at in whole seconds): what "the same play" means here.
_Key = tuple[str, int, int]


class UndoClient(HistoryClient, Protocol):
    """The part of :class:`~trakt_plan.trakt.client.TraktClient` an undo uses."""

    def user_settings(self) -> UserSettings: ...

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult: ...


@dataclass(frozen=True)
class UndoReport:
    """The outcome of an undo, over all its runs (resumes included)."""

    restored: int
    already_there: int
    failed: int
    already_undone: bool = False
    batches_sent: int = 0
    journal_path: Path | None = None


@dataclass(frozen=True)
class _Restore:
    """One removed play to add back."""

    history_id: int
    type: Literal["episode", "movie"]
    trakt_id: int | None
    watched_at: datetime

    @classmethod
    def from_play(cls, play: Mapping[str, Any]) -> _Restore:
        """From a play as the apply journal holds it (a planned deletion)."""
        kind: Literal["episode", "movie"] = "movie" if play.get("type") == "movie" else "episode"
        media = play.get(kind)
        trakt = media.get("trakt") if isinstance(media, Mapping) else None
        return cls(
            history_id=int(play["history_id"]),
            type=kind,
            trakt_id=trakt if isinstance(trakt, int) and not isinstance(trakt, bool) else None,
            watched_at=parse_trakt_time(str(play["watched_at"])),
        )

    @classmethod
    def from_intent(cls, play: Mapping[str, Any]) -> _Restore:
        """From a play as an undo intent holds it."""
        kind: Literal["episode", "movie"] = "movie" if play.get("type") == "movie" else "episode"
        trakt = play.get("trakt_id")
        return cls(
            history_id=int(play["history_id"]),
            type=kind,
            trakt_id=trakt if isinstance(trakt, int) and not isinstance(trakt, bool) else None,
            watched_at=parse_trakt_time(str(play["watched_at"])),
        )

    @property
    def key(self) -> _Key | None:
        if self.trakt_id is None:
            return None
        return (self.type, self.trakt_id, int(self.watched_at.timestamp()))

    def to_add(self) -> PlayToAdd:
        assert self.trakt_id is not None
        return PlayToAdd(type=self.type, trakt_id=self.trakt_id, watched_at=self.watched_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "history_id": self.history_id,
            "type": self.type,
            "trakt_id": self.trakt_id,
            "watched_at": format_trakt_time(self.watched_at),
        }


def _quiet(message: str) -> None:
    """The default ``notify``: say nothing."""


def _item_key(item: HistoryItem) -> _Key | None:
    media_id = item.media_trakt_id
    if media_id is None:
        return None
    return (item.type, media_id, int(item.watched_at.timestamp()))


class _TooManyPages(Exception):
    """Raised from ``on_page`` to stop a window read that would cost more than item reads."""


def _live_counts(client: UndoClient, plays: Sequence[_Restore]) -> Counter[_Key]:
    """How many plays the live history has at each key of ``plays``.

    Per media type: one read of a window covering the plays, unless its first page says it
    has more pages than the batch has items; then one read per item (narrowed to the same
    window), whichever is fewer reads.
    """
    wanted = {p.key for p in plays if p.key is not None}
    counts: Counter[_Key] = Counter()
    for kind in ("episode", "movie"):
        group = [p for p in plays if p.type == kind and p.trakt_id is not None]
        if not group:
            continue
        start = min(p.watched_at for p in group).replace(microsecond=0) - _ONE_SECOND
        end = max(p.watched_at for p in group).replace(microsecond=0) + 2 * _ONE_SECOND
        media = sorted({p.trakt_id for p in group if p.trakt_id is not None})
        items: list[HistoryItem] = []
        if len(media) > 1:

            def cheap_enough(page: int, pages: int, limit: int = len(media)) -> None:
                if pages > limit:
                    raise _TooManyPages

            try:
                items = client.history(
                    media_type=f"{kind}s", start_at=start, end_at=end, on_page=cheap_enough
                )
                media = []
            except _TooManyPages:
                pass
        for media_id in media:
            try:
                items += client.history(
                    media_type=f"{kind}s", item_id=media_id, start_at=start, end_at=end
                )
            except NotFound:
                # Trakt no longer knows the item, so it has no plays; the add will say so.
                continue
        for item in items:
            key = _item_key(item)
            if key is not None and key in wanted:
                counts[key] += 1
    return counts


def _present(
    plays: Sequence[_Restore], counts: Counter[_Key], first: set[int] | None = None
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


def _batches(plays: Sequence[_Restore], size: int) -> list[list[_Restore]]:
    """Chunks of ``size`` that never split plays of one key: presence is counted per key."""
    batches: list[list[_Restore]] = []
    current: list[_Restore] = []
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


def _undone_ids(state: JournalState) -> tuple[set[int], set[int], set[int]]:
    """Restored, already-there and failed ids recorded by the undo journal's results."""
    restored: set[int] = set()
    there: set[int] = set()
    failed: set[int] = set()
    for result in state.results.values():
        restored.update(result.done)
        failed.update(result.not_found)
        there.update(int(i) for i in result.record.get("already_there", []))
    return restored, there, failed


def _check_account(
    header: Mapping[str, Any], settings: UserSettings, api_base: str | None, path: Path
) -> None:
    account = header.get("account") or {}
    planned_user = str(account.get("username", ""))
    planned_base = str(account.get("api_base", ""))
    username = settings.user.username
    if username.casefold() != planned_user.casefold():
        raise AccountMismatchError(
            f"the apply in {path} removed plays of the Trakt user {planned_user!r}, but the "
            f"login is {username!r}; nothing was sent. Log in as {planned_user!r} to undo it."
        )
    if api_base is not None and not same_api_base(api_base, planned_base):
        raise AccountMismatchError(
            f"the apply in {path} ran against {planned_base}, but this run talks to {api_base}; "
            "nothing was sent. Use the same --api-base (or --sandbox) as for the apply."
        )


def _read_apply_journal(path: Path) -> tuple[JournalState, Mapping[str, Any]]:
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
    return applied, applied.header


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
    still present are simply skipped. Resumable
    like an apply; once complete, a re-run sends nothing (``UndoReport.already_undone``).
    ``api_base``, when given, must be the one the apply ran against.
    """
    check_batch_size(batch_size)
    journal_path = Path(journal_path)
    undo_path = undo_journal_path(journal_path)
    applied, header = _read_apply_journal(journal_path)
    _check_account(header, client.user_settings(), api_base, journal_path)
    # The apply's own lock too: no apply of this plan may run while it is being undone.
    with (
        JournalLock(journal_path, command="undo", notify=notify),
        JournalLock(undo_path, command="undo", notify=notify),
    ):
        applied, header = _read_apply_journal(journal_path)
        state = read_journal(undo_path)
        if state.exists and (state.plan_id != applied.plan_id or state.kind != "undo"):
            raise JournalError(
                f"{undo_path} belongs to another plan or is not an undo journal; nothing was "
                "sent. Move it away only if you are sure it is not needed."
            )
        restored, there, failed = _undone_ids(state)
        if state.is_complete:
            notify(f"already undone: {undo_path} records this undo as complete; nothing sent.")
            return UndoReport(
                restored=len(restored),
                already_there=len(there),
                failed=len(failed),
                already_undone=True,
                journal_path=undo_path,
            )
        candidates = [_Restore.from_play(p) for p in applied.done_plays]
        if not applied.is_complete:
            notify(
                "the apply did not finish; undoing what it removed so far. Do not resume that "
                "apply afterwards: plan again instead."
            )
        lost = [play for intent in applied.in_flight for play in intent.plays]
        if lost and header.get("verified"):
            # The apply saw these present, then died waiting for the answer that removed them
            # (or before sending it): restore whichever are missing now.
            known = {c.history_id for c in candidates}
            candidates += [_Restore.from_play(p) for p in lost if int(p["history_id"]) not in known]
        elif lost:
            notify(
                f"{plural(len(lost), 'play')} of the batch in flight when "
                "the apply stopped may be gone; they are not restored, because that apply "
                "did not check that they existed before it."
            )
        in_flight = state.in_flight
        sent_before = {int(p["history_id"]) for i in in_flight for p in i.plays}
        settled = restored | there | failed | sent_before
        pending = sorted(
            (c for c in candidates if c.history_id not in settled),
            key=lambda c: (c.watched_at, c.history_id),
        )
        to_restore = len(pending) + len(sent_before)
        if not confirm(to_restore):
            raise Aborted("undo cancelled: nothing was sent to Trakt.")
        notify(
            "restored plays get new history ids, and Trakt records them with the `watch` "
            "action: a scrobble or check-in cannot be recreated."
        )
        return _restore(
            client,
            state,
            applied,
            pending,
            undo_path=undo_path,
            batch_size=batch_size,
            total=len(candidates),
            progress=progress,
            notify=notify,
        )


def _restore(
    client: UndoClient,
    state: JournalState,
    applied: JournalState,
    pending: Sequence[_Restore],
    *,
    undo_path: Path,
    batch_size: int,
    total: int,
    progress: ApplyProgress | None,
    notify: Callable[[str], None],
) -> UndoReport:
    restored, there, failed = _undone_ids(state)
    batches: list[tuple[int, list[_Restore], set[int] | None]] = [
        (
            intent.batch,
            [_Restore.from_intent(p) for p in intent.plays],
            {int(i) for i in intent.record.get("already_there", [])},
        )
        for intent in state.in_flight
    ]
    number = state.next_batch
    for chunk in _batches(pending, batch_size):
        batches.append((number, chunk, None))
        number += 1
    sent = 0
    with Journal(undo_path) as journal:
        if state.header is None:
            assert applied.header is not None
            account = applied.header.get("account") or {}
            journal.append(
                "header",
                **new_header(
                    plan_id=str(applied.plan_id),
                    kind="undo",
                    username=str(account.get("username", "")),
                    api_base=str(account.get("api_base", "")),
                    total=total,
                    apply_journal=str(applied.path),
                ),
            )
        if progress is not None:
            progress.start(sum(len(plays) for _, plays, _ in batches))
        try:
            with DeferredInterrupt() as interrupt:
                for number, plays, there_before in batches:
                    if interrupt.requested:
                        notify(f"stopped before batch {number} on an interrupt.")
                        raise KeyboardInterrupt
                    outcome = _restore_batch(
                        client, journal, number, plays, there_before, notify=notify
                    )
                    sent += outcome.sends
                    restored.update(outcome.restored)
                    there.update(outcome.already_there)
                    failed.update(outcome.failed)
                    if progress is not None:
                        progress.advance(len(plays))
        finally:
            if progress is not None:
                progress.finish()
        journal.append(
            "complete", restored=len(restored), already_there=len(there), failed=len(failed)
        )
    if failed:
        notify(
            f"{plural(len(failed), 'play')} could not be restored: Trakt "
            "does not know their episode or movie any more (see the undo journal)."
        )
    return UndoReport(
        restored=len(restored),
        already_there=len(there),
        failed=len(failed),
        batches_sent=sent,
        journal_path=undo_path,
    )


@dataclass(frozen=True)
class _BatchOutcome:
    restored: tuple[int, ...]
    already_there: tuple[int, ...]
    failed: tuple[int, ...]
    sends: int


def _restore_batch(
    client: UndoClient,
    journal: Journal,
    number: int,
    plays: Sequence[_Restore],
    there_before: set[int] | None,
    *,
    notify: Callable[[str], None],
) -> _BatchOutcome:
    """Restore one batch: read, journal the intent (new batches), add what is missing.

    ``there_before`` is ``None`` for a new batch, or the ids an earlier run found present
    before sending this batch (a batch that was in flight when that run died).
    """
    unknown_media = {p.history_id for p in plays if p.trakt_id is None}
    present = _present(plays, _live_counts(client, plays), there_before)
    if there_before is None:
        there_before = set(present)
        journal.append(
            "intent",
            batch=number,
            ids=[p.history_id for p in plays],
            plays=[p.to_json() for p in plays],
            already_there=sorted(there_before),
        )
    failed: set[int] = set(unknown_media)
    added = Counter[str]()
    sends = 0
    while True:
        missing = [p for p in plays if p.history_id not in present and p.history_id not in failed]
        if not missing:
            break
        if sends >= _MAX_SENDS:
            raise NetworkError(
                f"could not confirm that batch {number} of the undo reached Trakt after "
                f"{sends} tries; the undo journal {journal.path} keeps it. Run the same undo "
                "again later to resume; it re-reads the history first, so nothing is doubled."
            )
        try:
            answer = client.add_history([p.to_add() for p in missing])
        except WriteOutcomeUnknown:
            sends += 1
            notify(
                f"no answer to batch {number} of the undo; re-reading the history before "
                "sending what is still missing."
            )
            present = _present(plays, _live_counts(client, plays), there_before)
            continue
        sends += 1
        added["movies"] += answer.added.movies
        added["episodes"] += answer.added.episodes
        lost = _not_found_media(answer)
        for play in missing:
            if play.trakt_id is not None and (play.type, play.trakt_id) in lost:
                failed.add(play.history_id)
            else:
                present.add(play.history_id)
    restored = tuple(p.history_id for p in plays if p.history_id in present - there_before)
    already = tuple(p.history_id for p in plays if p.history_id in there_before)
    journal.append(
        "result",
        batch=number,
        added={"movies": added["movies"], "episodes": added["episodes"]},
        restored=list(restored),
        already_there=list(already),
        not_found=sorted(failed),
    )
    return _BatchOutcome(
        restored=restored, already_there=already, failed=tuple(sorted(failed)), sends=sends
    )
