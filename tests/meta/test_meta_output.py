"""Guardrails: plain output really is plain, and tables fit an 80-column terminal."""

from __future__ import annotations

import pytest

PLAN = "plans/aos-cleanup.yaml"
# Make rich believe it writes to a colour terminal, as it would for a user.
TERMINAL = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "80"}
TABLE_COMMANDS = {"history all": ("history", "all"), "plan": ("plan", PLAN)}
PLAIN = {"--no-color": (("--no-color",), {}), "NO_COLOR=1": ((), {"NO_COLOR": "1"})}


def test_a_terminal_gets_colour_by_default(invoke):
    """Without --no-color a terminal gets styled tables (so the checks below can fail)."""
    run = invoke("--sandbox", "history", "all", env=TERMINAL)
    assert run.exit_code == 0, run.stderr
    assert "\x1b[" in run.stdout


@pytest.mark.parametrize("plain", sorted(PLAIN))
@pytest.mark.parametrize("table", sorted(TABLE_COMMANDS))
def test_no_color_output_has_no_escape_codes(invoke, plain, table):
    """--no-color and NO_COLOR=1 leave no ANSI escape on stdout or stderr, even on a terminal."""
    flags, env = PLAIN[plain]
    run = invoke("--sandbox", *TABLE_COMMANDS[table], *flags, env={**TERMINAL, **env})
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip()
    assert "\x1b" not in run.stdout
    assert "\x1b" not in run.stderr


def test_errors_under_no_color_have_no_escape_codes(invoke):
    """An error message printed with --no-color on a terminal is plain text too."""
    run = invoke("history", "all", "--from", "someday", "--no-color", env=TERMINAL)
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: --from 'someday'")
    assert "\x1b" not in run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("history", "all"),
        ("history", "1394"),
        ("plan", PLAN),
        ("search", "agents"),
        ("whoami",),
    ],
    ids=" ".join,
)
def test_tables_fit_80_columns(invoke, args):
    """With COLUMNS=80 every line the table commands print is at most 80 characters wide."""
    run = invoke("--sandbox", *args, env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) > 2
    assert [line for line in lines if len(line) > 80] == []


def test_a_saved_plan_is_shown_within_80_columns(invoke, tmp_path):
    """`show` prints a saved plan within 80 columns too."""
    saved = tmp_path / "aos.plan.json"
    assert invoke("--sandbox", "plan", PLAN, "-o", str(saved)).exit_code == 0
    run = invoke("show", str(saved), env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.stderr
    assert [line for line in run.stdout.splitlines() if len(line) > 80] == []
    assert "10000000021" in run.stdout
