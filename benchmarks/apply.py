"""Section ``apply``: ~1,000 deletions through the CLI at Trakt's real write limit.

Measured against the bound of 100 ids a call, one call a second (and against one call a play).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from common import Figure, cli_env, run_cli

from trakt_plan.sandbox import Knobs, SandboxServer


def bench_apply(work: Path) -> list[Figure]:
    """~1,000 deletions at Trakt's real write limit (one POST a second)."""
    from trakt_plan.sandbox import demo_state

    state = demo_state()
    # A Jellyfin-style bulk mark of 1,000 plays in one second on the demo account.
    catalog_plays = [
        {
            "type": "episode",
            "trakt_id": 139400000 + season * 100 + number,
            "watched_at": "2025-11-21T03:00:00.000Z",
            "action": "watch",
        }
        for season in range(1, 8)
        for number in range(1, 14)
    ]
    plays = (catalog_plays * 12)[:1000]
    state.add_plays(state.default_user, plays)
    plan_file = work / "apply.yaml"
    plan_file.write_text(
        "version: 1\nrules:\n  - name: bulk\n    show: 1394\n    drop:\n"
        "      watched_from: 2025-11-21\n      same_timestamp: 100\n"
    )
    saved_plan = work / "apply.plan.json"
    with SandboxServer(state, knobs=Knobs(write_interval=1.0)) as server:
        env = cli_env(server, work / "config-apply")
        run_cli(["plan", str(plan_file), "-o", str(saved_plan)], env)
        planned = len(json.loads(saved_plan.read_text())["deletions"])
        limited_before = server.stats.rate_limited
        wall, _, _ = run_cli(["apply", str(saved_plan), "--yes"], env)
        rate_limited = server.stats.rate_limited - limited_before
    bound = math.ceil(planned / 100)
    return [
        Figure(f"apply {planned} deletions (wall)", f"{wall:.1f} s", "-", "", True),
        Figure(
            "apply / ceil(N/100) s bound",
            f"{wall / bound:.2f}",
            "<= 1.2",
            f"{bound} s: 100 ids per call, one call a second",
            wall <= bound * 1.2,
        ),
        Figure(
            "apply / one call per play",
            f"{wall / planned:.3f}",
            "-",
            f"{planned} s: one remove call per play",
            True,
        ),
        Figure("429s during apply", str(rate_limited), "0", "", rate_limited == 0),
    ]
