"""Doubles for the client tests: a fake clock that sleeping advances, and mock-transport clients."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.sandbox import Sandboxes, connect, issue_token
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxServer, SandboxState
from trakt_plan.trakt.auth import OAuthApp, StaticTokenAuth, TokenStore, TraktAuth
from trakt_plan.trakt.client import RetryPolicy, TraktClient

API = "https://api.test"
AUTH = "https://auth.test"
CLIENT_ID = "test-client-id"

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A monotonic clock that only moves when someone sleeps; every sleep is recorded."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(seconds, 0.0)


class Recorder:
    """Wraps a handler and keeps every request it saw, in order (thread-safe)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        return self.handler(request)

    def paths(self) -> list[str]:
        with self._lock:
            return [request.url.path for request in self.requests]

    def pages(self) -> list[int]:
        """The ``page`` parameter of every request, in order."""
        with self._lock:
            return [int(r.url.params["page"]) for r in self.requests if "page" in r.url.params]

    def methods(self) -> list[str]:
        with self._lock:
            return [request.method for request in self.requests]


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh fake clock per test."""
    return FakeTime()


@pytest.fixture
def retry_policy() -> RetryPolicy:
    """The retry budget of clients built by ``make_client`` (small: the clock is fake anyway)."""
    return RetryPolicy(attempts=4, base_delay=0.5, max_delay=4.0)


@pytest.fixture
def make_client(
    fake_time: FakeTime, retry_policy: RetryPolicy
) -> Iterator[Callable[..., tuple[TraktClient, Recorder]]]:
    """Build a TraktClient over a MockTransport with the fake clock; closed after the test."""
    clients: list[TraktClient] = []

    def build(handler: Handler, **kw: Any) -> tuple[TraktClient, Recorder]:
        recorder = Recorder(handler)
        http = httpx.Client(transport=httpx.MockTransport(recorder))
        kw.setdefault("retry", retry_policy)
        client = TraktClient(
            http,
            api_base=kw.pop("api_base", API),
            client_id=CLIENT_ID,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            **kw,
        )
        clients.append(client)
        return client, recorder

    yield build
    for client in clients:
        client.close()


def _play(history_id: int, *, episode: int = 1, show: int = 1394) -> dict[str, Any]:
    return {
        "id": history_id,
        "watched_at": "2025-11-17T01:02:03.000Z",
        "action": "watch",
        "type": "episode",
        "episode": {"season": 1, "number": episode, "title": None, "ids": {"trakt": 100 + episode}},
        "show": {"title": "A Show", "year": 2013, "ids": {"trakt": show, "slug": "a-show"}},
    }


@pytest.fixture
def play() -> Callable[..., dict[str, Any]]:
    """Build one episode play in Trakt's JSON shape: ``play(history_id, episode=, show=)``."""
    return _play


class Loopback:
    """Starts emulators on 127.0.0.1 and builds real-socket clients for them; cleans up after."""

    def __init__(self) -> None:
        # Fast test knobs (writes 50 ms apart) unless a test says otherwise.
        self._sandboxes = Sandboxes(write_interval=0.05)
        self._closers: list[Callable[[], None]] = []

    def start(self, state: SandboxState | None = None, **knobs: Any) -> SandboxServer:
        """An emulator with fast test knobs (writes 50 ms apart) unless told otherwise."""
        return self._sandboxes.start(state, **knobs)

    def http(self, **kw: Any) -> httpx.Client:
        kw.setdefault("timeout", 10.0)
        http = httpx.Client(**kw)
        self._closers.append(http.close)
        return http

    def token_auth(
        self, server: SandboxServer, store: TokenStore, http: httpx.Client, **kw: Any
    ) -> TraktAuth:
        """A TraktAuth with the sandbox app's credentials, refreshing against the emulator."""
        app = OAuthApp(server.base_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
        return TraktAuth(store, http=http, app=app, **kw)

    def client(
        self,
        server: SandboxServer,
        *,
        auth: httpx.Auth | None = None,
        http: httpx.Client | None = None,
        **kw: Any,
    ) -> TraktClient:
        """A TraktClient over a real socket; without ``auth`` it gets a fresh bearer token."""
        if auth is None:
            auth = StaticTokenAuth(issue_token(server))
        kw.setdefault("write_interval", server.knobs.write_interval)
        kw.setdefault("retry", RetryPolicy(attempts=8, base_delay=0.005, max_delay=0.05))
        client = connect(server.base_url, auth=auth, http=http or self.http(), **kw)
        self._closers.append(client.close)
        return client

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._sandboxes.stop_all()


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    """Emulators on loopback and clients for them, all stopped and closed after the test."""
    helper = Loopback()
    yield helper
    helper.close()
