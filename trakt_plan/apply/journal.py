"""The apply/undo journal: append-only JSON lines, durable record by record, and its lock.

The journal is the write-ahead log of an apply (``PLANFILE.journal``) or an undo
(``PLANFILE.undo.journal``). Each record is one line of JSON with a ``type`` and an ``at``
time, written with a single ``write`` and made durable with ``fsync`` before the caller goes
on, so whatever reached Trakt is always described on disk first::

    header    plan_id, kind ("apply" | "undo"), account{username, api_base}, started,
              total, tool_version (and what the engine adds)
    intent    batch, ids, plays          written *before* the batch is sent
    result    batch, deleted|added, not_found, removed|restored, ...
                                         written once Trakt has answered
    complete  removed, already_gone, failed | restored, already_there, failed

A process killed in the middle of a write leaves a last line without its newline: readers
ignore it, and the next writer cuts it off before appending. Any other damage is an error
naming ``path:line``, never a guess. :func:`read_journal` is pure and read-only; only
:class:`Journal` writes. :class:`JournalLock` keeps a second apply or undo of the same plan
away while one runs. No network here.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Literal, Self

from trakt_plan import __version__
from trakt_plan.errors import JournalError
from trakt_plan.timefmt import format_trakt_time

__all__ = [
    "RECORD_TYPES",
    "BatchIntent",
    "BatchResult",
    "Journal",
    "JournalKind",
    "JournalLock",
    "JournalState",
    "new_header",
    "read_journal",
    "undo_journal_path",
]

JournalKind = Literal["apply", "undo"]
RECORD_TYPES = ("header", "intent", "result", "complete")
# The key of a result record that lists the plays the run holds as done, per kind.
_DONE_KEY: dict[str, str] = {"apply": "removed", "undo": "restored"}


def _now() -> str:
    return format_trakt_time(datetime.now(UTC))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _write_record(fd: int, data: bytes) -> None:
    """Write one record with a single ``write``; a short write is a failed write.

    A module-level function so that crash tests can stop a process halfway through a record.
    """
    written = os.write(fd, data)
    if written < len(data):
        # A short write means the disk (or a file size limit) is full; writing the rest
        # either completes the record or raises the real reason (ENOSPC, EFBIG).
        written += os.write(fd, data[written:])
    if written != len(data):
        raise OSError(errno.EIO, f"only {written} of {len(data)} bytes were written")


def _fsync_dir(directory: Path) -> None:
    """Make a new directory entry durable (the file's own fsync does not cover its name)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some filesystems cannot fsync a directory; the file's data is still durable.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise
    finally:
        os.close(fd)


@dataclass(frozen=True)
class BatchIntent:
    """A batch as announced before it was sent: its history ids and the whole plays."""

    batch: int
    ids: tuple[int, ...]
    plays: tuple[Mapping[str, Any], ...]
    record: Mapping[str, Any]


@dataclass(frozen=True)
class BatchResult:
    """What Trakt answered for a batch.

    ``done`` holds the ids the run counts as its own work (removed by an apply, restored by
    an undo); ``not_found`` the ids Trakt said it did not have.
    """

    batch: int
    done: tuple[int, ...]
    not_found: tuple[int, ...]
    record: Mapping[str, Any]


@dataclass(frozen=True)
class JournalState:
    """Everything a journal says, read without side effects (see :func:`read_journal`)."""

    path: Path
    header: Mapping[str, Any] | None = None
    intents: Mapping[int, BatchIntent] = field(default_factory=lambda: MappingProxyType({}))
    results: Mapping[int, BatchResult] = field(default_factory=lambda: MappingProxyType({}))
    complete: Mapping[str, Any] | None = None
    # A last line cut short by a crash: ignored here, cut off by the next append.
    torn_tail: bool = False

    @property
    def exists(self) -> bool:
        """Whether the journal has a header, i.e. a run got as far as starting."""
        return self.header is not None

    @property
    def plan_id(self) -> str | None:
        return None if self.header is None else str(self.header["plan_id"])

    @property
    def kind(self) -> JournalKind | None:
        if self.header is None:
            return None
        return "undo" if self.header["kind"] == "undo" else "apply"

    @property
    def is_complete(self) -> bool:
        return self.complete is not None

    @property
    def done_batches(self) -> tuple[int, ...]:
        """Batches with a result, in batch order."""
        return tuple(sorted(self.results))

    @property
    def in_flight(self) -> tuple[BatchIntent, ...]:
        """Batches with an intent but no result: sent or not, the run died before the answer."""
        return tuple(self.intents[b] for b in sorted(self.intents) if b not in self.results)

    @property
    def done_ids(self) -> frozenset[int]:
        """History ids the journal holds as done by us (removed, or restored for an undo)."""
        return frozenset(i for result in self.results.values() for i in result.done)

    @property
    def settled_ids(self) -> frozenset[int]:
        """History ids some result accounts for, done or not found: never to be sent again."""
        return frozenset(
            i for result in self.results.values() for i in (*result.done, *result.not_found)
        )

    @property
    def done_plays(self) -> tuple[Mapping[str, Any], ...]:
        """The whole plays whose ids are done, once each, in the order they were journaled.

        For an apply journal these are the plays removed by us: what an undo adds back.
        """
        done = self.done_ids
        seen: set[int] = set()
        plays: list[Mapping[str, Any]] = []
        for batch in sorted(self.intents):
            for play in self.intents[batch].plays:
                history_id = int(play["history_id"])
                if history_id in done and history_id not in seen:
                    seen.add(history_id)
                    plays.append(play)
        return tuple(plays)

    @property
    def removed_plays(self) -> tuple[Mapping[str, Any], ...]:
        """An apply journal's plays removed so far (alias of :attr:`done_plays`)."""
        return self.done_plays

    @property
    def next_batch(self) -> int:
        """The number the next new batch gets (batches count from 1)."""
        return max(self.intents, default=0) + 1


class _Reader:
    """Builds a :class:`JournalState`, checking each record as it comes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header: dict[str, Any] | None = None
        self.intents: dict[int, BatchIntent] = {}
        self.results: dict[int, BatchResult] = {}
        self.complete: dict[str, Any] | None = None

    def fail(self, line: int, problem: str) -> JournalError:
        return JournalError(
            f"{self.path}:{line}: the journal is damaged: {problem}. It records what was already "
            "sent to Trakt, so trakt-plan will not guess; restore the file from a backup, or "
            "move it away only if you are sure this plan was never applied."
        )

    def add(self, record: Any, line: int) -> None:
        if not isinstance(record, dict):
            raise self.fail(line, "a record is not a JSON object")
        record_type = record.get("type")
        if record_type not in RECORD_TYPES:
            raise self.fail(line, f"unknown record type {record_type!r}")
        if self.complete is not None:
            raise self.fail(line, "a record follows the complete record")
        if record_type == "header":
            self._header(record, line)
            return
        if self.header is None:
            raise self.fail(line, f"a {record_type} record comes before the header")
        if record_type == "intent":
            self._intent(record, line)
        elif record_type == "result":
            self._result(record, line)
        else:
            self.complete = record

    def _header(self, record: dict[str, Any], line: int) -> None:
        if self.header is not None:
            raise self.fail(line, "a second header")
        if not isinstance(record.get("plan_id"), str) or record.get("kind") not in _DONE_KEY:
            raise self.fail(line, "the header has no plan_id or no kind (apply or undo)")
        self.header = record

    def _batch(self, record: dict[str, Any], line: int) -> int:
        batch = record.get("batch")
        if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
            raise self.fail(line, f"batch number {batch!r} is not a positive integer")
        return batch

    def _ids(self, record: dict[str, Any], key: str, line: int) -> tuple[int, ...]:
        values = record.get(key, [])
        if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise self.fail(line, f"{key} is not a list of history ids")
        return tuple(values)

    def _intent(self, record: dict[str, Any], line: int) -> None:
        batch = self._batch(record, line)
        if batch in self.intents:
            raise self.fail(line, f"a second intent for batch {batch}")
        ids = self._ids(record, "ids", line)
        plays = record.get("plays")
        if not isinstance(plays, list) or not all(
            isinstance(p, dict) and isinstance(p.get("history_id"), int) for p in plays
        ):
            raise self.fail(line, "plays is not a list of plays with a history_id")
        self.intents[batch] = BatchIntent(
            batch=batch,
            ids=ids,
            plays=tuple(MappingProxyType(p) for p in plays),
            record=MappingProxyType(record),
        )

    def _result(self, record: dict[str, Any], line: int) -> None:
        batch = self._batch(record, line)
        if batch not in self.intents:
            raise self.fail(line, f"a result for batch {batch}, which has no intent")
        if batch in self.results:
            raise self.fail(line, f"a second result for batch {batch}")
        assert self.header is not None
        done_key = _DONE_KEY[self.header["kind"]]
        self.results[batch] = BatchResult(
            batch=batch,
            done=self._ids(record, done_key, line),
            not_found=self._ids(record, "not_found", line),
            record=MappingProxyType(record),
        )

    def state(self, *, torn_tail: bool) -> JournalState:
        return JournalState(
            path=self.path,
            header=None if self.header is None else MappingProxyType(self.header),
            intents=MappingProxyType(self.intents),
            results=MappingProxyType(self.results),
            complete=None if self.complete is None else MappingProxyType(self.complete),
            torn_tail=torn_tail,
        )


def read_journal(path: Path) -> JournalState:
    """Read the journal at ``path``; a missing file reads as an empty journal.

    A last line without its newline (a write cut short by a kill) is ignored. Any other line
    that is not a well-formed record raises :class:`~trakt_plan.errors.JournalError` naming
    ``path:line``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return JournalState(path=path)
    except OSError as exc:
        raise JournalError(f"{path}: cannot read the journal: {_reason(exc)}.") from None
    lines = data.split(b"\n")
    # Whatever follows the last newline never finished being written.
    torn = lines.pop() != b""
    reader = _Reader(path)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise reader.fail(number, f"the line is not JSON ({exc})") from None
        reader.add(record, number)
    return reader.state(torn_tail=torn)


class Journal:
    """The writer of one journal file. Open lazily on the first append; close when done.

    Every :meth:`append` is durable when it returns: the line is written with one ``write``,
    the file is ``fsync``'ed, and a newly created file's directory entry too. Any ``OSError``
    (disk full, read-only filesystem) becomes a :class:`~trakt_plan.errors.JournalError`, and
    the caller must not send anything more.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def read(self) -> JournalState:
        """The journal as it stands on disk (see :func:`read_journal`)."""
        return read_journal(self.path)

    def append(self, record_type: str, /, **fields: Any) -> dict[str, Any]:
        """Append one record of ``record_type`` with ``fields`` and an ``at`` time; return it."""
        if record_type not in RECORD_TYPES:
            raise ValueError(f"unknown journal record type {record_type!r}")
        record: dict[str, Any] = {"type": record_type, "at": _now(), **fields}
        line = json.dumps(
            record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        data = (line + "\n").encode("utf-8")
        try:
            fd = self._open()
            _write_record(fd, data)
            os.fsync(fd)
        except OSError as exc:
            # Reopen next time, so a half-written line is cut off before anything follows it.
            self.close()
            raise JournalError(
                f"cannot write the journal {self.path}: {_reason(exc)}. trakt-plan stopped "
                "before sending anything it could not record first; fix the cause (free disk "
                "space, a writable directory) and run the same command again to resume."
            ) from None
        return record

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        flags = os.O_WRONLY | os.O_APPEND
        try:
            fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            self._cut_torn_tail()
            fd = os.open(self.path, flags)
        else:
            try:
                _fsync_dir(self.path.parent)
            except OSError:
                os.close(fd)
                raise
        self._fd = fd
        return fd

    def _cut_torn_tail(self) -> None:
        """Cut whatever follows the last newline: the remains of a write a kill interrupted."""
        with open(self.path, "r+b") as handle:
            size = handle.seek(0, os.SEEK_END)
            end = size
            chunk = 4096
            keep = 0
            while end > 0:
                start = max(0, end - chunk)
                handle.seek(start)
                block = handle.read(end - start)
                newline = block.rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                end = start
            if keep != size:
                handle.truncate(keep)
                handle.flush()
                os.fsync(handle.fileno())

    def close(self) -> None:
        """Close the file (appending again reopens it)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def undo_journal_path(journal_path: Path) -> Path:
    """The undo journal of an apply journal: ``PLANFILE.journal`` -> ``PLANFILE.undo.journal``."""
    journal_path = Path(journal_path)
    name = journal_path.name
    base = name[: -len(".journal")] if name.endswith(".journal") else name
    return journal_path.with_name(base + ".undo.journal")


# ---------------------------------------------------------------------------- the lock


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (on this host).

    A recycled pid reads as alive: refusing then is the safe mistake, and the message says
    which process to check.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # It exists, under another user.
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    fields = stat.rsplit(")", 1)[-1].split()
    # A zombie has exited; only its parent has not collected it yet.
    return not (fields and fields[0] in ("Z", "X"))


class JournalLock:
    """One apply (or undo) of a plan at a time: the lock file ``JOURNAL.lock``.

    The file is created with ``O_EXCL`` and holds ``{pid, host, started, command}``. A lock
    held by a live process refuses with :class:`~trakt_plan.errors.JournalError`; one left by
    a process that is gone (same host) is taken over and said so through ``notify``; one
    from another host is refused with instructions, since its process cannot be checked from
    here. Use as a context manager: the lock is released on the way out, whatever happens,
    including ``KeyboardInterrupt``.
    """

    def __init__(
        self,
        journal_path: Path,
        *,
        command: str = "apply",
        notify: Callable[[str], None] | None = None,
    ) -> None:
        journal_path = Path(journal_path)
        self.path = journal_path.with_name(journal_path.name + ".lock")
        self.command = command
        self._notify = notify
        self._mine: dict[str, Any] | None = None

    @property
    def held(self) -> bool:
        return self._mine is not None

    def acquire(self) -> None:
        """Take the lock or raise ``JournalError``; nothing is sent before this succeeds."""
        mine = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": _now(),
            "command": self.command,
        }
        data = (json.dumps(mine, sort_keys=True) + "\n").encode("utf-8")
        for _ in range(50):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._clear_stale()
                continue
            except OSError as exc:
                raise JournalError(
                    f"cannot create the lock file {self.path}: {_reason(exc)}. The journal and "
                    "its lock are kept next to the plan file, so that directory must be "
                    "writable; nothing was sent."
                ) from None
            try:
                _write_record(fd, data)
                os.fsync(fd)
            except OSError as exc:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
                raise JournalError(
                    f"cannot write the lock file {self.path}: {_reason(exc)}; nothing was sent."
                ) from None
            os.close(fd)
            self._mine = mine
            return
        raise JournalError(
            f"could not take the lock {self.path}: other processes keep taking it. Check for "
            "other trakt-plan runs on this plan and try again."
        )

    def _read_holder(self) -> tuple[bytes, dict[str, Any] | None] | None:
        """The lock file's bytes and parsed content; ``None`` when it vanished meanwhile."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalError(f"cannot read the lock file {self.path}: {_reason(exc)}.") from None
        try:
            holder = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return raw, None
        if not isinstance(holder, dict) or not isinstance(holder.get("pid"), int):
            return raw, None
        return raw, holder

    def _clear_stale(self) -> None:
        """Judge an existing lock: refuse if it is live, remove it if its process is gone."""
        found = self._read_holder()
        if found is None:
            return
        raw, holder = found
        if holder is None:
            # The holder may be between creating the file and writing it: give it a moment.
            try:
                age = time.time() - self.path.stat().st_mtime
            except FileNotFoundError:
                return
            if age < 2.0:
                time.sleep(0.1)
                return
            message = f"removed an unreadable lock file {self.path} left by a crashed run."
        else:
            pid = int(holder["pid"])
            host = str(holder.get("host", "?"))
            since = str(holder.get("started", "?"))
            command = str(holder.get("command", "apply"))
            if host != socket.gethostname():
                raise JournalError(
                    f"another {command} of this plan may be running: {self.path} is held by "
                    f"pid {pid} on {host} since {since}, another machine, so trakt-plan cannot "
                    f"check it. If that machine is no longer working on this plan, delete "
                    f"{self.path} and run again."
                )
            if _pid_alive(pid):
                raise JournalError(
                    f"another {command} of this plan is running: pid {pid} on {host} since "
                    f"{since}. Wait for it to finish (or stop it), then run again."
                )
            message = (
                f"took over the lock {self.path} from pid {pid} ({command} since {since}), "
                "which is no longer running; resuming from its journal."
            )
        # Move the stale file aside first: a rename is atomic, so two runs cannot both win.
        aside = self.path.with_name(f"{self.path.name}.stale.{os.getpid()}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise JournalError(
                f"cannot remove the stale lock {self.path}: {_reason(exc)}."
            ) from None
        try:
            moved = aside.read_bytes()
        except OSError:
            moved = b""
        if moved != raw:
            # Someone else replaced the stale lock with a live one in between: put it back.
            try:
                os.link(aside, self.path)
            except OSError:
                raise JournalError(
                    f"the lock {self.path} changed hands while being checked; run again."
                ) from None
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(aside)
            return
        with contextlib.suppress(OSError):
            os.unlink(aside)
        if self._notify is not None:
            self._notify(message)

    def release(self) -> None:
        """Remove the lock file if it is still ours."""
        mine, self._mine = self._mine, None
        if mine is None:
            return
        found = None
        with contextlib.suppress(JournalError):
            found = self._read_holder()
        if found is None or found[1] is None:
            return
        holder = found[1]
        if holder.get("pid") == mine["pid"] and holder.get("started") == mine["started"]:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"JournalLock({str(self.path)!r}, held={self.held})"


def new_header(
    *,
    plan_id: str,
    kind: JournalKind,
    username: str,
    api_base: str,
    total: int,
    **extra: Any,
) -> dict[str, Any]:
    """The fields of a header record (pass them to :meth:`Journal.append` with ``"header"``)."""
    return {
        "plan_id": plan_id,
        "kind": kind,
        "account": {"username": username, "api_base": api_base},
        "started": _now(),
        "total": total,
        "tool_version": __version__,
        **extra,
    }
