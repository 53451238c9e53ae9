"""A process that runs applies for the kill -9 tests, so that they can be killed anywhere.

It imports trakt-plan once, says ``ready``, then reads one JSON command per line on stdin.
For each it forks a child that runs ``apply_plan`` against the emulator the test started
(the fork skips the interpreter start-up in every trial) and answers ``started PID``. The
next line is ``kill`` (SIGKILL the child now) or ``wait``; either way the driver then reaps
the child and answers ``exited PID STATUS``. Only the driver signals its children: it has
not reaped them yet, so their pids cannot belong to anyone else. Children report on stdout
too:

    event PID torn      the N-th journal record is half written; the child now waits
    event PID sent      the N-th remove call was answered; its result is not journaled yet
    event PID sending   the N-th intent is journaled; the remove call is not sent yet
    done PID            the apply finished
    error PID TEXT      it failed (the test treats that as a bug)

Commands: ``{"plan", "journal", "base_url", "token", "api_base", "batch_size",
"write_interval", "mode": "run" | "torn" | "hold-after-send" | "hold-before-send", "at"}``.
Start it as ``python -m tests.apply.apply_driver`` from the repository's root, so that
``tests.support`` can be imported.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.support.hooks import Hooked, RemoveHook
from tests.support.sandbox import connect_with_token
from trakt_plan.apply import journal as journal_module
from trakt_plan.apply.engine import apply_plan
from trakt_plan.planfile import read_saved_plan
from trakt_plan.trakt.models import RemoveResult


def say(text: str) -> None:
    # One write per line: parent and children share the pipe.
    os.write(sys.stdout.fileno(), (text + "\n").encode("utf-8"))


def wait_to_be_killed(pid: int, event: str) -> None:
    say(f"event {pid} {event}")
    while True:
        time.sleep(60)


def hold_at(mode: str, at: int) -> RemoveHook:
    """A hook stopping the child around the ``at``-th remove call, for a kill at that point."""

    def hook(
        n: int, ids: Sequence[int], send: Callable[[Sequence[int]], RemoveResult]
    ) -> RemoveResult:
        if mode == "hold-before-send" and n == at:
            wait_to_be_killed(os.getpid(), "sending")
        answer = send(ids)
        if mode == "hold-after-send" and n == at:
            wait_to_be_killed(os.getpid(), "sent")
        return answer

    return hook


def tear_at(at: int) -> None:
    """Make the ``at``-th journal record stop halfway through its write."""
    real_write = journal_module.write_record
    records = 0

    def write(fd: int, data: bytes) -> None:
        nonlocal records
        # The lock file goes through the same function; only journal records count.
        if b'"type":' in data:
            records += 1
            if records == at:
                os.write(fd, data[: max(1, len(data) // 2)])
                wait_to_be_killed(os.getpid(), "torn")
        real_write(fd, data)

    journal_module.write_record = write


def run(command: dict[str, Any]) -> None:
    pid = os.getpid()
    mode = command["mode"]
    if mode == "torn":
        tear_at(int(command["at"]))
    client = connect_with_token(
        command["base_url"], command["token"], write_interval=float(command["write_interval"])
    )
    target: Any = client
    if mode in ("hold-after-send", "hold-before-send"):
        target = Hooked(client, on_remove=hold_at(mode, int(command["at"])))
    apply_plan(
        read_saved_plan(Path(command["plan"])),
        target,
        journal_path=Path(command["journal"]),
        batch_size=int(command["batch_size"]),
        api_base=command["api_base"],
        confirm=lambda preview: True,
    )
    say(f"done {pid}")


def main() -> None:
    say("ready")
    lines = iter(sys.stdin)
    for line in lines:
        command = json.loads(line)
        child = os.fork()
        if child == 0:
            status = 0
            try:
                run(command)
            except BaseException as exc:
                first = "".join(traceback.format_exception_only(exc)).strip().replace("\n", " ")
                say(f"error {os.getpid()} {first}")
                status = 1
            finally:
                os._exit(status)
        say(f"started {child}")
        # The child stays unreaped until the next line, so its pid cannot be reused by then.
        if next(lines, "wait").strip() == "kill":
            os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        say(f"exited {child} {status}")


if __name__ == "__main__":
    main()
