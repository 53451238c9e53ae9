"""Section ``kills``: kill -9 at points spread over an apply, then resume."""

from __future__ import annotations

import random
import time
from pathlib import Path

from common import Figure, cli_env
from hardening import (
    FAST_WRITES,
    Cli,
    bulk_state,
    history_ids,
    journal_records,
    plan_bulk,
    wait_for_records,
)

from trakt_plan.sandbox import Knobs, SandboxServer

KILL_TRIALS = 12


def bench_kills(work: Path) -> list[Figure]:
    """kill -9 an apply at points spread from start-up to the last batch, then resume."""
    rng = random.Random(5)
    exact = 0
    # 22 records in all: a header, 10 intents, 10 results and the complete record. Trial i
    # kills once the journal holds about i * 20 / (N - 1) of them (0: still starting up).
    kill_points = [round(trial * 20 / (KILL_TRIALS - 1)) for trial in range(KILL_TRIALS)]
    points: list[str] = []
    started = time.perf_counter()
    for trial in range(KILL_TRIALS):
        with SandboxServer(bulk_state(100), knobs=Knobs(write_interval=FAST_WRITES / 2)) as server:
            env = cli_env(server, work / f"config-kill-{trial}")
            directory = work / f"kill-{trial}"
            saved, planned = plan_bulk(server, env, directory)
            before = history_ids(server)
            journal = saved.with_name(saved.name + ".journal")
            args = ["apply", str(saved), "--yes", "--batch-size", "10"]
            at = kill_points[trial]
            apply = Cli(args, env, directory)
            if at == 0:
                time.sleep(rng.uniform(0.2, 0.8))
            else:
                wait_for_records(journal, at)
            apply.kill()
            apply.wait()
            points.append(str(len(journal_records(journal))))
            resumed = Cli(args, env, directory).wait()
            complete = journal_records(journal)[-1]
            if (
                resumed.exit_code == 0
                and history_ids(server) == before - planned
                and complete.get("removed") == len(planned)
            ):
                exact += 1
    wall = time.perf_counter() - started
    return [
        Figure(
            "kills: kill -9 during apply, then resume",
            f"{exact}/{KILL_TRIALS} exact",
            f"{KILL_TRIALS}/{KILL_TRIALS}",
            "an uninterrupted apply's end state; records in the journal after each kill: "
            + ", ".join(points)
            + f" ({wall:.0f} s)",
            exact == KILL_TRIALS,
        )
    ]
