"""Section ``pacing``: 1,135 deletions against a server taking 0.3 s a write.

Writes are paced by arrival (one a second as the server counts them), not a full second after
each answer: the wall time is measured against ceil(N/100) seconds.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import httpx
from common import Figure

from trakt_plan.sandbox import SANDBOX_CLIENT_ID, Knobs, SandboxServer, generate_state


def bench_pacing(work: Path) -> list[Figure]:
    """1,135 deletions against a server taking 0.3 s a write and allowing one a second."""
    from trakt_plan.trakt.auth import StaticTokenAuth
    from trakt_plan.trakt.client import TraktClient

    deletions = 1_135
    state = generate_state(deletions, seed=3)
    ids = [row["id"] for row in state.history()]
    with SandboxServer(state, knobs=Knobs(latency=0.3, write_interval=1.0)) as server:
        auth = StaticTokenAuth(server.state.issue_token()["access_token"])
        http = httpx.Client(timeout=60)
        with TraktClient(
            http, api_base=server.base_url, client_id=SANDBOX_CLIENT_ID, auth=auth
        ) as client:
            start = time.perf_counter()
            removed = sum(
                client.remove_history(ids[at : at + 100]).deleted.total
                for at in range(0, deletions, 100)
            )
            wall = time.perf_counter() - start
        rate_limited = server.stats.rate_limited
    assert removed == deletions
    bound = math.ceil(deletions / 100)
    return [
        Figure(f"{deletions} deletions at 0.3 s a write (wall)", f"{wall:.1f} s", "-", "", True),
        Figure(
            "write efficiency: ceil(N/100) s bound / wall",
            f"{bound / wall:.2f}",
            ">= 0.9",
            f"{bound} s: 100 ids per call, one call a second on arrival",
            bound / wall >= 0.9,
        ),
        Figure("429s during those writes", str(rate_limited), "<= 2", "", rate_limited <= 2),
    ]
