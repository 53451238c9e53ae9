"""Fixtures for driving the real command line: in-process (CliRunner) and as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trakt_plan.cli import app
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, Knobs, SandboxServer, demo_state

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


class Cli:
    """Runs trakt-plan commands the way a user does, with stdout and stderr kept apart."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env or {}

    def __call__(self, *args: str, input: str | None = None) -> Run:
        runner = CliRunner()
        result = runner.invoke(app, list(args), env=self.env, input=input)
        return Run(result.exit_code, result.stdout, result.stderr)

    def subprocess(self, *args: str, timeout: float = 120) -> Run:
        env = {**os.environ, **self.env}
        proc = subprocess.run(
            [sys.executable, "-m", "trakt_plan", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> Cli:
    """The CLI with no account: for --sandbox runs and offline commands."""
    return Cli()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A fresh emulator with the demo account, fast writes for quick tests."""
    with SandboxServer(demo_state(), knobs=Knobs(write_interval=0.05)) as running:
        yield running


@pytest.fixture
def account_cli(server: SandboxServer) -> Cli:
    """The CLI pointed at the test's emulator like a script would be: API base + access token."""
    token = server.state.issue_token()
    return Cli(
        {
            "TRAKT_API_BASE": server.base_url,
            "TRAKT_CLIENT_ID": SANDBOX_CLIENT_ID,
            "TRAKT_ACCESS_TOKEN": token["access_token"],
        }
    )
