"""Section ``catalogue``: what runtime- and release-based rules cost on a 100,000-play account.

Three plans of the same generated account against the emulator (20 ms a request): a plain
plan (``same_timestamp``, no catalogue), then a plan with ``runtime_chain`` with an empty
catalogue cache (one seasons read per show, plus a show read when an episode has no runtime,
beside the history pages), then the same plan again (every fact from the disk cache: no
catalogue request at all).

The emulator's own GET limit is off, but the client keeps Trakt's (1,000 GETs in any 5
minutes, ``trakt-api.md`` section 8) whatever the server says: once the history pages and
the catalogue reads pass 1,000 GETs, the rest wait for the window. The first plan is
therefore measured against that bound, and run once more with the client's limit lifted
(a fresh cache) to show what the limit itself costs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from common import Figure, cli_env, run_cli

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
# Trakt's GET limit, which the client keeps (trakt_plan.trakt.client's default get_limit).
GET_LIMIT, GET_WINDOW = 1000, 300.0
# The CLI with the client's GET limit lifted: not faithful to Trakt, only to show what the
# limit itself costs the first plan.
_UNLIMITED = (
    "import sys, trakt_plan.trakt.client as client; "
    "client.TraktClient.__init__.__kwdefaults__['get_limit'] = (10**9, 1.0); "
    "from trakt_plan.cli import main; main(sys.argv[1:])"
)


def _requests(server: SandboxServer) -> tuple[int, int]:
    """(every request, catalogue requests) the emulator answered so far."""
    routes = server.stats.by_route
    catalogue = sum(
        count
        for (_, route), count in routes.items()
        if any(part in route for part in _CATALOGUE_ROUTES)
    )
    return sum(routes.values()), catalogue


def _timed_plan(
    server: SandboxServer, spec: Path, env: dict[str, str], *, unlimited: bool = False
) -> tuple[float, int, int]:
    """One `plan --json`: (wall seconds, requests, catalogue requests); checks every play."""
    before_all, before_catalogue = _requests(server)
    launcher = ("-c", _UNLIMITED) if unlimited else ("-m", "trakt_plan")
    wall, _, proc = run_cli(["plan", str(spec), "--json"], env, launcher=launcher)
    after_all, after_catalogue = _requests(server)
    assert json.loads(proc.stdout)["summary"]["plays_seen"] == 100_000
    return wall, after_all - before_all, after_catalogue - before_catalogue


def limit_bound(gets: int) -> float:
    """The least wall time Trakt's GET limit allows for ``gets`` GETs: the 1,001st waits
    for the first one's window to close, the 2,001st for the 1,001st's, and so on."""
    return GET_WINDOW * math.floor(max(gets - 1, 0) / GET_LIMIT)


def bench_catalogue(work: Path) -> list[Figure]:
    """The plain plan, the first plan with runtime_chain, the second one (from the cache)."""
    plain_file, chains_file = work / "plain.yaml", work / "chains.yaml"
    plain_file.write_text(PLAIN)
    chains_file.write_text(CHAINS)
    state = generate_state(100_000, seed=42)
    with SandboxServer(state, knobs=Knobs(latency=0.020, get_limit=None)) as server:
        env = cli_env(server, work / "config-catalogue")
        env["TRAKT_PLAN_CACHE_DIR"] = str(work / "catalogue-cache")
        plain, plain_requests, _ = _timed_plan(server, plain_file, env)
        first, first_requests, first_reads = _timed_plan(server, chains_file, env)
        second, second_requests, second_reads = _timed_plan(server, chains_file, env)
        env["TRAKT_PLAN_CACHE_DIR"] = str(work / "catalogue-cache-unlimited")
        unlimited, _, _ = _timed_plan(server, chains_file, env, unlimited=True)
    bound = limit_bound(first_requests)
    return [
        Figure(
            "plan, 100k plays, no catalogue (wall)",
            f"{plain:.1f} s ({plain_requests} requests)",
            "-",
            "",
            True,
        ),
        Figure(
            "plan with runtime_chain, empty cache (wall)",
            f"{first:.1f} s ({first_requests} requests, {first_reads} of them catalogue)",
            f"<= 1.2 x ({bound:.0f} s + the plain plan)",
            f"Trakt's GET limit: {first_requests} GETs at 1,000 per 5 min need >= {bound:.0f} s",
            first <= 1.2 * (bound + plain),
        ),
        Figure(
            "the same first plan, client's GET limit lifted (wall)",
            f"{unlimited:.1f} s",
            "-",
            f"what Trakt's limit costs: {first - unlimited:.0f} s of {first:.0f} s",
            unlimited < first,
        ),
        Figure(
            "plan with runtime_chain, second run (wall)",
            f"{second:.1f} s ({second_requests} requests, {second_reads} of them catalogue)",
            "0 catalogue requests",
            f"the plain plan, {plain:.1f} s",
            second_reads == 0,
        ),
    ]
