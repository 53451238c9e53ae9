"""What runtime- and release-based rules cost on a 100,000-play account: the catalogue reads.

Three plans of the same generated account against the emulator (20 ms a request): a plain
plan (``same_timestamp``, no catalogue), then a plan with ``runtime_chain`` with an empty
catalogue cache (one seasons read per show, plus a show read when an episode has no runtime,
beside the history pages, at Trakt's GET limit),
then the same plan again (every fact from the disk cache: no catalogue request at all).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trakt_plan.sandbox import Knobs, SandboxServer, generate_state

PLAIN = """\
version: 1
max_deletions: 1000000
rules:
  - name: bulk
    history: all
    drop: {same_timestamp: 5}
"""
CHAINS = """\
version: 1
max_deletions: 1000000
rules:
  - name: back-to-back
    history: all
    drop: {runtime_chain: 3, action: watch}
"""
_CATALOGUE_ROUTES = ("seasons", "/shows/{id}", "/movies/{id}")


def _catalogue_requests(server: SandboxServer) -> int:
    return sum(
        count
        for (_, route), count in server.stats.by_route.items()
        if any(part in route for part in _CATALOGUE_ROUTES)
    )


def bench_catalogue(
    work: Path,
    *,
    figure: Callable[..., Any],
    cli_env: Callable[[SandboxServer, Path], dict[str, str]],
    run_cli: Callable[..., tuple[float, float, Any]],
) -> list[Any]:
    """The section's figures (``figure`` is run.py's ``Figure``)."""
    plays = 100_000
    state = generate_state(plays, seed=42)
    plain_file, chains_file = work / "plain.yaml", work / "chains.yaml"
    plain_file.write_text(PLAIN)
    chains_file.write_text(CHAINS)
    with SandboxServer(state, knobs=Knobs(latency=0.020, get_limit=None)) as server:
        env = {**cli_env(server, work / "config-catalogue")}
        env["TRAKT_PLAN_CACHE_DIR"] = str(work / "catalogue-cache")
        plain, _, _ = run_cli(["plan", str(plain_file), "--json"], env)
        runs = []
        for _ in range(2):
            before = _catalogue_requests(server)
            wall, _, proc = run_cli(["plan", str(chains_file), "--json"], env)
            runs.append((wall, _catalogue_requests(server) - before, proc))
    (first, first_reads, proc), (second, second_reads, _) = runs
    assert json.loads(proc.stdout)["summary"]["plays_seen"] == plays
    # Trakt allows 1,000 GETs per 5 minutes: the catalogue reads cannot go faster than that.
    rate = first_reads / max(first - plain, 0.001)
    return [
        figure("plan, 100k plays, no catalogue (wall)", f"{plain:.1f} s", "-", "", True),
        figure(
            "plan with runtime_chain, empty cache (wall)",
            f"{first:.1f} s ({first_reads} catalogue requests, {rate:.1f}/s beyond the plan)",
            ">= 3.0 reads/s",
            "Trakt's GET limit, 1,000 per 5 min (3.3/s)",
            rate >= 3.0,
        ),
        figure(
            "plan with runtime_chain, second run (wall)",
            f"{second:.1f} s ({second_reads} catalogue requests)",
            "0 catalogue requests",
            f"the plain plan, {plain:.1f} s",
            second_reads == 0,
        ),
    ]
