"""The pure apply core: resume = plan - journal, decided over plain values, no socket."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from tests.support.catalog import episode_play, movie_nights
from tests.support.fakes import API_BASE, FakeTrakt, plan_for
from tests.support.hooks import answer_lost
from trakt_plan.apply.engine import ApplyReport, apply_plan
from trakt_plan.apply.journal import Journal, JournalState, read_journal
from trakt_plan.apply.records import Header, Intent, JournalAccount, Result, new_header
from trakt_plan.apply.resume import Batch, Trust, pending_deletions, plan_batches, settle
from trakt_plan.apply.undo import UndoReport, undo_plan
from trakt_plan.errors import ApiError, JournalError, NetworkError, WriteOutcomeUnknown
from trakt_plan.planfile import SavedPlan
from trakt_plan.trakt.client import ClientStats
from trakt_plan.trakt.models import AddResult, HistoryItem, NotFound, PlayToAdd, RemoveResult
from trakt_plan.trakt.models import Counts as TraktCounts

BULK = "2025-11-17T01:02:03.000Z"
BULK_YAML = """\
version: 1
rules:
  - name: bulk
    history: all
    drop:
      same_timestamp: 3
"""


def _fake() -> FakeTrakt:
    """Forty movie nights; six real plays a day apart, then a bulk mark of the same six episodes
    in one second."""
    return FakeTrakt([*movie_nights(40), *_real(), *_bulk(200)])


def _real() -> list[HistoryItem]:
    """Episodes 1 to 6, one a day."""
    return [episode_play(100 + n, f"2025-10-0{n}T20:00:00.000Z", f"S01E0{n}") for n in range(1, 7)]


def _bulk(base: int) -> list[HistoryItem]:
    """Episodes 1 to 6 marked watched in one second (history ids ``base`` + 1 on)."""
    return [episode_play(base + n, BULK, f"S01E0{n}") for n in range(1, 7)]


@pytest.fixture
def fake() -> FakeTrakt:
    """The fake account of the bulk-mark story."""
    return _fake()


@pytest.fixture
def plan(fake: FakeTrakt) -> SavedPlan:
    """The plan removing the six bulk-marked plays."""
    return plan_for(fake, BULK_YAML)


def _apply(plan: SavedPlan, fake: FakeTrakt, journal: Path, **kw: Any) -> ApplyReport:
    """``apply_plan`` against the fake, confirmed."""
    return apply_plan(
        plan, fake, journal_path=journal, api_base=API_BASE, confirm=lambda p: True, **kw
    )


def _undo(journal: Path, fake: FakeTrakt, **kw: Any) -> UndoReport:
    """``undo_plan`` against the fake, confirmed."""
    return undo_plan(journal, fake, confirm=lambda n: True, api_base=API_BASE, **kw)


def _state(plan: SavedPlan, intents: dict[int, tuple[int, ...]], results: set[int]) -> JournalState:
    """A journal with an intent per batch and a result (all removed) for the batches named."""
    plays = {d.history_id: d for d in plan.deletions}
    header = Header(
        plan_id=plan.plan_id,
        kind="apply",
        account=JournalAccount(username="u", api_base="x"),
        total=len(plan.deletions),
    )
    return JournalState(
        path=Path("p.journal"),
        header=header,
        intents=MappingProxyType(
            {
                n: Intent(batch=n, ids=ids, plays=tuple(plays[i] for i in ids))
                for n, ids in intents.items()
            }
        ),
        results=MappingProxyType(
            {n: Result(batch=n, removed=intents[n]) for n in intents if n in results}
        ),
    )


def test_the_bulk_plan_names_the_six_bulk_plays(plan: SavedPlan) -> None:
    """The fake's story plans exactly the plays of the bulk mark."""
    assert [d.history_id for d in plan.deletions] == [201, 202, 203, 204, 205, 206]


