"""The journal and its lock, without any network: records, torn lines, damage, durability."""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from trakt_plan.apply import journal as journal_module
from trakt_plan.apply.engine import journal_path_for
from trakt_plan.apply.journal import Journal, read_journal
from trakt_plan.apply.lock import JournalLock
from trakt_plan.apply.records import Complete, Intent, Result, new_header
from trakt_plan.apply.undo import undo_journal_path
from trakt_plan.errors import JournalError


def _play(history_id: int) -> dict[str, Any]:
    return {
        "history_id": history_id,
        "watched_at": "2025-11-17T01:02:03.000Z",
        "action": "watch",
        "type": "episode",
        "show": {"title": "Show", "year": 2013, "trakt": 1394},
        "episode": {"season": 6, "number": history_id % 100, "trakt": 139400600 + history_id % 100},
        "movie": None,
        "reasons": ["bulk"],
    }


def _header(journal: Journal, total: int = 4) -> None:
    journal.append(
        new_header(plan_id="p" * 64, kind="apply", username="u", api_base="x", total=total),
    )


def _batch(journal: Journal, number: int, ids: list[int], *, result: bool = True) -> None:
    journal.append(Intent(batch=number, ids=ids, plays=[_play(i) for i in ids]))
    if result:
        journal.append(
            Result(
                batch=number,
                deleted={"movies": 0, "episodes": len(ids) - 1},
                not_found=ids[-1:],
                removed=ids[:-1],
            )
        )


def test_records_read_back_as_the_state_of_the_run(tmp_path: Path) -> None:
    """A journal of two batches and a complete record reads back as a finished apply."""
    path = tmp_path / "p.plan.json.journal"
    with Journal(path) as journal:
        _header(journal)
        _batch(journal, 1, [1, 2])
        _batch(journal, 2, [3, 4])
        journal.append(Complete(removed=2, already_gone=2))
    state = read_journal(path)
    assert state.plan_id == "p" * 64
    assert state.kind == "apply"
    assert state.done_batches == (1, 2)
    assert state.in_flight == ()
    assert state.done_ids == {1, 3}
    assert state.settled_ids == {1, 2, 3, 4}
    assert [play.history_id for play in state.removed_plays] == [1, 3]
    assert state.is_complete
    assert state.next_batch == 3


def test_every_line_is_one_json_record_with_type_and_time(tmp_path: Path) -> None:
    """Each record is a single line of JSON carrying its type and the time it was written."""
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        _header(journal)
        _batch(journal, 1, [7])
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["type"] for r in records] == ["header", "intent", "result"]
    assert all(r["at"].endswith("Z") for r in records)
    assert records[0]["account"] == {"username": "u", "api_base": "x"}
    assert records[1]["plays"][0]["history_id"] == 7


def test_a_batch_without_result_is_in_flight(tmp_path: Path) -> None:
    """An intent with no result (the process died during the request) shows as in flight."""
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        _header(journal)
        _batch(journal, 1, [1, 2])
        _batch(journal, 2, [3, 4], result=False)
    state = read_journal(path)
    assert [intent.batch for intent in state.in_flight] == [2]
    assert state.in_flight[0].ids == (3, 4)
    assert not state.is_complete


def test_a_missing_journal_reads_as_empty(tmp_path: Path) -> None:
    """No journal yet means no run has started: nothing done, nothing in flight."""
    state = read_journal(tmp_path / "none.journal")
    assert not state.exists
    assert state.done_ids == frozenset()
    assert state.next_batch == 1


def test_a_torn_last_line_is_ignored_and_cut_before_the_next_append(tmp_path: Path) -> None:
    """Half a record at the end (a kill mid-write) is skipped on read and removed on append."""
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        _header(journal)
        journal.append(Intent(batch=1, ids=[1], plays=[_play(1)]))
    whole = path.read_bytes()
    with path.open("ab") as handle:
        handle.write(b'{"type":"result","batch":1,"remo')
    state = read_journal(path)
    assert state.torn_tail
    assert [intent.batch for intent in state.in_flight] == [1]
    with Journal(path) as journal:
        journal.append(Result(batch=1, deleted={}, not_found=[], removed=[1]))
    assert path.read_bytes().startswith(whole)
    assert read_journal(path).done_ids == {1}
    assert not read_journal(path).torn_tail


def test_a_damaged_line_in_the_middle_names_path_and_line(tmp_path: Path) -> None:
    """A complete line that is not JSON is damage, reported as path:line, not skipped."""
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        _header(journal)
        _batch(journal, 1, [1, 2])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = "{not json\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(JournalError, match=rf"{path}:2: the journal is damaged"):
        read_journal(path)


def test_records_out_of_order_are_damage(tmp_path: Path) -> None:
    """A result for a batch that never had an intent cannot come from a real run."""
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        _header(journal)
        journal.append(Result(batch=4, deleted={}, not_found=[], removed=[1]))
    with pytest.raises(JournalError, match=r":2: .*batch 4, which has no intent"):
        read_journal(path)


