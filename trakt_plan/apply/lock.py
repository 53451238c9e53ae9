"""One apply (or undo) of a plan at a time: the lock file ``JOURNAL.lock`` beside the journal.

The file is created with ``O_EXCL`` and holds ``{pid, host, started, command}``. A lock held
by a live process refuses; one left by a process that is gone (same host) is taken over and
said so; one from another host is refused with instructions, since its process cannot be
checked from here. No network here.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from trakt_plan.apply.journal import open_nofollow, os_reason, read_nofollow, write_record
from trakt_plan.apply.records import now_text
from trakt_plan.errors import JournalError

__all__ = ["JournalLock"]


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
            "started": now_text(),
            "command": self.command,
        }
        data = (json.dumps(mine, sort_keys=True) + "\n").encode("utf-8")
        for _ in range(50):
            try:
                fd = open_nofollow(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                self._clear_stale()
                continue
            except OSError as exc:
                raise JournalError(
                    f"cannot create the lock file {self.path}: {os_reason(exc)}. The journal and "
                    "its lock are kept next to the plan file, so that directory must be "
                    "writable; nothing was sent."
                ) from None
            try:
                write_record(fd, data)
                os.fsync(fd)
            except OSError as exc:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
                raise JournalError(
                    f"cannot write the lock file {self.path}: {os_reason(exc)}; nothing was sent."
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
            raw = read_nofollow(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalError(
                f"cannot read the lock file {self.path}: {os_reason(exc)}."
            ) from None
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
        if self._remove_if_unchanged(raw) and self._notify is not None:
            self._notify(message)

    def _remove_if_unchanged(self, raw: bytes) -> bool:
        """Remove the lock file if it still holds ``raw``; whether it was removed."""
        # Move the stale file aside first: a rename is atomic, so two runs cannot both win.
        aside = self.path.with_name(f"{self.path.name}.stale.{os.getpid()}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise JournalError(
                f"cannot remove the stale lock {self.path}: {os_reason(exc)}."
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
            return False
        with contextlib.suppress(OSError):
            os.unlink(aside)
        return True

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

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"JournalLock({str(self.path)!r}, held={self.held})"