def test_pending_skips_settled_and_in_flight_plays(plan: SavedPlan) -> None:
    """A settled batch and a batch in flight leave only the untouched plays pending."""
    state = _state(plan, {1: (201, 202), 2: (203,)}, results={1})
    assert [d.history_id for d in pending_deletions(plan, state)] == [204, 205, 206]


def test_batches_resend_the_one_in_flight_first_then_number_on(plan: SavedPlan) -> None:
    """The in-flight batch keeps its number and ids; new batches count on from the last intent."""
    state = _state(plan, {1: (201, 202), 2: (203,)}, results={1})
    expected = [Batch(2, (203,), resend=True), Batch(3, (204, 205)), Batch(4, (206,))]
    assert expected == plan_batches(state, (204, 205, 206), 2)


def test_a_not_found_id_of_a_verified_run_was_removed_by_us() -> None:
    """Seen present before sending, then not found: a lost answer of ours removed it."""
    settled = settle(Batch(1, (1, 2)), [2], Trust(this_run=True))
    assert (settled.not_found, settled.removed) == ((2,), (1, 2))


def test_a_not_found_id_without_a_check_counts_as_already_gone() -> None:
    """Without a re-read (refresh off on a changed history) not found means gone before us."""
    settled = settle(Batch(1, (1, 2)), [2], Trust(this_run=False))
    assert (settled.not_found, settled.removed) == ((2,), (1,))


def test_a_resent_batch_counts_its_not_found_ids_as_ours() -> None:
    """The batch in flight when a run died: its not-found ids are the ones it removed."""
    settled = settle(Batch(3, (1, 2), resend=True), [1, 2], Trust(this_run=False))
    assert settled.removed == (1, 2)


def test_ids_gone_when_the_apply_first_started_stay_already_gone() -> None:
    """A resume trusts the first run's check, except for the plays it saw already missing."""
    trust = Trust(this_run=False, at_start=True, gone_at_start=frozenset({2}))
    assert settle(Batch(4, (1, 2)), [1, 2], trust).removed == (1,)


def test_apply_then_undo_on_the_fake_restores_every_play(plan: SavedPlan, tmp_path: Path) -> None:
    """Against the in-memory account: apply removes the six, undo brings all six back."""
    fake = _fake()
    before = fake.keys()
    journal = tmp_path / "p.plan.json.journal"
    report = _apply(plan, fake, journal)
    assert (report.removed, report.already_gone) == (6, 0)
    undone = _undo(journal, fake)
    assert (6, before) == (undone.restored, fake.keys())


def test_a_run_dying_after_the_remove_resumes_to_the_same_end(
    plan: SavedPlan, tmp_path: Path
) -> None:
    """The answer to batch 2 is lost after Trakt removed it; the resume settles it as ours."""
    fake = _fake()
    journal = tmp_path / "p.plan.json.journal"

    fake.on_remove = answer_lost(2, NetworkError("connection dropped"))
    with pytest.raises(NetworkError):
        _apply(plan, fake, journal, batch_size=2)
    fake.on_remove = None
    report = _apply(plan, fake, journal, batch_size=2)
    assert (
        report.removed,
        report.already_gone,
        fake.removes,
    ) == (6, 0, [(201, 202), (203, 204), (203, 204), (205, 206)])


def _write_journal(
    path: Path, plan: SavedPlan, ids: tuple[int, ...], plays: tuple[object, ...]
) -> None:
    with Journal(path) as journal:
        journal.append(
            new_header(plan_id=plan.plan_id, kind="apply", username="u", api_base="x", total=6)
        )
        journal.append(Intent(batch=1, ids=ids, plays=plays))  # type: ignore[arg-type]


