"""Guardrails: every command explains itself, with an example, in 80 columns."""

from __future__ import annotations


def _visible_params(command):
    return [param for param in command.command.params if not getattr(param, "hidden", False)]


def test_every_command_has_a_help_text(command):
    """Each command, sub-command and group says what it does in its help."""
    assert (command.command.help or "").strip()


def test_every_command_shows_an_example(leaf, invoke):
    """Each runnable command's --help carries an `Example:` line a user can copy."""
    run = invoke(*leaf.path, "--help", env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.stderr
    examples = [line for line in run.stdout.splitlines() if line.strip().startswith("Example:")]
    assert examples and "trakt-plan" in examples[0]


def test_every_option_and_argument_has_help(command):
    """Each visible option and argument of a command has help text."""
    missing = [
        param.name for param in _visible_params(command) if not (getattr(param, "help", "") or "")
    ]
    assert missing == []


def test_global_options_work_after_the_command_name_too(tree):
    """Each option of `trakt-plan` itself (--api-base, --sandbox, -v...) has help on every command.

    The README promises they go before or after the command name; the top level hides the
    ones only worth documenting once, on the commands.
    """
    only_on_top = {"--version", "--install-completion", "--show-completion"}
    root = tree[0].command
    global_options = [p for p in root.params if not set(p.opts) & only_on_top]
    assert any(getattr(p, "hidden", False) for p in global_options)
    for info in tree:
        if info.is_group:
            continue
        for param in global_options:
            twins = [p for p in info.command.params if set(p.opts) >= set(param.opts)]
            assert [bool(t.help) and not t.hidden for t in twins] == [True], (info.name, param.opts)


def test_help_runs_and_fits_80_columns(command, invoke):
    """`--help` of every command exits 0, starts with the usage and fits an 80-column terminal."""
    run = invoke(*command.path, "--help", env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("Usage: trakt-plan")
    too_wide = [line for line in run.stdout.splitlines() if len(line) > 80]
    assert too_wide == []
