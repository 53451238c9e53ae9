"""Kill -9 at random points of an apply, then resume: the account always ends exactly right."""

from __future__ import annotations

import json
import queue
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO
from tests.support.sandbox import connect_with_token, issue_token, sandboxes
from trakt_plan.apply.engine import apply_plan, journal_path_for
from trakt_plan.apply.journal import read_journal
from trakt_plan.apply.undo import undo_plan
from trakt_plan.planfile import SavedPlan, write_saved_plan
from trakt_plan.sandbox import Knobs, SandboxServer, demo_state

API_LABEL = "kill-trials"
BATCH = 5
WRITE_INTERVAL = 0.006
LATENCY = 0.005
# 63 plays in batches of 5: a header, 13 intents, 13 results and the complete record.
RECORDS = 28
BATCHES = 13


class Driver:
    """The forking driver process and the lines it prints."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.apply.apply_driver"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.expect("ready")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def expect(self, prefix: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if line.startswith("error "):
                raise AssertionError(f"the driver's apply failed: {line}")
            if line.startswith(prefix):
                return line

    def start(self, command: dict[str, Any]) -> int:
        self._tell(json.dumps(command))
        return int(self.expect("started ").split()[1])

    def _tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def kill(self, pid: int) -> None:
        """Have the driver SIGKILL its child (even one that just finished), then reap it."""
        self._tell("kill")
        self.expect(f"exited {pid} ")

    def wait(self, pid: int) -> str:
        """Let the child finish; its exit line."""
        self._tell("wait")
        return self.expect(f"exited {pid} ")

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def driver() -> Iterator[Driver]:
    """One driver for all the trials of this module."""
    process = Driver()
    yield process
    process.close()


@pytest.fixture(scope="module")
def early_plan(plan_maker: Callable[..., SavedPlan], early_yaml: str) -> SavedPlan:
    """The 63-play plan of the demo account, made once (every trial starts from demo data)."""
    with sandboxes() as started:
        server = started.start()
        with connect_with_token(server.base_url, issue_token(server)) as client:
            saved = plan_maker(client, early_yaml, api_base=API_LABEL)
    assert len(saved.deletions) == 63
    return saved


class Trial:
    """A fresh emulator with the demo account, the plan saved in its own directory."""

    def __init__(self, directory: Path, saved: SavedPlan) -> None:
        directory.mkdir()
        self.server = SandboxServer(
            demo_state(), knobs=Knobs(write_interval=WRITE_INTERVAL / 2, latency=LATENCY)
        ).start()
        self.token = issue_token(self.server)
        self.plan_path = directory / "early.plan.json"
        write_saved_plan(self.plan_path, saved)
        self.journal = journal_path_for(self.plan_path)
        self.saved = saved
        self.client = connect_with_token(
            self.server.base_url, self.token, write_interval=WRITE_INTERVAL
        )

    def command(self, mode: str, at: int = 0) -> dict[str, Any]:
        return {
            "plan": str(self.plan_path),
            "journal": str(self.journal),
            "base_url": self.server.base_url,
            "token": self.token,
            "api_base": API_LABEL,
            "batch_size": BATCH,
            "write_interval": WRITE_INTERVAL,
            "mode": mode,
            "at": at,
        }

    def resume(self) -> Any:
        return apply_plan(
            self.saved,
            self.client,
            journal_path=self.journal,
            batch_size=BATCH,
            api_base=API_LABEL,
            confirm=lambda preview: True,
        )

    def history(self) -> list[dict[str, Any]]:
        return self.server.state.history()

    def close(self) -> None:
        self.client.close()
        self.server.stop()


def _keys(history: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    keys = []
    for play in history:
        media = play["episode"] if play["type"] == "episode" else play["movie"]
        keys.append((play["type"], int(media["ids"]["trakt"]), play["watched_at"]))
    return sorted(keys)


def _trials(count: int, seed: int) -> list[tuple[str, int, float]]:
    """(mode, at, delay) for each trial: every kind of kill point, drawn from one seed."""
    rng = random.Random(seed)
    kinds = ["run", "torn", "hold-after-send", "hold-before-send"]
    plan = []
    for index in range(count):
        mode = kinds[index % len(kinds)]
        at = rng.randint(1, RECORDS) if mode == "torn" else rng.randint(1, BATCHES)
        plan.append((mode, at, rng.uniform(0.0, 0.45)))
    return plan


def test_kill_9_anywhere_then_resume_ends_like_an_uninterrupted_apply(
    driver: Driver, tmp_path: Path, early_plan: SavedPlan
) -> None:
    """24 applies killed with SIGKILL (random times, torn journal lines, requests in flight)."""
    baseline = Trial(tmp_path / "baseline", early_plan)
    try:
        original = baseline.history()
        pid = driver.start(baseline.command("run"))
        assert driver.wait(pid) == f"exited {pid} 0"
        expected = baseline.history()
        planned = {d.history_id for d in early_plan.deletions}
        assert expected == [p for p in original if p["id"] not in planned]
    finally:
        baseline.close()

    outcomes: list[str] = []
    for number, (mode, at, delay) in enumerate(_trials(24, seed=20261126)):
        trial = Trial(tmp_path / f"trial-{number}", early_plan)
        try:
            pid = driver.start(trial.command(mode, at))
            if mode == "run":
                time.sleep(delay)
            else:
                driver.expect(f"event {pid} ")
            driver.kill(pid)
            state = read_journal(trial.journal)
            outcomes.append(
                f"{mode}@{at}: {len(state.results)} done, {len(state.in_flight)} in flight"
                + (", torn tail" if state.torn_tail else "")
            )

            report = trial.resume()

            assert trial.history() == expected, outcomes[-1]
            assert (report.removed, report.already_gone) == (63, 0), outcomes[-1]
            assert not trial.journal.with_name(trial.journal.name + ".lock").exists()
            if number % 8 == 7:
                undo_plan(trial.journal, trial.client, batch_size=20, confirm=lambda n: n == 63)
                assert _keys(trial.history()) == _keys(original)
        finally:
            trial.close()
    # The kill points really were hit: requests in flight, and journal lines cut in half.
    assert len([o for o in outcomes if "1 in flight" in o]) >= 12, outcomes
    assert all(o.endswith("torn tail") for o in outcomes if o.startswith("torn")), outcomes