def test_a_journal_intent_naming_an_id_outside_the_plan_is_refused(
    plan: SavedPlan, tmp_path: Path
) -> None:
    """Regression: an intent naming a foreign id was re-sent verbatim; now refused at path:line."""
    fake = _fake()
    journal = tmp_path / "p.plan.json.journal"
    foreign = plan.deletions[0].model_copy(update={"history_id": 101})
    _write_journal(journal, plan, (201, 101), (plan.deletions[0], foreign))
    with pytest.raises(JournalError) as caught:
        _apply(plan, fake, journal)
    assert str(caught.value).startswith(
        f"{journal}:2: batch 1 of the journal names history ids that are not in this plan (101)"
    )
    assert fake.removes == []


def test_a_journal_intent_with_an_altered_play_is_refused(plan: SavedPlan, tmp_path: Path) -> None:
    """An intent whose play differs from the planned one (another time) is not trusted either."""
    fake = _fake()
    journal = tmp_path / "p.plan.json.journal"
    moved = plan.deletions[0].model_copy(update={"watched_at": "2020-01-01T00:00:00.000Z"})
    _write_journal(journal, plan, (201,), (moved,))
    with pytest.raises(JournalError, match=r":2: batch 1 of the journal names plays that differ"):
        _apply(plan, fake, journal)
    assert fake.removes == []


def _lie(answer: str):
    """A remove hook that removes nothing and answers ``deleted 0`` or ``all not found``."""

    def hook(n: int, ids: Sequence[int], really: object) -> RemoveResult:
        not_found = list(ids) if answer == "not_found" else []
        return RemoveResult(deleted=TraktCounts(), not_found=NotFound(ids=not_found))

    return hook


@pytest.mark.parametrize("answer", ["deleted_0", "not_found"])
def test_a_remove_answered_but_not_done_is_reported_and_not_journaled_complete(
    plan: SavedPlan, tmp_path: Path, answer: str
) -> None:
    """Regression: `deleted: 0` (or all not found) with the plays still there read as removed."""
    fake = _fake()
    journal = tmp_path / "p.plan.json.journal"
    fake.on_remove = _lie(answer)
    with pytest.raises(ApiError, match="6 of its 6 plays are still in the history"):
        _apply(plan, fake, journal)
    state = read_journal(journal)
    assert (state.is_complete, state.done_ids, state.settled_ids) == (
        False,
        frozenset(),
        frozenset(),
    )
    fake.on_remove = None
    report = _apply(plan, fake, journal)
    assert (report.removed, report.already_gone) == (6, 0)
    assert {d.history_id for d in plan.deletions} & set(fake.plays) == set()


def _apply_then_undo(fake: FakeTrakt, plan: SavedPlan, tmp_path: Path, batch_size: int) -> int:
    journal = tmp_path / "p.plan.json.journal"
    _apply(plan, fake, journal)
    return _undo(journal, fake, batch_size=batch_size).restored


def test_a_doubled_bulk_mark_comes_back_whole(tmp_path: Path) -> None:
    """Regression: two plays of every episode in one second came back only half (12 -> 6)."""
    fake = FakeTrakt([*movie_nights(40), *_real(), *_bulk(200), *_bulk(300)])
    before = fake.keys()
    plan = plan_for(fake, BULK_YAML)
    assert len(plan.deletions) == 12
    assert _apply_then_undo(fake, plan, tmp_path, batch_size=4) == 12
    assert fake.keys() == before


def test_a_removed_play_sharing_its_second_with_a_kept_one_comes_back(tmp_path: Path) -> None:
    """Regression: the removed twin of a kept play was counted as already there, never restored."""
    twins = [episode_play(401, BULK), episode_play(402, BULK), episode_play(403, BULK, "S01E02")]
    fake = FakeTrakt([*movie_nights(40), *twins])
    before = fake.keys()
    plan = plan_for(
        fake, "version: 1\nrules:\n  - {name: twin, history: all, drop: {history_ids: [402]}}\n"
    )
    assert _apply_then_undo(fake, plan, tmp_path, batch_size=100) == 1
    assert fake.keys() == before


