"""Section ``scale``: a 100,000-play account end to end (plan, apply, kill -9, resume)."""

from __future__ import annotations

import json
from pathlib import Path

from common import Figure, cli_env
from hardening import FAST_WRITES, Cli, history_ids, wait_for_records
from plan import BULK_PLAN

from trakt_plan.sandbox import Knobs, SandboxServer, generate_state


def bench_scale(work: Path) -> list[Figure]:
    """100,000 plays: plan all, apply ~3,000 deletions, kill -9 after 5 batches, resume."""
    plays = 100_000
    state = generate_state(plays, seed=2026, bulk_marks=200)
    source = work / "scale.yaml"
    source.write_text(BULK_PLAN)
    saved = work / "scale.plan.json"
    journal = saved.with_name(saved.name + ".journal")
    knobs = Knobs(write_interval=FAST_WRITES / 2, get_limit=None)
    with SandboxServer(state, knobs=knobs) as server:
        env = cli_env(server, work / "config-scale")
        before = history_ids(server)
        plan = Cli(["plan", str(source), "-o", str(saved)], env, work / "scale").wait()
        if plan.exit_code != 0:
            raise SystemExit(f"trakt-plan plan failed:\n{plan.stderr}")
        planned = {int(d["history_id"]) for d in json.loads(saved.read_text())["deletions"]}
        args = ["apply", str(saved), "--yes", "--batch-size", "100", "--allow-mass-delete"]
        first = Cli(args, env, work / "scale")
        wait_for_records(journal, 5, kind="result")
        first.kill()
        killed = first.wait()
        resumed = Cli(args, env, work / "scale").wait()
        exact = resumed.exit_code == 0 and history_ids(server) == before - planned

    def mb(value: float | None) -> str:
        return f"{value:.0f} MB" if value is not None else "?"

    peaks = [plan.peak_mb, killed.peak_mb, resumed.peak_mb]
    return [
        Figure(
            "scale: plan 100k plays (wall)",
            f"{plan.wall:.1f} s",
            "-",
            f"{len(planned):,} deletions found",
            plan.exit_code == 0,
        ),
        Figure(
            "scale: plan peak memory",
            mb(plan.peak_mb),
            "<= 400 MB",
            "VmHWM of the CLI process",
            plan.peak_mb is not None and plan.peak_mb <= 400,
        ),
        Figure(
            f"scale: apply {len(planned):,} deletions, kill -9 after 5 batches, resume",
            f"{killed.wall + resumed.wall:.1f} s",
            "-",
            f"pace {FAST_WRITES} s; the resume re-reads the 100k history (it changed)",
            True,
        ),
        Figure(
            "scale: apply peak memory (killed run / resume)",
            f"{mb(killed.peak_mb)} / {mb(resumed.peak_mb)}",
            "<= 400 MB",
            "VmHWM of the CLI process",
            all(p is not None and p <= 400 for p in peaks[1:]),
        ),
        Figure(
            "scale: end state exact",
            "yes" if exact else "NO",
            "yes",
            "100k plays minus exactly the planned ids",
            exact,
        ),
    ]
