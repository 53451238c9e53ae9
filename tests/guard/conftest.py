"""Shared setup for the guard tests: the emulator, a webhook, plans in a folder of their own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.cli import Run, invoke

# A fixture is found by its name in a conftest: importing it is how this one shares it.
from tests.support.webhook import webhook  # noqa: F401
from trakt_plan.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Knobs,
    SandboxServer,
    demo_state,
)

NOW = "2026-12-01T04:00:00Z"
STAMP = "20261201T040000Z"
# Nothing in the demo account is stamped in this second: a guard that finds nothing.
QUIET_YAML = """\
version: 1
description: nothing to see
rules:
  - name: bulk-since-december
    history: all
    drop:
      watched_from: 2026-12-01
      same_timestamp: 3
"""


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A fresh emulator with the demo account; writes paced fast for quick tests."""
    with SandboxServer(demo_state(), knobs=Knobs(write_interval=0.05)) as running:
        yield running


@dataclass
class Guard:
    """trakt-plan pointed at the test's emulator, run as cron would run it."""

    env: dict[str, str]
    plans: Path

    def __call__(self, *args: str) -> Run:
        return invoke(*args, env=self.env)

    def plan_files(self) -> list[str]:
        return sorted(p.name for p in self.plans.glob("*.plan.json"))


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A plans folder holding the demo's aos-cleanup.yaml and a plan that finds nothing."""
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(REPO / "plans" / "aos-cleanup.yaml", folder)
    (folder / "quiet.yaml").write_text(QUIET_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def guard(server: SandboxServer, plans: Path) -> Guard:
    """The CLI with the emulator's API and an access token in the environment, as in CI."""
    token = server.state.issue_token()
    env = {
        "TRAKT_API_BASE": server.base_url,
        "TRAKT_AUTH_BASE": server.base_url,
        "TRAKT_CLIENT_ID": SANDBOX_CLIENT_ID,
        "TRAKT_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "TRAKT_ACCESS_TOKEN": token["access_token"],
    }
    return Guard(env, plans)