def test_undo_twice_with_a_kept_twin_still_never_doubles(tmp_path: Path) -> None:
    """With a baseline, an undo run again (journal gone) still sees the play is back."""
    twins = [episode_play(401, BULK), episode_play(402, BULK)]
    fake = FakeTrakt([*movie_nights(40), *twins])
    before = fake.keys()
    plan = plan_for(
        fake, "version: 1\nrules:\n  - {name: twin, history: all, drop: {history_ids: [402]}}\n"
    )
    _apply_then_undo(fake, plan, tmp_path, batch_size=100)
    (tmp_path / "p.plan.json.undo.journal").unlink()
    again = undo_plan(tmp_path / "p.plan.json.journal", fake, confirm=lambda n: True)
    assert (again.restored, again.already_there, fake.keys()) == (0, 1, before)


def test_an_add_committed_late_after_no_answer_is_never_sent_twice(
    plan: SavedPlan, tmp_path: Path
) -> None:
    """Regression: an add answered 524 that Trakt committed a moment later was re-sent, doubling."""
    fake = _fake()
    before = fake.keys()
    journal = tmp_path / "p.plan.json.journal"
    _apply(plan, fake, journal)
    late: list[Sequence[PlayToAdd]] = []

    def commit_later(n: int, plays: Sequence[PlayToAdd], really: object) -> AddResult:
        for earlier in late:
            really(earlier)  # type: ignore[operator]
        late.clear()
        if n == 1:
            late.append(plays)
            raise WriteOutcomeUnknown("524")
        return really(plays)  # type: ignore[operator, no-any-return]

    fake.on_add = commit_later  # type: ignore[assignment]
    with pytest.raises(WriteOutcomeUnknown, match="nothing more was sent"):
        _undo(journal, fake)
    fake.really_add(late.pop())  # the minutes pass; Trakt's late commit lands
    report = _undo(journal, fake)
    assert (report.restored, len(fake.adds), fake.keys()) == (6, 1, before)


def test_undo_after_a_crashed_apply_without_refresh_restores_the_batch_in_flight(
    plan: SavedPlan, tmp_path: Path
) -> None:
    """Regression: after `apply --refresh false` died mid-batch, undo left that batch removed."""
    fake = _fake()
    before = fake.keys()
    fake.touch()  # the history moved since the plan, and apply is told not to re-read it
    journal = tmp_path / "p.plan.json.journal"

    fake.on_remove = answer_lost(2, NetworkError("connection dropped"))
    with pytest.raises(NetworkError):
        _apply(plan, fake, journal, batch_size=2, refresh=False)
    report = _undo(journal, fake)
    assert (report.restored, fake.keys()) == (4, before)


def test_a_not_found_id_of_a_call_answered_the_first_time_was_removed_by_someone_else() -> None:
    """No retry, no lost answer: an id Trakt did not find was gone before our request."""
    settled = settle(Batch(1, (1, 2)), [2], Trust(this_run=True), retried=False)
    assert (settled.not_found, settled.removed) == ((2,), (1,))


def test_overlapping_applies_count_a_shared_play_only_once(tmp_path: Path) -> None:
    """Regression: two plans sharing plays, applied at once, both counted them as removed."""
    fake = _fake()
    first, second = plan_for(fake, BULK_YAML), plan_for(fake, BULK_YAML.replace("bulk", "dupes"))
    shared = [d.history_id for d in first.deletions]

    # The first plan's apply runs in another process: same account, its own client.
    other = copy.copy(fake)
    other.stats, other.on_remove = ClientStats(), None

    def the_other_apply_gets_there_first(n: int, ids: Sequence[int], really: Any) -> RemoveResult:
        if n == 1:
            _apply(first, other, tmp_path / "first.journal")
        result: RemoveResult = really(ids)
        return result

    fake.on_remove = the_other_apply_gets_there_first  # type: ignore[assignment]
    report = _apply(second, fake, tmp_path / "second.journal")
    fake.on_remove = None
    first_report = _apply(first, fake, tmp_path / "first.journal")
    assert (first_report.removed, report.removed, report.already_gone) == (6, 0, len(shared))
