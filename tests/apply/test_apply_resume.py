"""Interrupted applies: Ctrl-C, lost answers, a full disk; each resumes to the exact end state."""

from __future__ import annotations

import errno
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.hooks import Hooked, answer_lost
from trakt_plan.apply import journal as journal_module
from trakt_plan.apply.engine import journal_path_for
from trakt_plan.apply.journal import read_journal
from trakt_plan.apply.undo import undo_plan
from trakt_plan.errors import JournalError, NetworkError
from trakt_plan.trakt.models import RemoveResult


def _apply(env, saved, journal: Path, client: Any = None, **kw: Any):
    """Apply in batches of ten: the 63 plays of the story go in seven calls."""
    kw.setdefault("batch_size", 10)
    return env.apply(saved, journal, client, **kw)


@pytest.fixture
def early(env, tmp_path: Path, early_yaml: str, load_plan):
    """The 63-play plan, its journal, the history before it and the planned ids."""
    before_keys = env.keys()
    before_ids = env.ids()
    plan_path = env.plan(tmp_path, early_yaml, name="early")
    saved = load_plan(plan_path)
    planned = {d.history_id for d in saved.deletions}
    assert len(planned) == 63
    return saved, journal_path_for(plan_path), before_keys, before_ids - planned


def test_ctrl_c_finishes_the_batch_in_flight_then_stops(env, early, messages) -> None:
    """Ctrl-C during a request: that batch's answer is journaled, no further batch is sent."""
    saved, journal, _, expected = early

    def interrupt_second(n: int, ids: Sequence[int], send: Any) -> RemoveResult:
        if n == 2:
            signal.raise_signal(signal.SIGINT)
        return send(ids)

    wrapped = Hooked(env.client, on_remove=interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        _apply(env, saved, journal, wrapped, notify=messages)
    assert wrapped.removes == 2
    state = read_journal(journal)
    assert state.done_batches == (1, 2)
    assert state.in_flight == ()
    assert len(state.removed_plays) == 20
    assert any("stopped before batch 3" in m for m in messages)

    report = _apply(env, saved, journal)
    assert (report.removed, report.already_gone) == (63, 0)
    assert env.ids() == expected


def test_a_lost_answer_is_resent_and_its_plays_count_as_removed(env, early, messages) -> None:
    """A batch whose answer never came is re-sent on resume; undo then restores every play."""
    saved, journal, before_keys, expected = early

    dropped = NetworkError("the connection dropped after Trakt removed the plays")
    lose_third = answer_lost(3, dropped)
    with pytest.raises(NetworkError):
        _apply(env, saved, journal, Hooked(env.client, on_remove=lose_third))
    assert [intent.batch for intent in read_journal(journal).in_flight] == [3]

    report = _apply(env, saved, journal, notify=messages)
    assert (report.removed, report.already_gone) == (63, 0)
    assert any("re-sending batch 3" in m for m in messages)
    assert env.ids() == expected
    undo = undo_plan(journal, env.client, confirm=lambda n: n == 63)
    assert undo.restored == 63
    assert env.keys() == before_keys


def test_a_retry_after_a_dropped_answer_still_counts_the_plays_as_ours(env, early) -> None:
    """The client's retry hears "not found" for plays its first try removed: still ours."""
    saved, journal, before_keys, expected = early

    def retry_second(n: int, ids: Sequence[int], send: Any) -> RemoveResult:
        if n == 2:
            send(ids)
        return send(ids)

    report = _apply(env, saved, journal, Hooked(env.client, on_remove=retry_second))
    assert (report.removed, report.already_gone) == (63, 0)
    assert env.ids() == expected
    undo_plan(journal, env.client, confirm=lambda n: True)
    assert env.keys() == before_keys


def test_a_full_disk_stops_before_the_next_request_and_resumes(
    env, early, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the result of batch 1 cannot be journaled, batch 2 is never sent; a re-run finishes."""
    saved, journal, _, expected = early
    real_write = journal_module.write_record

    def full_at_first_result(fd: int, data: bytes) -> None:
        if b'"type":"result"' in data:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(fd, data)

    monkeypatch.setattr(journal_module, "write_record", full_at_first_result)
    env.server.stats.reset()
    with pytest.raises(JournalError, match="No space left on device"):
        _apply(env, saved, journal)
    assert env.writes("/sync/history/remove") == 1
    monkeypatch.undo()

    report = _apply(env, saved, journal)
    assert report.removed == 63
    assert env.ids() == expected


def test_without_refresh_plays_gone_meanwhile_count_as_already_gone(
    env, tmp_path: Path, load_plan, messages
) -> None:
    """refresh=False skips the re-read: gone plays come back as not found and undo skips them."""
    before_keys = env.keys()
    plan_path = env.plan(tmp_path)
    env.drop_plays({10_000_000_003})
    after_drop = env.keys()
    report = _apply(
        env,
        load_plan(plan_path),
        journal_path_for(plan_path),
        refresh=False,
        notify=messages,
        batch_size=100,
    )
    assert (report.removed, report.already_gone) == (21, 1)
    assert any("was not re-read" in m for m in messages)
    undo = undo_plan(journal_path_for(plan_path), env.client, confirm=lambda n: n == 21)
    assert undo.restored == 21
    assert env.keys() == after_drop
    assert env.keys() != before_keys


def test_a_resumed_run_says_so_and_skips_settled_batches(env, early, messages) -> None:
    """The second run reports how much the first one settled and sends only the rest."""
    saved, journal, _, expected = early

    def stop_fourth(n: int, ids: Sequence[int], send: Any) -> RemoveResult:
        if n == 4:
            raise KeyboardInterrupt
        return send(ids)

    with pytest.raises(KeyboardInterrupt):
        _apply(env, saved, journal, Hooked(env.client, on_remove=stop_fourth))
    seen = []
    env.server.stats.reset()
    _apply(env, saved, journal, notify=messages, confirm=lambda p: seen.append(p) or True)
    [preview] = seen
    assert preview.resumed and preview.already_done == 30 and preview.to_send == 33
    assert any("resuming the apply" in m for m in messages)
    assert env.writes("/sync/history/remove") == 4
    assert env.ids() == expected
