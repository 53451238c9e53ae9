"""Section ``plan``: a plan over 100,000 plays at 20 ms a page, against a plain page loop.

Also the planner's own CPU time, and the timed plan that section ``reads`` repeats at a real
API's latency (and ``scale`` plans with ``BULK_PLAN``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from common import Figure, cli_env, run_cli

from trakt_plan import __version__
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, Knobs, SandboxServer, generate_state


def sequential_fetch(server: SandboxServer, token: str) -> tuple[float, int]:
    """The naive client: one page after another with plain httpx. (seconds, plays)."""
    headers = {
        "trakt-api-key": SANDBOX_CLIENT_ID,
        "trakt-api-version": "2",
        "User-Agent": f"trakt-plan-benchmark/{__version__}",
        "Authorization": f"Bearer {token}",
    }
    start = time.perf_counter()
    plays = 0
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        page, pages = 1, 1
        while page <= pages:
            response = http.get("/sync/history", params={"page": page, "limit": 250})
            response.raise_for_status()
            pages = int(response.headers["X-Pagination-Page-Count"])
            plays += len(response.json())
            page += 1
    return time.perf_counter() - start, plays


BULK_PLAN = """\
version: 1
description: benchmark - every one-second bulk mark over the whole history
max_deletions: 1000000
rules:
  - name: bulk
    history: all
    drop:
      same_timestamp: 5
"""


def timed_plan(work: Path, plays: int, latency: float) -> tuple[float, float, float]:
    """`plan` over ``plays`` generated plays at ``latency`` a request, then a sequential
    fetch of the same pages: (plan wall s, plan peak MB, sequential wall s)."""
    state = generate_state(plays, seed=42)
    plan_file = work / f"bulk-{plays}.yaml"
    plan_file.write_text(BULK_PLAN)
    with SandboxServer(state, knobs=Knobs(latency=latency, get_limit=None)) as server:
        env = cli_env(server, work / f"config-plan-{plays}")
        wall, peak_mb, proc = run_cli(["plan", str(plan_file), "--json"], env)
        seq_wall, seq_plays = sequential_fetch(server, env["TRAKT_ACCESS_TOKEN"])
    assert json.loads(proc.stdout)["summary"]["plays_seen"] == plays == seq_plays
    return wall, peak_mb, seq_wall


def read_figures(label: str, wall: float, seq_wall: float, target: float) -> list[Figure]:
    """Plan wall, sequential wall and their ratio against ``target``."""
    ratio = wall / seq_wall
    return [
        Figure(f"plan, {label} (wall)", f"{wall:.1f} s", "-", "", True),
        Figure("sequential httpx fetch of the same pages", f"{seq_wall:.1f} s", "-", "", True),
        Figure(
            "plan / sequential fetch",
            f"{ratio:.2f}",
            f"<= {target}",
            "a plain sequential page loop",
            ratio <= target,
        ),
    ]


def bench_plan(work: Path) -> list[Figure]:
    """A plan over 100,000 plays at 20 ms a page: speed, memory and planner CPU."""
    plays = 100_000
    wall, peak_mb, seq_wall = timed_plan(work, plays, 0.020)
    cpu = planner_cpu(plays)
    return [
        *read_figures("100k plays, 20 ms latency", wall, seq_wall, 0.75),
        Figure("plan peak memory (RSS)", f"{peak_mb:.0f} MB", "<= 400 MB", "", peak_mb <= 400),
        Figure("planner CPU, 100k plays", f"{cpu:.2f} s", "< 2 s", "", cpu < 2.0),
    ]


def planner_cpu(plays: int) -> float:
    """CPU seconds of build_plan alone over an in-memory 100k-play history."""
    from trakt_plan.planner import build_plan
    from trakt_plan.spec.load import load_spec_text
    from trakt_plan.trakt.models import HistoryItem

    state = generate_state(plays, seed=42)
    items = [HistoryItem.model_validate(row) for row in state.history()]
    spec = load_spec_text(BULK_PLAN, "bulk.yaml")
    start = time.process_time()
    build_plan(spec, {}, items, timezone="UTC")
    return time.process_time() - start
