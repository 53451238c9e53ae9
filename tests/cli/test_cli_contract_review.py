"""Reviewing a plan in another format, as a CI job does: the rendering alone on stdout, the
messages (where the plan was saved) on stderr."""

from __future__ import annotations

import pytest

from tests.support import REPO

SEED = REPO / "plans" / "aos-cleanup.yaml"
NOW = "2026-12-01T04:00:00Z"


@pytest.mark.parametrize("output_format", ["json", "markdown", "html"])
def test_plan_in_another_format_still_says_where_it_saved_the_plan(cli, tmp_path, output_format):
    """`plan --format markdown -o FILE >> $GITHUB_STEP_SUMMARY`: the job log (stderr) says the
    plan was saved and how to apply it, and stdout is byte for byte what `show` prints."""
    saved = tmp_path / "aos.plan.json"
    planned = cli(
        "--sandbox", "plan", str(SEED), "-o", str(saved), "--format", output_format, "--now", NOW
    )
    assert planned.exit_code == 0, planned.stderr
    assert f"Saved plan to {saved}" in planned.stderr
    assert f"trakt-plan apply {saved}" in planned.stderr
    shown = cli("show", str(saved), "--format", output_format)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == planned.stdout
