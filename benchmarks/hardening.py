"""What the hardening sections (fuzz, faults, kills, scale) share.

They drive the CLI through tests/hardening/launch_cli.py, which scales the client's
one-write-a-second pace down (the emulator's limit is scaled down to match) and reports each
process's own peak memory, and they read the journal an apply writes as it goes.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from common import ROOT

from trakt_plan.sandbox import SandboxServer, SandboxState, demo_state

HARDENING = ROOT / "tests" / "hardening"


def load_hardening(name: str) -> ModuleType:
    """A helper module of tests/hardening (not a package), loaded by path."""
    module_name = f"trakt_plan_hardening_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, HARDENING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


# The client's pace between writes in the hardening sections; the emulator allows twice that.
FAST_WRITES = 0.01


@dataclass
class Ended:
    exit_code: int
    stderr: str
    wall: float
    peak_mb: float | None


class Cli:
    """trakt-plan in a background process through the hardening launcher."""

    def __init__(self, args: list[str], env: dict[str, str], work: Path) -> None:
        work.mkdir(parents=True, exist_ok=True)
        stamp = time.monotonic_ns()
        self.err_path = work / f"stderr-{stamp}.txt"
        self.peak_path = work / f"peak-{stamp}.txt"
        self.sampled: float | None = None
        self.started = time.perf_counter()
        with self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(HARDENING / "launch_cli.py"), *args],
                env={
                    **env,
                    "HARDENING_WRITE_INTERVAL": str(FAST_WRITES),
                    "HARDENING_PEAK_FILE": str(self.peak_path),
                },
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                cwd=ROOT,
            )

    def kill(self) -> None:
        """SIGKILL it, noting its peak memory first (a killed process cannot report it)."""
        launcher = load_hardening("launch_cli")
        try:
            self.sampled = launcher.peak_rss_kib(self.process.pid) / 1024
        except (OSError, RuntimeError):
            self.sampled = None
        self.process.send_signal(signal.SIGKILL)

    def wait(self, timeout: float = 300) -> Ended:
        code = self.process.wait(timeout=timeout)
        peak = int(self.peak_path.read_text()) / 1024 if self.peak_path.exists() else self.sampled
        return Ended(
            code,
            self.err_path.read_text(errors="replace"),
            time.perf_counter() - self.started,
            peak,
        )


def history_ids(server: SandboxServer) -> set[int]:
    with server.state.lock:
        return set(server.state.user().by_id)


def journal_records(journal: Path) -> list[dict[str, Any]]:
    """The complete records of a journal (a torn last line is left out)."""
    if not journal.exists():
        return []
    return [json.loads(line) for line in journal.read_bytes().split(b"\n")[:-1]]


def wait_for_records(journal: Path, count: int, *, kind: str | None = None) -> None:
    """Poll until the journal holds ``count`` records (of ``kind``, if given)."""
    deadline = time.monotonic() + 120
    while sum(kind in (None, r["type"]) for r in journal_records(journal)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark timed out waiting for {count} records in {journal}")
        time.sleep(0.005)


def bulk_state(plays: int) -> SandboxState:
    """The demo account plus ``plays`` plays of Agents of S.H.I.E.L.D. stamped in one second."""
    episodes = [
        139_400_000 + season * 100 + number
        for season, size in ((1, 22), (2, 22), (3, 22), (4, 22), (5, 22), (6, 13), (7, 13))
        for number in range(1, size + 1)
    ]
    state = demo_state()
    state.add_plays(
        state.default_user,
        [
            {
                "type": "episode",
                "trakt_id": episodes[index % len(episodes)],
                "watched_at": "2025-11-21T03:00:00.000Z",
                "action": "watch",
            }
            for index in range(plays)
        ],
    )
    return state


BULK_YAML = """\
version: 1
rules:
  - name: bulk
    show: 1394
    drop:
      watched_from: 2025-11-21
      same_timestamp: 10
"""


def plan_bulk(server: SandboxServer, env: dict[str, str], work: Path) -> tuple[Path, set[int]]:
    """`trakt-plan plan -o` of BULK_YAML; the saved plan and its history ids."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "bulk.yaml"
    source.write_text(BULK_YAML)
    saved = work / "bulk.plan.json"
    ended = Cli(["plan", str(source), "-o", str(saved)], env, work).wait()
    if ended.exit_code != 0:
        raise SystemExit(f"trakt-plan plan failed:\n{ended.stderr}")
    return saved, {int(d["history_id"]) for d in json.loads(saved.read_text())["deletions"]}
