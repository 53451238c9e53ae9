"""Undo: adds back exactly what an apply removed, once, however often it is run or interrupted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.hooks import Hooked, answer_lost
from trakt_plan.apply.engine import journal_path_for
from trakt_plan.apply.journal import Journal, read_journal, undo_journal_path
from trakt_plan.apply.records import Complete, Intent, Result, new_header
from trakt_plan.apply.undo import undo_plan
from trakt_plan.errors import (
    Aborted,
    AccountMismatchError,
    JournalError,
    NetworkError,
    WriteOutcomeUnknown,
)
from trakt_plan.trakt.models import AddResult, PlayToAdd


@pytest.fixture
def applied(env, tmp_path: Path, early_yaml: str, load_plan):
    """The 63-play plan applied in batches of 10: its journal and the history before it."""
    before_keys = env.keys()
    plan_path = env.plan(tmp_path, early_yaml, name="early")
    journal = journal_path_for(plan_path)
    report = env.apply(load_plan(plan_path), journal, batch_size=10)
    assert report.removed == 63
    return journal, before_keys


def test_an_add_whose_answer_was_lost_stops_and_the_next_run_sends_nothing_twice(
    env, applied
) -> None:
    """The add landed, its answer did not: undo stops; run again, it re-reads and adds the rest."""
    journal, before_keys = applied

    wrapped = Hooked(env.client, on_add=answer_lost(1, WriteOutcomeUnknown("no answer")))
    with pytest.raises(WriteOutcomeUnknown, match="wait a few minutes, then run the same undo"):
        undo_plan(journal, wrapped, batch_size=10, confirm=lambda n: True)
    assert [i.batch for i in read_journal(undo_journal_path(journal)).in_flight] == [1]
    report = undo_plan(journal, wrapped, batch_size=10, confirm=lambda n: True)
    assert (report.restored, report.already_there, report.failed) == (63, 0, 0)
    assert wrapped.adds == 7
    assert env.keys() == before_keys


def test_an_add_that_never_arrived_is_sent_by_the_next_run(env, applied) -> None:
    """The add failed before reaching Trakt: the next run re-reads and sends the missing plays."""
    journal, before_keys = applied

    def fail_first(n: int, plays: Sequence[PlayToAdd], send: Any) -> AddResult:
        if n == 1:
            raise WriteOutcomeUnknown("no answer")
        return send(plays)

    wrapped = Hooked(env.client, on_add=fail_first)
    with pytest.raises(WriteOutcomeUnknown):
        undo_plan(journal, wrapped, batch_size=10, confirm=lambda n: True)
    report = undo_plan(journal, wrapped, batch_size=10, confirm=lambda n: True)
    assert report.restored == 63
    assert wrapped.adds == 8
    assert env.keys() == before_keys


def test_an_undo_killed_mid_batch_resumes_without_doubling(env, applied) -> None:
    """Killed after Trakt added a batch but before the result was journaled: no play doubles."""
    journal, before_keys = applied

    killed = Hooked(env.client, on_add=answer_lost(3, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        undo_plan(journal, killed, batch_size=10, confirm=lambda n: True)
    state = read_journal(undo_journal_path(journal))
    assert [intent.batch for intent in state.in_flight] == [3]

    env.server.stats.reset()
    report = undo_plan(journal, env.client, batch_size=10, confirm=lambda n: n == 43)
    assert (report.restored, report.already_there) == (63, 0)
    assert env.writes("/sync/history") == 4
    assert env.keys() == before_keys


def test_undo_of_an_interrupted_apply_restores_its_lost_batch_too(
    env, tmp_path: Path, early_yaml: str, load_plan
) -> None:
    """An apply that died with a batch in flight is undone completely, lost batch included."""
    before_keys = env.keys()
    plan_path = env.plan(tmp_path, early_yaml, name="early")
    journal = journal_path_for(plan_path)
    client = env.client
    lose_second = Hooked(client, on_remove=answer_lost(2, NetworkError("the answer was lost")))
    with pytest.raises(NetworkError):
        env.apply(load_plan(plan_path), journal, lose_second, batch_size=10)
    messages: list[str] = []
    report = undo_plan(
        journal, client, batch_size=10, confirm=lambda n: n == 20, notify=messages.append
    )
    assert report.restored == 20
    assert env.keys() == before_keys
    assert any("the apply did not finish" in m for m in messages)


def test_two_removed_plays_of_one_episode_in_one_second_both_come_back(
    env, tmp_path: Path, load_plan
) -> None:
    """Presence is counted, not just checked: two identical removed plays are both restored."""
    ids = env.server.state.add_plays(
        "sandbox-user",
        [{"type": "episode", "trakt_id": 139400501, "watched_at": "2025-12-01T20:00:00.000Z"}] * 2,
    )
    before_keys = env.keys()
    yaml_text = (
        f"version: 1\nrules:\n  - {{name: twins, history: all, drop: {{history_ids: {ids}}}}}\n"
    )
    plan_path = env.plan(tmp_path, yaml_text, name="twins")
    journal = journal_path_for(plan_path)
    env.apply(load_plan(plan_path), journal)
    assert not set(ids) & env.ids()
    report = undo_plan(journal, env.client, confirm=lambda n: n == 2)
    assert report.restored == 2
    assert env.keys() == before_keys


def test_a_play_trakt_no_longer_knows_is_reported_as_failed(env, tmp_path: Path, messages) -> None:
    """An episode Trakt answers "not found" for is counted as failed and said so."""
    journal = tmp_path / "gone.plan.json.journal"
    play = {
        "history_id": 77,
        "watched_at": "2025-01-01T00:00:00.000Z",
        "action": "scrobble",
        "type": "episode",
        "show": {"title": "Gone", "year": 1999, "trakt": 9},
        "episode": {"season": 1, "number": 1, "trakt": 999_999_999},
        "movie": None,
        "reasons": ["r"],
    }
    with Journal(journal) as writer:
        writer.append(
            new_header(
                plan_id="a" * 64, kind="apply", username="sandbox-user", api_base="x", total=1
            ),
        )
        writer.append(Intent(batch=1, ids=[77], plays=[play]))
        writer.append(
            Result(batch=1, deleted={"movies": 0, "episodes": 1}, not_found=[], removed=[77])
        )
        writer.append(Complete(removed=1, already_gone=0))
    report = undo_plan(journal, env.client, confirm=lambda n: True, notify=messages)
    assert (report.restored, report.failed) == (0, 1)
    assert any("could not be restored" in m for m in messages)


def test_undo_refuses_another_account_and_another_api_base(env, applied) -> None:
    """Undo adds plays only to the account, and the server, the apply removed them from."""
    journal, _ = applied
    env.server.state.add_user("someone-else")
    other = env.connect(str(env.server.state.issue_token("someone-else")["access_token"]))
    env.server.stats.reset()
    with pytest.raises(AccountMismatchError, match="'someone-else'"):
        undo_plan(journal, other, confirm=lambda n: True)
    with pytest.raises(AccountMismatchError, match=r"https://elsewhere\.test"):
        undo_plan(journal, env.client, confirm=lambda n: True, api_base="https://elsewhere.test")
    assert env.posts() == 0


def test_saying_no_to_undo_sends_nothing(env, applied) -> None:
    """Declining aborts with nothing sent and no undo journal started."""
    journal, _ = applied
    env.server.stats.reset()
    with pytest.raises(Aborted, match="nothing was sent"):
        undo_plan(journal, env.client, confirm=lambda n: False)
    assert env.posts() == 0
    assert not undo_journal_path(journal).exists()


def test_undo_wants_the_apply_journal(env, applied) -> None:
    """Given the undo journal itself, or no journal at all, undo explains what it needs."""
    journal, _ = applied
    undo_plan(journal, env.client, confirm=lambda n: True)
    with pytest.raises(JournalError, match="is an undo journal"):
        undo_plan(undo_journal_path(journal), env.client, confirm=lambda n: True)
    with pytest.raises(JournalError, match="records no apply"):
        undo_plan(journal.with_name("never.plan.json.journal"), env.client, confirm=lambda n: True)


def test_an_undone_plan_is_not_applied_again(env, applied, load_plan) -> None:
    """After an undo the old plan names ids that no longer exist: apply says to plan again."""
    journal, _ = applied
    undo_plan(journal, env.client, confirm=lambda n: True)
    saved = load_plan(journal.with_name("early.plan.json"))
    env.server.stats.reset()
    with pytest.raises(JournalError, match="this plan was undone"):
        env.apply(saved, journal)
    assert env.posts() == 0


def _history_reads(env) -> list[str]:
    return [t for m, t, s in env.server.stats.log if m == "GET" and t.startswith("/sync/history")]


def test_undo_reads_a_dense_batch_in_one_window(env, tmp_path: Path, load_plan) -> None:
    """The 22 bulk plays share one second: one windowed read of episode plays covers them."""
    plan_path = env.plan(tmp_path)
    journal = journal_path_for(plan_path)
    env.apply(load_plan(plan_path), journal)
    env.server.stats.reset()
    undo_plan(journal, env.client, confirm=lambda n: True)
    [read] = _history_reads(env)
    assert read.startswith("/sync/history/episodes?")
    assert "start_at=2025-11-17T01%3A02%3A02.000Z" in read


def test_undo_reads_item_by_item_when_the_window_is_long(env, tmp_path: Path, load_plan) -> None:
    """Three plays months apart with 800 plays between: three item reads beat a long window."""
    start = datetime(2025, 7, 1, tzinfo=UTC)
    filler = [
        {"type": "episode", "trakt_id": 139400205, "watched_at": start + timedelta(minutes=5 * i)}
        for i in range(800)
    ]
    env.server.state.add_plays("sandbox-user", filler)
    yaml_text = (
        "version: 1\nrules:\n  - name: three\n    history: all\n    drop:\n"
        "      history_ids: [9000000001, 9000000030, 10000000027]\n"
    )
    plan_path = env.plan(tmp_path, yaml_text, name="three")
    journal = journal_path_for(plan_path)
    before_keys = env.keys()
    env.apply(load_plan(plan_path), journal)
    env.server.stats.reset()
    report = undo_plan(journal, env.client, confirm=lambda n: n == 3)
    reads = _history_reads(env)
    assert report.restored == 3
    assert env.keys() == before_keys
    assert len([r for r in reads if r.startswith("/sync/history/episodes?")]) == 1
    assert len([r for r in reads if r.startswith("/sync/history/episodes/")]) == 3
