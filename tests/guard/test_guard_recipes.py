"""The recipes in docs/guard.md and docs/github.md are files that work, not prose that drifts."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer
from ruamel.yaml import YAML

from trakt_plan.cli import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
SERVICE = EXAMPLES / "trakt-plan-guard.service"
TIMER = EXAMPLES / "trakt-plan-guard.timer"
WORKFLOW = EXAMPLES / "trakt-plan-workflow.yml"


def _unit(path: Path) -> configparser.ConfigParser:
    # systemd keys are case-sensitive; configparser lowercases them unless told otherwise.
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def _installed_cli() -> Path:
    """The trakt-plan script of the environment running the tests."""
    return Path(sys.executable).parent / "trakt-plan"


def test_the_service_and_timer_have_what_a_nightly_guard_needs():
    """The service runs guard once per start and accepts exit 2; the timer fires nightly."""
    service, timer = _unit(SERVICE), _unit(TIMER)
    assert service["Service"]["Type"] == "oneshot"
    assert " guard " in service["Service"]["ExecStart"]
    assert service["Service"]["SuccessExitStatus"] == "2"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 04:00:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """systemd's own checker accepts the pair as installed for a user whose home is tmp_path.

    Where systemd-analyze is missing (not a systemd machine) the units are read as INI with
    their sections instead, so the test still checks something.
    """
    checker = shutil.which("systemd-analyze")
    if checker is None:
        sections = [_unit(SERVICE).sections(), _unit(TIMER).sections()]
        assert sections == [["Unit", "Service"], ["Unit", "Timer", "Install"]]
        return
    # %h is the home directory; ExecStart must name an executable that exists there.
    (tmp_path / ".local" / "bin").mkdir(parents=True)
    (tmp_path / ".local" / "bin" / "trakt-plan").symlink_to(_installed_cli())
    units = [shutil.copy(SERVICE, tmp_path), shutil.copy(TIMER, tmp_path)]
    result = subprocess.run(
        [checker, "verify", *map(str, units)],
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_the_workflow_reviews_pull_requests_that_change_plans():
    """Pull requests touching plans/ get the Markdown plan as a comment, with no write access."""
    workflow = _workflow()
    assert workflow["on"]["pull_request"]["paths"] == ["plans/**"]
    job = workflow["jobs"]["plan"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert 'trakt-plan plan "$plan" --format markdown' in _runs(job)
    assert "gh pr comment" in _runs(job)
    assert "GITHUB_STEP_SUMMARY" in _runs(job)


def test_the_workflow_applies_on_merge_with_the_token_in_a_secret():
    """A push to main applies with TRAKT_ACCESS_TOKEN from a secret and keeps the journals."""
    workflow = _workflow()
    assert workflow["on"]["push"] == {"branches": ["main"], "paths": ["plans/**"]}
    job = workflow["jobs"]["apply"]
    assert job["if"] == "github.event_name == 'push'"
    envs = [
        step.get("env", {}) for step in job["steps"] if "trakt-plan apply" in step.get("run", "")
    ]
    assert [env["TRAKT_ACCESS_TOKEN"] for env in envs] == ["${{ secrets.TRAKT_ACCESS_TOKEN }}"]
    uploads = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload")]
    assert "plans/*.plan.json.journal" in uploads[0]["with"]["path"]
    assert workflow["concurrency"] == {"group": "trakt-plan", "cancel-in-progress": False}


def test_the_workflow_uses_an_access_token_never_a_login_or_refresh_token():
    """The only secrets are the client id and the access token, and only in environments."""
    text = WORKFLOW.read_text(encoding="utf-8")
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"TRAKT_CLIENT_ID", "TRAKT_ACCESS_TOKEN"}
    assert "trakt-plan login" not in text
    runs = "\n".join(_runs(job) for job in _workflow()["jobs"].values())
    assert "secrets." not in runs


def _commands_in(text: str) -> list[list[str]]:
    """Every `trakt-plan ...` command line in ``text``, split as a shell would (roughly)."""
    found = []
    for match in re.finditer(r"trakt-plan\"? ([a-z].*?)(?:$|[|;&>)`])", text, re.MULTILINE):
        words = shlex.split(match.group(1).replace("\\\n", " "), comments=True)
        found.append(words)
    return found


def _code_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL)


def _options_of(command: Any) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def test_every_recipe_command_and_option_exists():
    """The cron lines, the unit's ExecStart and the workflow's runs use real commands and flags."""
    commands: dict[str, Any] = getattr(typer.main.get_command(app), "commands", {})
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    texts = [
        *_code_blocks((REPO / "docs" / "guard.md").read_text(encoding="utf-8")),
        *_code_blocks(readme.split("### A nightly guard")[1].split("\n### ")[0]),
        _unit(SERVICE)["Service"]["ExecStart"],
        "\n".join(_runs(job) for job in _workflow()["jobs"].values()),
    ]
    used = [words for text in texts for words in _commands_in(text)]
    assert {"guard", "plan", "apply", "show"} <= {words[0] for words in used}
    unknown = []
    for name, *rest in used:
        command = commands.get(name)
        if command is None:
            unknown.append(name)
            continue
        words = [word.strip("[]") for word in rest]
        flags = {word.split("=")[0] for word in words if word.startswith("-")}
        unknown.extend(f"{name} {flag}" for flag in sorted(flags - _options_of(command)))
    assert unknown == []
