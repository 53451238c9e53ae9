"""Run the real ``trakt-plan`` command line with two test-only knobs, set by environment.

``HARDENING_WRITE_INTERVAL``
    Seconds between two writes of the Trakt client (default: the client's own, one
    second). Trakt allows one write a second, and the CLI has no flag to change that on
    purpose; tests and benchmarks against the emulator scale it down, like the
    emulator's own ``write_interval``, so that thousands of deletions take seconds.

``HARDENING_FILE_SIZE_LIMIT``
    ``RLIMIT_FSIZE`` in bytes: no file this process writes may grow past it, the way a
    full disk stops a file from growing (a write that crosses the limit is cut short,
    the next one fails). CPython ignores ``SIGXFSZ``, so the failure reaches the code
    as an ``OSError``. Pipes are not files: stdout and stderr are unaffected.

``HARDENING_PEAK_FILE``
    At exit, write the process's peak resident memory (``VmHWM``, in KiB) to this file.
    ``getrusage`` cannot tell it: a child's ``ru_maxrss`` starts from its parent's
    footprint at fork time, and a test process holding a 100,000-play emulator is large.

Everything else is ``python -m trakt_plan``: the same entry point, options and exit codes.
"""

from __future__ import annotations

import atexit
import os
import resource
from pathlib import Path
from typing import Any

from trakt_plan.cli import main
from trakt_plan.trakt import client as client_module


def _scale_write_pacing(interval: float) -> None:
    original = client_module.TraktClient.__init__

    def scaled(self: client_module.TraktClient, *args: Any, **kwargs: Any) -> None:
        # open_client() never passes write_interval, so the default is what the CLI uses.
        kwargs.setdefault("write_interval", interval)
        original(self, *args, **kwargs)

    client_module.TraktClient.__init__ = scaled  # type: ignore[method-assign]


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def peak_rss_kib(pid: int | str = "self") -> int:
    """``VmHWM`` of a process: its own peak resident memory since it started this program."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


def _report_peak(path: Path) -> None:
    path.write_text(f"{peak_rss_kib()}\n", encoding="ascii")


if __name__ == "__main__":
    if "HARDENING_PEAK_FILE" in os.environ:
        atexit.register(_report_peak, Path(os.environ["HARDENING_PEAK_FILE"]))
    if "HARDENING_WRITE_INTERVAL" in os.environ:
        _scale_write_pacing(float(os.environ["HARDENING_WRITE_INTERVAL"]))
    if "HARDENING_FILE_SIZE_LIMIT" in os.environ:
        _limit_file_size(int(os.environ["HARDENING_FILE_SIZE_LIMIT"]))
    main()
