"""Fixtures for driving the real command line: in-process (CliRunner) and as a subprocess."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.cli import Run, invoke, run_subprocess
from tests.support.sandbox import account_env, issue_token, sandboxes
from trakt_plan.sandbox import SandboxServer


class Cli:
    """Runs trakt-plan commands the way a user does, with stdout and stderr kept apart."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env or {}

    def __call__(self, *args: str, input: str | None = None) -> Run:
        return invoke(*args, env=self.env, input=input)

    def subprocess(self, *args: str, timeout: float = 120) -> Run:
        # The test's own config dir (see isolated_config), not the developer's.
        env = {"TRAKT_PLAN_CONFIG_DIR": os.environ["TRAKT_PLAN_CONFIG_DIR"], **self.env}
        return run_subprocess(args, env, timeout=timeout)


@pytest.fixture
def cli() -> Cli:
    """The CLI with no account: for --sandbox runs and offline commands."""
    return Cli()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A fresh emulator with the demo account, fast writes for quick tests."""
    with sandboxes(write_interval=0.05) as started:
        yield started.start()


@pytest.fixture
def account_cli(server: SandboxServer) -> Cli:
    """The CLI pointed at the test's emulator like a script would be: API base + access token."""
    return Cli(account_env(server, issue_token(server)))
