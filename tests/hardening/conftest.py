"""Shared setup for the hardening suites: the fuzzer, emulators, and trakt-plan as a real process.

``launch_cli.py`` runs as a script, and the benchmark loads it and ``fuzzing.py`` by path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.hardening import fuzzing as fuzzing_module
from tests.support import REPO
from tests.support.sandbox import account_env, issue_token, sandboxes
from trakt_plan.sandbox import SandboxServer, SandboxState, demo_state

LAUNCHER = Path(__file__).resolve().with_name("launch_cli.py")

# A Jellyfin-style bulk mark added to the demo account: N episodes of Agents of
# S.H.I.E.L.D. stamped in one second, all removed by BULK_YAML and nothing else is.
BULK_AT = "2025-11-21T03:00:00.000Z"
BULK_YAML = """\
version: 1
description: the bulk mark of 21 November
rules:
  - name: bulk
    show: 1394
    drop:
      watched_from: 2025-11-21
      same_timestamp: 10
"""


@pytest.fixture(scope="session")
def fuzzing() -> ModuleType:
    """The plan-loader fuzzer (``tests/hardening/fuzzing.py``)."""
    return fuzzing_module


def bulk_state(count: int) -> SandboxState:
    """The demo account plus a bulk mark of ``count`` plays (at most 136) in one second."""
    episodes = [
        139_400_000 + season * 100 + number
        for season, size in ((1, 22), (2, 22), (3, 22), (4, 22), (5, 22), (6, 13), (7, 13))
        for number in range(1, size + 1)
    ]
    assert count <= len(episodes)
    state = demo_state()
    state.add_plays(
        state.default_user,
        [
            {"type": "episode", "trakt_id": episode, "watched_at": BULK_AT, "action": "watch"}
            for episode in episodes[:count]
        ],
    )
    return state


@pytest.fixture
def make_bulk_state() -> Callable[[int], SandboxState]:
    """``make_bulk_state(n)``: the demo account plus a bulk mark of n plays (see BULK_YAML)."""
    return bulk_state


@pytest.fixture(scope="session")
def bulk_yaml() -> str:
    """A plan removing exactly the bulk mark of ``make_bulk_state``."""
    return BULK_YAML


@dataclass
class Emulator:
    """One emulator on 127.0.0.1 and the environment that points trakt-plan at it."""

    server: SandboxServer
    token: str
    config_dir: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The variables a script sets to run trakt-plan against this emulator."""
        return account_env(
            self.server, self.token, TRAKT_PLAN_CONFIG_DIR=str(self.config_dir), **extra
        )

    def ids(self) -> set[int]:
        """The history ids of the account now."""
        state = self.server.state
        # The emulator's own index: building 100,000 plays as JSON would take a second.
        with state.lock:
            return set(state.user().by_id)

    def remove_calls(self) -> int:
        """``POST /sync/history/remove`` requests that reached the emulator (any answer)."""
        return sum(
            1
            for method, target, _ in self.server.stats.log
            if method == "POST" and target.split("?")[0] == "/sync/history/remove"
        )


@pytest.fixture
def start_emulator(isolated_config: Path) -> Iterator[Callable[..., Emulator]]:
    """``start_emulator(state, **knobs)``: an emulator on loopback, stopped after the test."""
    with sandboxes() as started:

        def start(state: SandboxState | None = None, **knobs: Any) -> Emulator:
            server = started.start(state, **knobs)
            return Emulator(server=server, token=issue_token(server), config_dir=isolated_config)

        yield start


@dataclass
class Finished:
    """How a trakt-plan process ended.

    ``peak_rss_mb`` is its own peak resident memory (``VmHWM``), known for processes
    started through the launcher; ``None`` otherwise.
    """

    exit_code: int
    stdout: str
    stderr: str
    peak_rss_mb: float | None
    wall: float


