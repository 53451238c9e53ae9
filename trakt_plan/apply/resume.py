"""The pure core of an apply's batch loop: what is pending, what is in flight, what settled.

Resume = plan - journal. These functions decide it over plain values (the saved plan and a
:class:`~trakt_plan.apply.journal.JournalState`), with no network, no files and no clock, so
every edge case of a resume is a fast test::

    pending_deletions(plan, state)           planned plays no result settled and none in flight
    plan_batches(state, pending, size)       re-send the batches in flight, then new ones
    settle(batch, not_found, trust)          which ids of an answered batch were removed by us
    baselines(plan)                          per (media, second) of a deletion: the plays kept
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trakt_plan.apply.journal import JournalState
from trakt_plan.apply.records import Baseline, Header
from trakt_plan.errors import ConfigError
from trakt_plan.planfile import PlannedDeletion, SavedPlan
from trakt_plan.timefmt import parse_trakt_time

__all__ = [
    "MAX_BATCH_SIZE",
    "Batch",
    "Settled",
    "Trust",
    "baselines",
    "check_batch_size",
    "chunks",
    "pending_deletions",
    "plan_batches",
    "settle",
]

MAX_BATCH_SIZE = 1000


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size outside 1..1000 with a :class:`~trakt_plan.errors.ConfigError`."""
    if isinstance(batch_size, bool) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ConfigError(
            f"--batch-size must be between 1 and {MAX_BATCH_SIZE}, got {batch_size}. Trakt's "
            "own web app sends 100 ids per call; very large calls have timed out."
        )


def chunks(items: Sequence[int], size: int) -> list[tuple[int, ...]]:
    """``items`` cut into consecutive tuples of at most ``size``."""
    return [tuple(items[start : start + size]) for start in range(0, len(items), size)]


@dataclass(frozen=True)
class Batch:
    """One remove call of this run: its number in the journal and its ids.

    ``resend`` marks a batch that was in flight when an earlier run died: its intent is in
    the journal already, so it is sent again without a new one.
    """

    number: int
    ids: tuple[int, ...]
    resend: bool = False


def pending_deletions(plan: SavedPlan, state: JournalState) -> list[PlannedDeletion]:
    """The planned plays still to send in a new batch: not settled, not in flight."""
    handled = state.settled_ids | {i for intent in state.in_flight for i in intent.ids}
    return [d for d in plan.deletions if d.history_id not in handled]


def plan_batches(state: JournalState, pending: Sequence[int], batch_size: int) -> list[Batch]:
    """This run's batches: those in flight first (re-sent as they were), then ``pending``."""
    batches = [Batch(intent.batch, intent.ids, resend=True) for intent in state.in_flight]
    first = state.next_batch
    batches += [Batch(first + n, ids) for n, ids in enumerate(chunks(pending, batch_size))]
    return batches


@dataclass(frozen=True)
class Trust:
    """What the apply knew about the planned plays before sending, to read a not-found by.

    ``this_run``: every play this run sends was seen present when it started.
    ``at_start``: the same held when the apply first started; ``gone_at_start`` were the
    plays already missing then.
    """

    this_run: bool
    at_start: bool = False
    gone_at_start: frozenset[int] = frozenset()

    @classmethod
    def of(cls, header: Header, *, this_run: bool) -> Trust:
        return cls(
            this_run=this_run,
            at_start=header.verified,
            gone_at_start=frozenset(header.already_gone),
        )

    def removed_by_us(self, history_id: int, *, resend: bool, retried: bool = True) -> bool:
        """Whether a planned id Trakt reports not found was removed by one of our requests.

        It was when the batch was in flight when an earlier run died (``resend``), or when
        this call was sent more than once (``retried``: an earlier attempt may have landed
        and lost its answer) and the play was present before we sent it. A not-found id of
        a call answered the first time was removed by someone else: another apply of an
        overlapping plan, another app, the website.
        """
        if resend:
            return True
        if not retried:
            return False
        return self.this_run or (self.at_start and history_id not in self.gone_at_start)


@dataclass(frozen=True)
class Settled:
    """An answered batch: the ids Trakt did not find and the ids removed by us."""

    not_found: tuple[int, ...]
    removed: tuple[int, ...]


def settle(
    batch: Batch,
    reported_not_found: Iterable[int],
    trust: Trust,
    *,
    still_there: Iterable[int] = (),
    retried: bool = True,
) -> Settled:
    """Which ids of ``batch`` Trakt's answer settles as removed by us, and which it did not find.

    ``still_there`` are ids a re-read found in the history after the answer: whatever Trakt
    said, they are neither removed nor gone, so they stay pending. ``retried`` says the call
    went out more than once (see :meth:`Trust.removed_by_us`).
    """
    reported = set(reported_not_found)
    present = set(still_there)
    return Settled(
        not_found=tuple(i for i in batch.ids if i in reported and i not in present),
        removed=tuple(
            i
            for i in batch.ids
            if i not in present
            and (i not in reported or trust.removed_by_us(i, resend=batch.resend, retried=retried))
        ),
    )


def _second(watched_at: str) -> int:
    return int(parse_trakt_time(watched_at).timestamp())


def baselines(plan: SavedPlan) -> tuple[Baseline, ...]:
    """Per (media, second) of a planned play: how many plays of that key the plan keeps.

    Undo restores a key until the live history has this many plus the ones removed, so a
    removed play sharing its second with a kept one still comes back (contract 6.8).
    Plans saved before ``kept`` existed give none, and undo then counts every live play.
    """
    wanted = set()
    for deletion in plan.deletions:
        media = deletion.episode if deletion.type == "episode" else deletion.movie
        if media is not None and media.trakt is not None:
            wanted.add((deletion.type, media.trakt, _second(deletion.watched_at)))
    counts: dict[tuple[str, int, int], int] = {}
    for group in plan.kept:
        kind = "episode" if group.type == "show" else "movie"
        for play in group.plays:
            key = (kind, play.trakt, _second(play.watched_at))
            if play.trakt is not None and key in wanted:
                counts[key] = counts.get(key, 0) + 1
    return tuple(
        Baseline(
            type="episode" if kind == "episode" else "movie", trakt=trakt, second=second, kept=n
        )
        for (kind, trakt, second), n in sorted(counts.items())
    )
