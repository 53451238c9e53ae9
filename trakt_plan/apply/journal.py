"""The apply/undo journal: append-only JSON lines, durable record by record.

The journal is the write-ahead log of an apply (``PLANFILE.journal``) or an undo
(``PLANFILE.undo.journal``). Each record (:mod:`~trakt_plan.apply.records`) is one line of
JSON, written with a single ``write`` and made durable with ``fsync`` before the caller goes
on, so whatever reached Trakt is always described on disk first.

A process killed in the middle of a write leaves a last line without its newline: readers
ignore it, and the next writer cuts it off before appending. Any other damage is an error
naming ``path:line``, never a guess. :func:`read_journal` is pure and read-only; only
:class:`Journal` writes. The lock that keeps a second run away is
:mod:`~trakt_plan.apply.lock`. No network here.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Self, TypeVar

from pydantic import ValidationError

from trakt_plan.apply.records import (
    Complete,
    Header,
    Intent,
    JournalKind,
    Result,
    parse_record,
)
from trakt_plan.errors import JournalError
from trakt_plan.planfile import PlannedDeletion

__all__ = [
    "Journal",
    "JournalState",
    "journal_path_for",
    "open_nofollow",
    "os_reason",
    "read_journal",
    "read_nofollow",
    "undo_journal_path",
    "write_record",
]

Record = Header | Intent | Result | Complete
_R = TypeVar("_R", Header, Intent, Result, Complete)


def os_reason(exc: OSError) -> str:
    """An ``OSError`` as people read it: ``No space left on device``."""
    return exc.strerror or str(exc)


def open_nofollow(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` that refuses a symbolic link at ``path`` instead of following it.

    A journal or lock reached through a link could truncate or overwrite whatever the link
    points to, so a link is an error (``ELOOP`` becomes a :class:`JournalError`).
    """
    try:
        return os.open(path, flags | os.O_NOFOLLOW, mode)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise JournalError(
            f"{path} is a symbolic link; trakt-plan reads and writes journals and locks only "
            "as regular files, never through a link (it could overwrite what the link points "
            "to). Nothing was sent; replace the link with the file itself and run again."
        ) from None


