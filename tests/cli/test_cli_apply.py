"""Apply and undo from the command line: the seed story, refusals, and `apply PLAN.yaml`."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "plans" / "aos-cleanup.yaml"
BULK_IDS = set(range(10000000000, 10000000022))


def show_plays(cli) -> list[dict]:
    run = cli("--sandbox", "history", "1394", "--json")
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def test_seed_story_plan_apply_apply_again_undo_undo_again(cli, tmp_path):
    """Plan, apply (22 gone), apply again (nothing sent), undo (22 back), undo again (still 22)."""
    saved = tmp_path / "aos.plan.json"
    assert cli("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0

    applied = cli("--sandbox", "apply", str(saved), "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert "Removed 22" in applied.stderr
    remaining = show_plays(cli)
    assert len(remaining) == 61
    assert not BULK_IDS & {play["id"] for play in remaining}

    again = cli("--sandbox", "apply", str(saved), "--yes")
    assert again.exit_code == 0, again.stderr
    assert "already applied" in again.stderr

    undone = cli("--sandbox", "undo", str(saved), "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert "new history ids" in undone.stderr
    assert len(show_plays(cli)) == 83

    twice = cli("--sandbox", "undo", str(saved), "--yes")
    assert twice.exit_code == 0, twice.stderr
    plays = show_plays(cli)
    assert len(plays) == 83
    bulk = [p for p in plays if p["watched_at"] == "2025-11-17T01:02:03.000Z"]
    assert len(bulk) == 22


def test_apply_without_a_terminal_or_yes_refuses_and_sends_nothing(cli, tmp_path):
    """With no terminal to confirm on and no --yes, apply refuses and the history is untouched."""
    saved = tmp_path / "aos.plan.json"
    assert cli("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0
    run = cli("--sandbox", "apply", str(saved))
    assert run.exit_code == 1
    assert "--yes" in run.stderr
    assert len(show_plays(cli)) == 83


def test_apply_a_yaml_plans_shows_saves_and_applies(cli, tmp_path):
    """`apply PLAN.yaml --yes` plans, prints the plan, saves it beside the YAML and applies it."""
    plan = tmp_path / "aos.yaml"
    plan.write_text(SEED.read_text())
    run = cli("--sandbox", "apply", str(plan), "--yes")
    assert run.exit_code == 0, run.stderr
    assert "10000000021" in run.stdout
    assert (tmp_path / "aos.plan.json").exists()
    assert len(show_plays(cli)) == 61
    undone = cli("--sandbox", "undo", str(tmp_path / "aos.plan.json"), "--yes")
    assert undone.exit_code == 0, undone.stderr


def test_a_tampered_plan_is_refused(cli, tmp_path):
    """Editing a saved plan's deletions by hand makes apply refuse it with nothing sent."""
    saved = tmp_path / "aos.plan.json"
    assert cli("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0
    document = json.loads(saved.read_text())
    document["deletions"][0]["history_id"] = 10000000027
    saved.write_text(json.dumps(document))
    run = cli("--sandbox", "apply", str(saved), "--yes")
    assert run.exit_code == 1
    assert "Traceback" not in run.stderr
    assert len(show_plays(cli)) == 83


def test_undo_of_a_plan_never_applied_is_a_clear_error(cli, tmp_path):
    """Undo with no journal says there is nothing to undo."""
    saved = tmp_path / "aos.plan.json"
    assert cli("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0
    run = cli("--sandbox", "undo", str(saved), "--yes")
    assert run.exit_code == 1
    assert "nothing to undo" in run.stderr


def test_apply_and_undo_as_subprocesses(cli, tmp_path):
    """The console entry point runs the whole story in separate processes."""
    saved = tmp_path / "aos.plan.json"
    assert cli.subprocess("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0
    applied = cli.subprocess("--sandbox", "apply", str(saved), "--yes")
    assert applied.exit_code == 0, applied.stderr
    undone = cli.subprocess("--sandbox", "undo", str(saved), "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert len(show_plays(cli)) == 83
