"""trakt-plan's command line for tests: in-process (CliRunner) or as a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from tests.support import REPO
from trakt_plan.cli import app


@dataclass(frozen=True)
class Run:
    """One finished command: how it exited and what it printed, stdout and stderr apart."""

    exit_code: int
    stdout: str
    stderr: str
    args: tuple[str, ...] = ()

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(*args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Run:
    """Run trakt-plan in this process with extra environment variables (fast)."""
    result = CliRunner().invoke(app, list(args), env=dict(env or {}), input=input)
    return Run(result.exit_code, result.stdout, result.stderr, tuple(args))


def clean_environ(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without the developer's Trakt or colour settings, plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TRAKT_")
        and name not in {"NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE"}
    }
    # Rich must not guess a terminal width from the machine running the tests.
    env["COLUMNS"] = "100"
    env.update(extra or {})
    return env


def run_python(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    *,
    timeout: float = 60,
) -> Run:
    """``python ARGV`` in a fresh interpreter without a terminal, in a clean environment."""
    proc = subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        env=clean_environ(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, tuple(argv))


def run_subprocess(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    *,
    timeout: float = 60,
) -> Run:
    """``python -m trakt_plan ARGS`` as a user runs it; ``Run.args`` are the command's own."""
    finished = run_python(["-m", "trakt_plan", *args], env, cwd=cwd, timeout=timeout)
    return Run(finished.exit_code, finished.stdout, finished.stderr, tuple(args))
