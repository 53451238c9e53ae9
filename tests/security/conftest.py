"""Fixtures for the secrets suite: an emulator whose every secret is known to the test.

The emulator runs in this process on loopback; the CLI runs as a real subprocess (so
``-v`` logging and tracebacks are exactly what a user sees) or in-process through
``CliRunner`` where only the output and the files matter.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO
from tests.support.cli import Run, run_subprocess
from tests.support.cli import invoke as invoke_cli
from trakt_plan.sandbox import Knobs, SandboxServer, SandboxState, demo_state
from trakt_plan.settings import OOB_REDIRECT_URI
from trakt_plan.trakt.auth import TokenStore
from trakt_plan.trakt.models import Token

PLAN_YAML = REPO / "plans" / "aos-cleanup.yaml"
# A shortened secret in a message is still a leak: this many leading characters count too.
PREFIX = 12


@dataclass
class Emulator:
    """A running emulator that remembers every secret it handed out."""

    server: SandboxServer
    state: SandboxState
    issued: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def client_id(self) -> str:
        return self.state.client_id

    @property
    def client_secret(self) -> str:
        return self.state.client_secret

    def secrets(self) -> dict[str, str]:
        """Every secret that must stay out of output and files, by a name for reports."""
        found = {"client secret": self.client_secret}
        for number, pair in enumerate(self.issued, start=1):
            found[f"access token #{number}"] = pair["access_token"]
            found[f"refresh token #{number}"] = pair["refresh_token"]
        for number, device in enumerate(self.state.devices.values(), start=1):
            found[f"device code #{number}"] = device.device_code
        return found

    def issue_token(self) -> Token:
        """A token pair for the demo user, as a login would have saved it."""
        return Token.model_validate(self.state.issue_token())

    def save_token(self, config_dir: Path) -> Token:
        """Log the demo user in by writing the token file directly (no device flow)."""
        token = self.issue_token()
        TokenStore(config_dir / "token.json").save(token)
        return token

    def rotate_elsewhere(self, token: Token) -> None:
        """Use the pair's single-use refresh token from "another device": both halves die."""
        body = {
            "refresh_token": token.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": OOB_REDIRECT_URI,
            "grant_type": "refresh_token",
        }
        reply = self.server.handle(
            "POST",
            "/oauth/token",
            "",
            {"Content-Type": "application/json", "User-Agent": "another-device/1.0"},
            json.dumps(body).encode("utf-8"),
        )
        assert reply.status == 200, reply.body

    def env(self, config_dir: Path) -> dict[str, str]:
        """What a script sets to use this emulator with the saved login."""
        return {
            "TRAKT_PLAN_CONFIG_DIR": str(config_dir),
            "TRAKT_API_BASE": self.base_url,
            "TRAKT_CLIENT_ID": self.client_id,
            "TRAKT_CLIENT_SECRET": self.client_secret,
        }


def start_emulator(knobs: Knobs) -> tuple[SandboxServer, Emulator]:
    """The demo account with its own app credentials, recording each token it issues."""
    state = demo_state()
    state.client_id = f"security-client-{secrets.token_hex(6)}"
    state.client_secret = f"SECRET-client-{secrets.token_hex(16)}"
    server = SandboxServer(state, knobs=knobs).start()
    emulator = Emulator(server, state)
    issue = state.issue_token

    def recording_issue(*args: Any, **kwargs: Any) -> dict[str, Any]:
        pair = issue(*args, **kwargs)
        emulator.issued.append(pair)
        return pair

    # The device flow and refreshes issue tokens inside the server; wrap the one place
    # they come from so the test knows every value that may leak.
    state.issue_token = recording_issue  # type: ignore[method-assign]
    return server, emulator