def read_nofollow(path: Path) -> bytes:
    """The bytes of the file at ``path``, refusing a symbolic link (see :func:`open_nofollow`)."""
    fd = open_nofollow(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def write_record(fd: int, data: bytes) -> None:
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
class JournalState:
    """Everything a journal says, read without side effects (see :func:`read_journal`)."""

    path: Path
    header: Header | None = None
    intents: MappingProxyType[int, Intent] = field(default_factory=lambda: MappingProxyType({}))
    results: MappingProxyType[int, Result] = field(default_factory=lambda: MappingProxyType({}))
    complete: Complete | None = None
    # A last line cut short by a crash: ignored here, cut off by the next append.
    torn_tail: bool = False
    # The line each batch's intent is on, for messages that point at it.
    intent_lines: MappingProxyType[int, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def exists(self) -> bool:
        """Whether the journal has a header, i.e. a run got as far as starting."""
        return self.header is not None

    @property
    def plan_id(self) -> str | None:
        return None if self.header is None else self.header.plan_id

    @property
    def kind(self) -> JournalKind | None:
        return None if self.header is None else self.header.kind

    @property
    def is_complete(self) -> bool:
        return self.complete is not None

    @property
    def done_batches(self) -> tuple[int, ...]:
        """Batches with a result, in batch order."""
        return tuple(sorted(self.results))

    @property
    def in_flight(self) -> tuple[Intent, ...]:
        """Batches with an intent but no result: sent or not, the run died before the answer."""
        return tuple(self.intents[b] for b in sorted(self.intents) if b not in self.results)

    @property
    def done_ids(self) -> frozenset[int]:
        """History ids the journal holds as done by us (removed, or restored for an undo)."""
        kind = self.kind or "apply"
        return frozenset(i for result in self.results.values() for i in result.done(kind))

    @property
    def settled_ids(self) -> frozenset[int]:
        """History ids some result accounts for, done or not found: never to be sent again."""
        kind = self.kind or "apply"
        return frozenset(
            i for result in self.results.values() for i in (*result.done(kind), *result.not_found)
        )

    @property
    def removed_plays(self) -> tuple[PlannedDeletion, ...]:
        """An apply journal's plays removed by us, once each, in journal order: what undo adds."""
        done = self.done_ids
        seen: set[int] = set()
        plays: list[PlannedDeletion] = []
        for batch in sorted(self.intents):
            for play in self.intents[batch].plays:
                if not isinstance(play, PlannedDeletion) or play.history_id in seen:
                    continue
                if play.history_id in done:
                    seen.add(play.history_id)
                    plays.append(play)
        return tuple(plays)

    @property
    def next_batch(self) -> int:
        """The number the next new batch gets (batches count from 1)."""
        return max(self.intents, default=0) + 1


class _Reader:
    """Builds a :class:`JournalState`, checking each record's place as it comes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header: Header | None = None
        self.intents: dict[int, Intent] = {}
        self.lines: dict[int, int] = {}
        self.results: dict[int, Result] = {}
        self.complete: Complete | None = None

    def fail(self, line: int, problem: str) -> JournalError:
        return JournalError(
            f"{self.path}:{line}: the journal is damaged: {problem}. It records what was already "
            "sent to Trakt, so trakt-plan will not guess; restore the file from a backup, or "
            "move it away only if you are sure this plan was never applied."
        )

    def add(self, data: object, line: int) -> None:
        try:
            record = parse_record(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the record"
            raise self.fail(line, f"{first['msg']} at {where}") from None
        if self.complete is not None:
            raise self.fail(line, "a record follows the complete record")
        if isinstance(record, Header):
            if self.header is not None:
                raise self.fail(line, "a second header")
            self.header = record
            return
        if self.header is None:
            raise self.fail(line, f"a {record.type} record comes before the header")
        if isinstance(record, Intent):
            if record.batch in self.intents:
                raise self.fail(line, f"a second intent for batch {record.batch}")
            self.intents[record.batch] = record
            self.lines[record.batch] = line
        elif isinstance(record, Result):
            if record.batch not in self.intents:
                raise self.fail(line, f"a result for batch {record.batch}, which has no intent")
            if record.batch in self.results:
                raise self.fail(line, f"a second result for batch {record.batch}")
            self.results[record.batch] = record
        else:
            self.complete = record

    def state(self, *, torn_tail: bool) -> JournalState:
        return JournalState(
            path=self.path,
            header=self.header,
            intents=MappingProxyType(self.intents),
            results=MappingProxyType(self.results),
            complete=self.complete,
            torn_tail=torn_tail,
            intent_lines=MappingProxyType(self.lines),
        )


def read_journal(path: Path) -> JournalState:
    """Read the journal at ``path``; a missing file reads as an empty journal.

    A last line without its newline (a write cut short by a kill) is ignored. Any other line
    that is not a well-formed record raises :class:`~trakt_plan.errors.JournalError` naming
    ``path:line``.
    """
    path = Path(path)
    try:
        data = read_nofollow(path)
    except FileNotFoundError:
        return JournalState(path=path)
    except OSError as exc:
        raise JournalError(f"{path}: cannot read the journal: {os_reason(exc)}.") from None
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

    def append(self, record: _R) -> _R:
        """Append ``record`` as one durable line; return it."""
        line = json.dumps(
            record.model_dump(mode="json"),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        data = (line + "\n").encode("utf-8")
        try:
            fd = self._open()
            write_record(fd, data)
            os.fsync(fd)
        except OSError as exc:
            # Reopen next time, so a half-written line is cut off before anything follows it.
            self.close()
            raise JournalError(
                f"cannot write the journal {self.path}: {os_reason(exc)}. trakt-plan stopped "
                "before sending anything it could not record first; fix the cause (free disk "
                "space, a writable directory) and run the same command again to resume."
            ) from None
        return record

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        flags = os.O_WRONLY | os.O_APPEND
        try:
            fd = open_nofollow(self.path, flags | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            self._cut_torn_tail()
            fd = open_nofollow(self.path, flags)
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
        with os.fdopen(open_nofollow(self.path, os.O_RDWR), "r+b") as handle:
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

    def __exit__(self, *exc: object) -> None:
        self.close()


def journal_path_for(plan_path: Path) -> Path:
    """The journal of a saved plan: ``PLANFILE.journal`` beside it."""
    plan_path = Path(plan_path)
    return plan_path.with_name(plan_path.name + ".journal")


def undo_journal_path(journal_path: Path) -> Path:
    """The undo journal of an apply journal: ``PLANFILE.journal`` -> ``PLANFILE.undo.journal``."""
    journal_path = Path(journal_path)
    name = journal_path.name
    base = name[: -len(".journal")] if name.endswith(".journal") else name
    return journal_path.with_name(base + ".undo.journal")
