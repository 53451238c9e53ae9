"""Section ``faults``: an apply through injected errors, dropped answers and 429 storms."""

from __future__ import annotations

import time
from pathlib import Path

from common import Figure, cli_env
from hardening import FAST_WRITES, Cli, bulk_state, history_ids, plan_bulk

from trakt_plan.sandbox import Knobs, SandboxServer


def bench_faults(work: Path) -> list[Figure]:
    """~500 deletions while 20% of calls fail, 20% of answers are dropped, 20% are 429s."""
    state = bulk_state(500)
    knobs = Knobs(write_interval=FAST_WRITES / 2, storm_retry_after=0.05, seed=11)
    with SandboxServer(state, knobs=knobs) as server:
        env = cli_env(server, work / "config-faults")
        saved, planned = plan_bulk(server, env, work / "faults")
        before = history_ids(server)
        server.stats.reset()
        knobs.error_rate = knobs.drop_rate = knobs.storm_rate = 0.2
        started = time.perf_counter()
        runs, code = 0, 1
        # A run that outlasts its retries stops with a message; the user runs it again.
        while code != 0 and runs < 5:
            runs += 1
            ended = Cli(["apply", str(saved), "--yes", "--batch-size", "25"], env, work).wait()
            code = ended.exit_code
        wall = time.perf_counter() - started
        statuses = server.stats.status_counts
        exact = code == 0 and history_ids(server) == before - planned
    errors = sum(n for status, n in statuses.items() if status >= 500)
    return [
        Figure(
            f"faults: apply {len(planned)} deletions, 20% errors/drops/429s",
            f"{wall:.1f} s, {runs} run{'s' if runs > 1 else ''}",
            "-",
            f"{server.stats.faults} faults injected: {errors} 5xx, {statuses[0]} dropped "
            f"answers, {statuses[429]} 429s",
            server.stats.faults > 0,
        ),
        Figure(
            "faults: end state exact",
            "yes" if exact else "NO",
            "yes",
            "the planned plays removed, nothing else",
            exact,
        ),
    ]
