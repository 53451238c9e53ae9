"""Guardrails: shell completion is offered and works."""

from __future__ import annotations

from typer.testing import CliRunner

from trakt_plan.cli import app


def test_install_completion_is_offered_in_the_help(invoke):
    """`trakt-plan --help` offers --install-completion and --show-completion."""
    run = invoke("--help", env={"COLUMNS": "80"})
    assert run.exit_code == 0
    assert "--install-completion" in run.stdout
    assert "--show-completion" in run.stdout


def test_show_completion_prints_a_bash_script(run_python):
    """`python -m trakt_plan --show-completion bash` prints the bash script and exits 0."""
    run = run_python(
        "import runpy, sys\n"
        "sys.argv = ['trakt-plan', '--show-completion', 'bash']\n"
        "runpy.run_module('trakt_plan', run_name='__main__')",
        # Typer otherwise ignores the `bash` and asks shellingham for the parent shell, which
        # an orphaned background test run does not have ("Shell  not supported").
        env={"SHELL": "/bin/bash", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert run.exit_code == 0, run.stderr
    assert "complete -o default -F _trakt_plan_completion trakt-plan" in run.stdout
    assert "_TRAKT_PLAN_COMPLETE=complete_bash" in run.stdout


def _complete(words, index):
    env = {
        "SHELL": "/bin/bash",
        "_TRAKT_PLAN_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(index),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="trakt-plan")
    return result.exit_code, sorted(result.stdout.split())


def test_bash_completion_completes_commands_and_sub_commands():
    """The script's callback completes `trakt-plan sa` to sandbox and `sandbox ` to its commands."""
    assert _complete("trakt-plan sa", 1) == (0, ["sandbox"])
    assert _complete("trakt-plan sandbox ", 2) == (0, ["reset", "serve"])