def fast_knobs() -> Knobs:
    """Quick writes, an auto-approved device code and a short poll interval."""
    return Knobs(write_interval=0.05, device_auto_approve_after=1, device_interval=0.05)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator for one test."""
    server, running = start_emulator(fast_knobs())
    try:
        yield running
    finally:
        server.stop()


@pytest.fixture
def invoke() -> Callable[..., Run]:
    """Run the CLI in-process (fast); for checks of output and files, not of ``-v`` logs."""
    return invoke_cli


def leaks(text: str, known: Mapping[str, str]) -> list[str]:
    """The names of the secrets (or their first characters) that appear in ``text``."""
    return sorted(name for name, value in known.items() if value in text or value[:PREFIX] in text)


def read_tree(root: Path) -> dict[str, str]:
    """Every file under ``root``, by relative path, decoded leniently for scanning."""
    return {
        str(path.relative_to(root)): path.read_bytes().decode("utf-8", "replace")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def secrets_in() -> Callable[[str, Mapping[str, str]], list[str]]:
    """The leak finder, for tests (test files cannot import each other)."""
    return leaks


@dataclass(frozen=True)
class Kit:
    """The module-level helpers, for fixtures in test files (which cannot import conftest)."""

    start_emulator: Callable[[Knobs], tuple[SandboxServer, Emulator]] = start_emulator
    fast_knobs: Callable[[], Knobs] = fast_knobs
    run_subprocess: Callable[[tuple[str, ...], Mapping[str, str], Path], Run] = run_subprocess


@pytest.fixture(scope="session")
def kit() -> Kit:
    """Helpers to build emulators and run the CLI from a test module's own fixtures."""
    return Kit()


@pytest.fixture
def plan_yaml() -> Path:
    """The example plan of the README (22 accidental plays of the demo account)."""
    return PLAN_YAML


@pytest.fixture
def files_under() -> Callable[[Path], dict[str, str]]:
    """The tree reader, for tests."""
    return read_tree


def _mode(path: Path) -> int | None:
    return stat.S_IMODE(path.stat().st_mode) if path.exists() else None


@dataclass
class Session:
    """What one login-to-logout session printed and left on disk, command by command."""

    emulator: Emulator
    config_dir: Path
    work: Path
    runs: dict[str, Run] = field(default_factory=dict)
    # Every file under the config dir ("config/...") and the working dir ("work/...").
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    # (config dir mode, token file mode or None) after each command.
    modes: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    revoked: bool = False


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """Log in, look, plan (through a token refresh), apply, undo and log out, all with -v.

    Runs once per test module; each command is its own process, as a user types it.
    """
    server, emulator = start_emulator(fast_knobs())
    root = tmp_path_factory.mktemp("session")
    config_dir = root / "config"
    # Readable by others, as a careless earlier tool might have left it: login must fix it.
    config_dir.mkdir()
    os.chmod(config_dir, 0o755)
    work = root / "work"
    work.mkdir()
    result = Session(emulator, config_dir, work)
    env = emulator.env(config_dir)
    token_path = config_dir / "token.json"

    def step(name: str, *args: str, step_env: Mapping[str, str] = env) -> None:
        result.runs[name] = run_subprocess(args, step_env, work)
        result.files[name] = {
            **{f"config/{k}": v for k, v in read_tree(config_dir).items()},
            **{f"work/{k}": v for k, v in read_tree(work).items()},
        }
        result.modes[name] = (stat.S_IMODE(config_dir.stat().st_mode), _mode(token_path))

    try:
        step(
            "login",
            "login",
            "-v",
            "--api-base",
            emulator.base_url,
            "--client-id",
            emulator.client_id,
            "--client-secret",
            emulator.client_secret,
            step_env={"TRAKT_PLAN_CONFIG_DIR": str(config_dir)},
        )
        step("whoami", "whoami", "-v")
        # `plan` then finds its access token expired and has to refresh the pair.
        if emulator.issued:
            server.expire_access_token(emulator.issued[-1]["access_token"])
        step("plan", "plan", str(PLAN_YAML), "-o", "aos.plan.json", "-v")
        step("apply", "apply", "aos.plan.json", "--yes", "-v")
        step("undo", "undo", "aos.plan.json", "--yes", "-v")
        last_access = emulator.issued[-1]["access_token"] if emulator.issued else ""
        step("logout", "logout", "-v")
        result.revoked = emulator.state.token_user(last_access) is None
        yield result
    finally:
        server.stop()