def peak_rss_mb(pid: int) -> float | None:
    """A live process's peak resident memory so far, from ``/proc`` (None once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


@dataclass
class Child:
    """trakt-plan running in the background, its output going to files (see ``wait``)."""

    process: subprocess.Popen[bytes]
    out: Path
    err: Path
    peak_file: Path
    started: float
    finished: Finished | None = field(default=None)
    # The last peak read from /proc while it ran (for a process that dies by SIGKILL).
    sampled_peak: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, signum: int) -> None:
        """Signal the process (it is ours and not reaped yet, so the pid is still its own).

        Its peak memory so far is sampled first: a process killed outright cannot say.
        """
        if self.finished is None:
            self.sampled_peak = peak_rss_mb(self.pid)
            os.kill(self.pid, signum)

    def delivered(self, signum: int) -> bool:
        """Whether no ``signum`` waits to reach the process any more (or it has ended).

        A signal sent while the same one is still pending merges into it; the kernel's
        pending sets in ``/proc`` tell when a second one would be counted on its own.
        """
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        except OSError:
            return True
        bit = 1 << (signum - 1)
        masks = [
            int(line.split()[1], 16)
            for line in status.splitlines()
            if line.startswith(("SigPnd:", "ShdPnd:"))
        ]
        return not any(mask & bit for mask in masks)

    def running(self) -> bool:
        """Whether it is still running (reaps it if it has just ended)."""
        return self.finished is None and not self._reap(os.WNOHANG)

    def wait(self, timeout: float = 60.0) -> Finished:
        """Wait for the end (SIGKILL and fail after ``timeout``); exit code, output, memory."""
        deadline = time.monotonic() + timeout
        while self.finished is None:
            if self._reap(os.WNOHANG):
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                self._reap(0)
                raise AssertionError(f"trakt-plan did not finish in {timeout} s")
            time.sleep(0.01)
        assert self.finished is not None
        return self.finished

    def _reap(self, options: int) -> bool:
        # Not Popen.wait(): the exit status is taken here, with Popen told about it.
        pid, status = os.waitpid(self.pid, options)
        if pid == 0:
            return False
        self.process.returncode = os.waitstatus_to_exitcode(status)
        reported = (
            int(self.peak_file.read_text(encoding="ascii")) / 1024
            if self.peak_file.exists()
            else None
        )
        self.finished = Finished(
            exit_code=self.process.returncode,
            stdout=self.out.read_text(encoding="utf-8", errors="replace"),
            stderr=self.err.read_text(encoding="utf-8", errors="replace"),
            peak_rss_mb=reported if reported is not None else self.sampled_peak,
            wall=time.monotonic() - self.started,
        )
        return True


def spawn(
    args: list[str],
    env: dict[str, str],
    workdir: Path,
    *,
    launcher: bool = False,
    knobs: dict[str, str] | None = None,
) -> Child:
    """Start ``trakt-plan ARGS`` (``python -m trakt_plan``, or the test launcher with knobs).

    The child gets SIGINT's default action even when the test run itself ignores it (a
    background job), so that a test's Ctrl-C reaches it as a user's would.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = time.monotonic_ns()
    out, err = workdir / f"stdout-{stamp}.txt", workdir / f"stderr-{stamp}.txt"
    peak_file = workdir / f"peak-{stamp}.txt"
    if launcher:
        env = {**env, "HARDENING_PEAK_FILE": str(peak_file)}
    command = [sys.executable, str(LAUNCHER)] if launcher else [sys.executable, "-m", "trakt_plan"]
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        # exec resets a handled signal to its default action; an ignored one stays ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [*command, *args],
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env, **(knobs or {})},
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                cwd=REPO,
            )
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    return Child(process=process, out=out, err=err, peak_file=peak_file, started=time.monotonic())


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[Callable[..., Child]]:
    """``run_cli(args, env, launcher=False, knobs=None)``: trakt-plan started in the background.

    Any process a test leaves running is killed and reaped afterwards.
    """
    children: list[Child] = []

    def start(
        args: list[str],
        env: dict[str, str],
        *,
        launcher: bool = False,
        knobs: dict[str, str] | None = None,
    ) -> Child:
        child = spawn(args, env, tmp_path / "processes", launcher=launcher, knobs=knobs)
        children.append(child)
        return child

    yield start
    for child in children:
        if child.running():
            child.send(signal.SIGKILL)
            child.wait()


def read_records(journal: Path) -> list[dict[str, Any]]:
    """The complete records of a journal (a torn last line is left out), in order."""
    if not journal.exists():
        return []
    records = []
    for line in journal.read_bytes().split(b"\n")[:-1]:
        records.append(json.loads(line))
    return records


@pytest.fixture(scope="session")
def journal_records() -> Callable[[Path], list[dict[str, Any]]]:
    """``journal_records(path)``: the journal's complete records, in order."""
    return read_records


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``check`` every 5 ms until it holds; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


@pytest.fixture(scope="session")
def poll() -> Callable[..., None]:
    """``poll(check, timeout=..., what=...)``: wait until ``check()`` is true."""
    return wait_until
