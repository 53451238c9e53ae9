"""Emulators on 127.0.0.1 for tests, and real-socket clients logged in to them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from trakt_plan.sandbox import SANDBOX_CLIENT_ID, Knobs, SandboxServer, SandboxState
from trakt_plan.sandbox import app as sandbox_app
from trakt_plan.sandbox import oauth as sandbox_oauth
from trakt_plan.sandbox import state as sandbox_state
from trakt_plan.trakt.auth import StaticTokenAuth
from trakt_plan.trakt.client import RetryPolicy, TraktClient

# Enough attempts to ride out the emulator's injected faults, with back-off in milliseconds.
QUICK_RETRY = RetryPolicy(attempts=12, base_delay=0.01, max_delay=0.05)


class Sandboxes:
    """Starts emulators with the caller's default knobs; ``stop_all`` stops every one."""

    def __init__(self, **default_knobs: Any) -> None:
        self.default_knobs = default_knobs
        self.servers: list[SandboxServer] = []

    def start(
        self, state: SandboxState | None = None, knobs: Knobs | None = None, **overrides: Any
    ) -> SandboxServer:
        """The demo account (or ``state``), knobs built from the defaults plus ``overrides``."""
        if knobs is None:
            knobs = Knobs(**{**self.default_knobs, **overrides})
        server = SandboxServer(state, knobs=knobs).start()
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()


@contextmanager
def sandboxes(**default_knobs: Any) -> Iterator[Sandboxes]:
    """``Sandboxes`` for a ``with`` block (module-scoped fixtures, one-off tests)."""
    started = Sandboxes(**default_knobs)
    try:
        yield started
    finally:
        started.stop_all()


def issue_token(server: SandboxServer) -> str:
    """A fresh access token for the emulator's demo user, as a login would get."""
    return str(server.state.issue_token()["access_token"])


def account_env(server: SandboxServer, token: str, **extra: str) -> dict[str, str]:
    """The variables a script sets to run trakt-plan against ``server`` with ``token``."""
    return {
        "TRAKT_API_BASE": server.base_url,
        "TRAKT_CLIENT_ID": SANDBOX_CLIENT_ID,
        "TRAKT_ACCESS_TOKEN": token,
        **extra,
    }


def connect(
    base_url: str,
    *,
    auth: httpx.Auth,
    http: httpx.Client | None = None,
    client_id: str = SANDBOX_CLIENT_ID,
    retry: RetryPolicy = QUICK_RETRY,
    **kw: Any,
) -> TraktClient:
    """A TraktClient over a real socket to an emulator at ``base_url`` (the caller closes it)."""
    return TraktClient(
        http if http is not None else httpx.Client(timeout=10),
        api_base=base_url,
        client_id=client_id,
        auth=auth,
        retry=retry,
        **kw,
    )


def connect_with_token(base_url: str, token: str, **kw: Any) -> TraktClient:
    """``connect`` with a fixed bearer token, as the CLI runs with TRAKT_ACCESS_TOKEN."""
    return connect(base_url, auth=StaticTokenAuth(token), **kw)


class EmulatorClock:
    """The emulator's clock, standing still until a test moves it on.

    Token lifetimes, device codes and rate limits then depend on what the test says, not
    on how fast a busy machine gets from one request to the next.
    """

    def __init__(self) -> None:
        self._wall = time.time()
        self._monotonic = time.monotonic()

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic

    def sleep(self, seconds: float) -> None:
        # Injected latency still really waits: it is about threads and sockets, not the clock.
        time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for the emulator, at once."""
        self._wall += seconds
        self._monotonic += seconds


# The emulator's modules that read the clock: a test stops it by handing them an EmulatorClock.
CLOCK_READERS = (sandbox_app, sandbox_oauth, sandbox_state)
