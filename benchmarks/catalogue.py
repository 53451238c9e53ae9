"""Section ``catalogue``: what runtime- and release-based rules cost on a 100,000-play account.

Plans of the same generated account against the emulator (20 ms a request): a plain plan
(``same_timestamp``, no catalogue); a plan with ``runtime_chain`` with an empty catalogue cache
(one seasons read per show, plus a show read when an episode has no runtime, beside the
history pages; no movie, as a chain is per show), then the same plan again (every fact from
the disk cache: no catalogue request at all); and a plan with ``at_release``, which judges
movies too, so it reads every movie as well.

The emulator's own GET limit is off, but the client keeps Trakt's (1,000 GETs in any 5
minutes, ``trakt-api.md`` section 8) whatever the server says: once the history pages and
the catalogue reads pass 1,000 GETs, the rest wait for the window. The ``at_release`` plan is
therefore measured against that bound, and run once more with the client's limit lifted
(a fresh cache) to show what the limit itself costs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
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
RELEASES = """\
version: 1
max_deletions: 1000000
rules:
  - name: release-marks
    history: all
    drop: {at_release: true, action: watch}
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


@dataclass(frozen=True)
class Timed:
    """One plan: its wall time and the requests the emulator answered for it."""

    wall: float
    requests: int = 0
    catalogue: int = 0
    movies: int = 0

    def shown(self) -> str:
        return (
            f"{self.wall:.1f} s ({self.requests} requests, {self.catalogue} of them catalogue, "
            f"{self.movies} movies)"
        )


def _counted(server: SandboxServer) -> Timed:
    """The requests the emulator answered so far (no time)."""
    routes = server.stats.by_route
    catalogue = [
        (route, count)
        for (_, route), count in routes.items()
        if any(part in route for part in _CATALOGUE_ROUTES)
    ]
    movies = sum(count for route, count in catalogue if route.startswith("/movies/"))
    return Timed(0.0, sum(routes.values()), sum(count for _, count in catalogue), movies)


def _timed_plan(
    server: SandboxServer, spec: Path, env: dict[str, str], *, unlimited: bool = False
) -> Timed:
    """One `plan --json`, timed and its requests counted; checks it saw every play."""
    before = _counted(server)
    launcher = ("-c", _UNLIMITED) if unlimited else ("-m", "trakt_plan")
    wall, _, proc = run_cli(["plan", str(spec), "--json"], env, launcher=launcher)
    assert json.loads(proc.stdout)["summary"]["plays_seen"] == 100_000
    after = _counted(server)
    return Timed(
        wall,
        after.requests - before.requests,
        after.catalogue - before.catalogue,
        after.movies - before.movies,
    )


def limit_bound(gets: int) -> float:
    """The least wall time Trakt's GET limit allows for ``gets`` GETs: the 1,001st waits
    for the first one's window to close, the 2,001st for the 1,001st's, and so on."""
    return GET_WINDOW * math.floor(max(gets - 1, 0) / GET_LIMIT)


def _plans(work: Path) -> dict[str, Timed]:
    """Each plan's figures, by name, in the order they ran."""
    files = {"plain": PLAIN, "chains": CHAINS, "releases": RELEASES}
    for name, text in files.items():
        (work / f"{name}.yaml").write_text(text)
    runs = [("plain", "plain"), ("chains", "chains"), ("chains again", "chains")]
    runs += [("releases", "releases"), ("releases unlimited", "releases")]
    timed = {}
    state = generate_state(100_000, seed=42)
    with SandboxServer(state, knobs=Knobs(latency=0.020, get_limit=None)) as server:
        env = cli_env(server, work / "config-catalogue")
        for name, spec in runs:
            # The chains' second run shares the first's cache; every other run starts empty.
            cache = "chains" if name == "chains again" else name
            env["TRAKT_PLAN_CACHE_DIR"] = str(work / f"catalogue-cache-{cache}")
            unlimited = name.endswith("unlimited")
            timed[name] = _timed_plan(server, work / f"{spec}.yaml", env, unlimited=unlimited)
    return timed


def bench_catalogue(work: Path) -> list[Figure]:
    """Plain, runtime_chain (first and second), at_release (first, and without the limit)."""
    timed = _plans(work)
    plain, chains, again = timed["plain"], timed["chains"], timed["chains again"]
    releases, unlimited = timed["releases"], timed["releases unlimited"]
    bound = limit_bound(releases.requests)
    return [
        Figure("plan, 100k plays, no catalogue (wall)", plain.shown(), "-", "", True),
        Figure(
            "plan with runtime_chain, empty cache (wall)",
            chains.shown(),
            "0 movies",
            f"{limit_bound(chains.requests):.0f} s of Trakt's GET limit to wait",
            chains.movies == 0,
        ),
        Figure(
            "plan with runtime_chain, second run (wall)",
            again.shown(),
            "0 catalogue requests",
            f"the plain plan, {plain.wall:.1f} s",
            again.catalogue == 0,
        ),
        Figure(
            "plan with at_release (shows and movies), empty cache (wall)",
            releases.shown(),
            f"<= 1.2 x ({bound:.0f} s + the plain plan)",
            f"Trakt's GET limit: {releases.requests} GETs at 1,000 per 5 min need >= {bound:.0f} s",
            releases.wall <= 1.2 * (bound + plain.wall),
        ),
        Figure(
            "the same at_release plan, client's GET limit lifted (wall)",
            unlimited.shown(),
            "-",
            f"what Trakt's limit costs: {releases.wall - unlimited.wall:.0f} s "
            f"of {releases.wall:.0f} s",
            unlimited.wall < releases.wall,
        ),
    ]