def test_each_record_is_fsynced_and_a_new_file_fsyncs_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every append reaches the disk before it returns; creating the file also syncs the dir."""
    synced: list[int] = []
    dirs: list[Path] = []
    real_fsync = os.fsync

    def spy_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    def spy_dir(directory: Path) -> None:
        dirs.append(directory)

    monkeypatch.setattr(journal_module.os, "fsync", spy_fsync)
    monkeypatch.setattr(journal_module, "_fsync_dir", spy_dir)
    with Journal(tmp_path / "j.journal") as journal:
        _header(journal)
        _batch(journal, 1, [1, 2])
    assert len(synced) == 3
    assert dirs == [tmp_path]


def test_a_failed_write_raises_journal_error_and_leaves_a_readable_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full halfway through a record: JournalError now, and the next run reads fine."""
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        _header(journal)

        def half_then_full(fd: int, data: bytes) -> None:
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(journal_module, "write_record", half_then_full)
        with pytest.raises(JournalError, match="No space left on device"):
            journal.append(Intent(batch=1, ids=[1], plays=[_play(1)]))
        monkeypatch.undo()
        journal.append(Intent(batch=1, ids=[1], plays=[_play(1)]))
    state = read_journal(path)
    assert [intent.batch for intent in state.in_flight] == [1]


def test_journal_names_sit_next_to_the_plan(tmp_path: Path) -> None:
    """PLANFILE.journal for the apply and PLANFILE.undo.journal for the undo."""
    plan = tmp_path / "cleanup.plan.json"
    assert journal_path_for(plan) == tmp_path / "cleanup.plan.json.journal"
    assert undo_journal_path(journal_path_for(plan)) == tmp_path / "cleanup.plan.json.undo.journal"


# ------------------------------------------------------------------------------ the lock


def _write_lock(path: Path, **holder: Any) -> Path:
    lock = path.with_name(path.name + ".lock")
    lock.write_text(json.dumps(holder), encoding="utf-8")
    return lock


def test_the_lock_file_records_who_holds_it_and_goes_away_after(tmp_path: Path) -> None:
    """While held, the lock names this process and host; on exit it is removed."""
    journal = tmp_path / "p.journal"
    with JournalLock(journal) as lock:
        holder = json.loads(lock.path.read_text(encoding="utf-8"))
        assert holder["pid"] == os.getpid()
        assert holder["host"] == socket.gethostname()
        assert holder["started"].endswith("Z")
    assert not lock.path.exists()


def test_a_live_lock_refuses_a_second_run(tmp_path: Path) -> None:
    """Another run of the plan in a live process is refused, naming its pid, host and time."""
    journal = tmp_path / "p.journal"
    host = socket.gethostname()
    lock = _write_lock(journal, pid=os.getpid(), host=host, started="2026-01-01T00:00:00.000Z")
    with pytest.raises(JournalError) as caught, JournalLock(journal):
        pass
    assert str(caught.value).startswith(
        f"another apply of this plan is running: pid {os.getpid()} on {host} since "
        "2026-01-01T00:00:00.000Z"
    )
    assert json.loads(lock.read_text(encoding="utf-8"))["pid"] == os.getpid()


def test_a_dead_lock_is_taken_over_and_said_so(tmp_path: Path, dead_pid: int) -> None:
    """A lock left by a process that is gone is taken over, with a message."""
    journal = tmp_path / "p.journal"
    pid = dead_pid
    _write_lock(journal, pid=pid, host=socket.gethostname(), started="2026-01-01T00:00:00.000Z")
    said: list[str] = []
    with JournalLock(journal, notify=said.append) as lock:
        assert json.loads(lock.path.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert len(said) == 1
    assert f"took over the lock {lock.path} from pid {pid}" in said[0]


def test_a_lock_from_another_host_is_refused_with_instructions(tmp_path: Path) -> None:
    """A lock taken on another machine cannot be checked: refuse and say how to clear it."""
    journal = tmp_path / "p.journal"
    lock = _write_lock(journal, pid=1, host="elsewhere.example", started="2026-01-01T00:00:00.000Z")
    with (
        pytest.raises(JournalError, match=f"on elsewhere.example.*delete {lock}"),
        JournalLock(journal),
    ):
        pass
    assert lock.exists()


def test_an_unreadable_old_lock_is_taken_over(tmp_path: Path) -> None:
    """An empty lock file (a crash between creating and writing it) does not block forever."""
    journal = tmp_path / "p.journal"
    lock = journal.with_name(journal.name + ".lock")
    lock.write_bytes(b"")
    os.utime(lock, (1_000_000_000, 1_000_000_000))
    said: list[str] = []
    with JournalLock(journal, notify=said.append):
        pass
    assert said and "unreadable lock file" in said[0]


def test_the_lock_is_released_on_keyboard_interrupt(tmp_path: Path) -> None:
    """Ctrl-C inside the locked block still removes the lock file."""
    journal = tmp_path / "p.journal"
    lock = JournalLock(journal)
    with pytest.raises(KeyboardInterrupt), lock:
        raise KeyboardInterrupt
    assert not lock.path.exists()
    with JournalLock(journal):
        pass


# ------------------------------------------------------------------------------ links


def test_a_journal_that_is_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    """Regression: a journal symlinked to another file truncated that file's last line."""
    victim = tmp_path / "precious.txt"
    victim.write_bytes(b"line one\nno newline at the end")
    path = tmp_path / "p.plan.json.journal"
    path.symlink_to(victim)
    with pytest.raises(JournalError, match="is a symbolic link"), Journal(path) as journal:
        _header(journal)
    with pytest.raises(JournalError, match="is a symbolic link"):
        read_journal(path)
    assert victim.read_bytes() == b"line one\nno newline at the end"


def test_a_lock_that_is_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    """A lock path that is a link (to a file or nowhere) is refused, never written through."""
    victim = tmp_path / "precious.txt"
    victim.write_bytes(b"keep me")
    journal = tmp_path / "p.journal"
    journal.with_name(journal.name + ".lock").symlink_to(victim)
    with pytest.raises(JournalError, match="is a symbolic link"), JournalLock(journal):
        pass
    assert victim.read_bytes() == b"keep me"
