"""Fixtures for the emulator's tests: a running sandbox and httpx clients over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.sandbox import Sandboxes
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, Knobs, SandboxServer, SandboxState

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "trakt-responses"
USER_AGENT = "trakt-plan-tests/1.0"


def api_headers(token: str | None = None, **extra: str) -> dict[str, str]:
    """The headers a well-behaved Trakt client sends (plus a bearer token when given)."""
    headers = {
        "User-Agent": USER_AGENT,
        "trakt-api-key": SANDBOX_CLIENT_ID,
        "trakt-api-version": "2",
    }
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(extra)
    return headers


def fast_knobs(**overrides: Any) -> Knobs:
    """Knobs scaled down so limits and device polling cost milliseconds, not seconds."""
    values: dict[str, Any] = {"write_interval": 0.05, "device_interval": 0.05}
    values.update(overrides)
    return Knobs(**values)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sandbox(start_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    """The demo account served on loopback with fast write pacing."""
    return start_sandbox()


@pytest.fixture
def start_sandbox(sandboxes: Sandboxes) -> Callable[..., SandboxServer]:
    """Start emulators with a chosen state and knobs; all are stopped after the test."""

    def start(state: SandboxState | None = None, **kwargs: Any) -> SandboxServer:
        kwargs.setdefault("knobs", fast_knobs())
        return sandboxes.start(state, **kwargs)

    return start


@pytest.fixture
def open_client() -> Iterator[Callable[..., httpx.Client]]:
    """httpx clients on a server's base URL (proxies from the environment ignored)."""
    clients: list[httpx.Client] = []

    def make(server: SandboxServer, headers: dict[str, str] | None = None) -> httpx.Client:
        client = httpx.Client(
            base_url=server.base_url, headers=headers or {}, trust_env=False, timeout=10
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def token(sandbox: SandboxServer) -> str:
    """A valid access token for the demo user."""
    return str(sandbox.state.issue_token()["access_token"])


@pytest.fixture
def api(
    sandbox: SandboxServer, token: str, open_client: Callable[..., httpx.Client]
) -> httpx.Client:
    """A logged-in client of the demo sandbox."""
    return open_client(sandbox, api_headers(token))


@pytest.fixture
def anonymous(sandbox: SandboxServer, open_client: Callable[..., httpx.Client]) -> httpx.Client:
    """A client of the demo sandbox with the app's key but no token."""
    return open_client(sandbox, api_headers())


@pytest.fixture
def headers() -> Callable[..., dict[str, str]]:
    """Build well-behaved client headers: ``headers(token, **extra)``."""
    return api_headers


@pytest.fixture
def knobs() -> Callable[..., Knobs]:
    """Build fast knobs: ``knobs(**overrides)``."""
    return fast_knobs


@pytest.fixture
def recorded() -> Callable[[str], Any]:
    """Read a recorded Trakt response body from tests/fixtures/trakt-responses."""
    return load_fixture
