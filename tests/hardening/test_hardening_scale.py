"""Issue 5.5: a 100,000-play account end to end: plan it all, apply thousands, kill, resume.

The command line runs as real processes against the emulator on loopback, with Trakt's
write limit scaled down on both sides (the emulator's ``write_interval`` and the client's
pace, see ``launch_cli.py``) so that ~3,000 deletions in batches of 100 take seconds.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trakt_plan.sandbox import generate_state

PLAYS = 100_000
# 200 bulk marks of 5 to 30 episodes each, stamped in one second: ~3,000 plays to remove.
BULK_MARKS = 200
PLAN_YAML = """\
version: 1
description: every bulk mark in a 100,000-play history
max_deletions: 10000
rules:
  - name: bulk
    history: all
    drop:
      same_timestamp: 5
"""
PEAK_RSS_LIMIT_MB = 400
KILL_AFTER_BATCHES = 5
FAST = {"HARDENING_WRITE_INTERVAL": "0.01"}


def test_100k_plays_plan_apply_kill_9_and_resume_end_exact_in_bounded_memory(
    start_emulator: Callable[..., Any],
    tmp_path: Path,
    run_cli: Callable[..., Any],
    journal_records: Callable[[Path], list[dict[str, Any]]],
    poll: Callable[..., None],
) -> None:
    """Plan 100k plays, apply ~3,000 deletions, SIGKILL it, resume: exactly the plan is gone."""
    emulator = start_emulator(
        generate_state(PLAYS, seed=2026, bulk_marks=BULK_MARKS),
        write_interval=0.005,
        get_limit=None,
    )
    original = emulator.ids()
    assert len(original) == PLAYS
    source = tmp_path / "bulk.yaml"
    source.write_text(PLAN_YAML)
    saved = tmp_path / "bulk.plan.json"
    journal = saved.with_name(saved.name + ".journal")

    planning = run_cli(["plan", str(source), "-o", str(saved)], emulator.env(), launcher=True)
    planned_run = planning.wait(timeout=120)
    assert planned_run.exit_code == 0, planned_run.stderr
    document = json.loads(saved.read_text())
    planned = {int(d["history_id"]) for d in document["deletions"]}
    assert document["summary"]["plays_seen"] == PLAYS
    assert 2_000 <= len(planned) <= 5_000

    args = ["apply", str(saved), "--yes", "--batch-size", "100"]
    first = run_cli(args, emulator.env(), launcher=True, knobs=FAST)
    poll(
        lambda: sum(r["type"] == "result" for r in journal_records(journal)) >= KILL_AFTER_BATCHES,
        timeout=60,
        what=f"{KILL_AFTER_BATCHES} batches in the journal",
    )
    first.send(signal.SIGKILL)
    killed = first.wait(timeout=30)
    assert killed.exit_code == -signal.SIGKILL
    gone = original - emulator.ids()
    assert gone < planned and len(gone) >= KILL_AFTER_BATCHES * 100

    resume = run_cli(args, emulator.env(), launcher=True, knobs=FAST)
    resumed = resume.wait(timeout=120)

    assert resumed.exit_code == 0, resumed.stderr
    assert "resuming the apply" in resumed.stderr
    assert emulator.ids() == original - planned
    complete = journal_records(journal)[-1]
    assert (complete["type"], complete["removed"], complete["already_gone"]) == (
        "complete",
        len(planned),
        0,
    )
    peaks = {
        "plan": planned_run.peak_rss_mb,
        "apply (killed)": killed.peak_rss_mb,
        "apply (resumed)": resumed.peak_rss_mb,
    }
    print(
        f"\n100k plays, {len(planned)} deletions: plan {planned_run.wall:.1f} s, "
        f"resume {resumed.wall:.1f} s; peak RSS "
        + ", ".join(f"{name} {mb or 0:.0f} MB" for name, mb in peaks.items())
    )
    for name, peak in peaks.items():
        assert peak is not None and peak < PEAK_RSS_LIMIT_MB, f"{name} peaked at {peak} MB"
