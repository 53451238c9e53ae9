"""Logging in with the device flow against the emulator on 127.0.0.1, through every status."""

from __future__ import annotations

import stat
import time
from typing import Any

import pytest

from trakt_plan.errors import AuthError
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxServer
from trakt_plan.settings import load_settings
from trakt_plan.trakt.auth import (
    OAuthApp,
    TokenStore,
    device_login,
    poll_device_token,
    request_device_code,
)
from trakt_plan.trakt.models import DeviceCode, Token

INTERVAL = 0.02


def poll_statuses(server: SandboxServer) -> list[int]:
    return [status for _, target, status in server.stats.log if target == "/oauth/device/token"]


def start_code(loopback: Any, server: SandboxServer) -> DeviceCode:
    return request_device_code(loopback.http(), OAuthApp(server.base_url, SANDBOX_CLIENT_ID))


def poll(loopback: Any, server: SandboxServer, code: DeviceCode, **kw: Any) -> Token:
    app = OAuthApp(server.base_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
    return poll_device_token(loopback.http(), app, code, **kw)


def test_login_polls_while_pending_then_saves_a_private_token(loopback: Any) -> None:
    """The user sees the code, two polls pend, the third brings a token saved 0600 in 0700."""
    server = loopback.start(device_interval=INTERVAL, device_auto_approve_after=2)
    shown: list[DeviceCode] = []
    settings = load_settings(api_base=server.base_url)
    store = TokenStore(settings.token_path)
    app = OAuthApp(settings.auth_base, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
    token = device_login(loopback.http(), app, store=store, on_code=shown.append)
    assert shown[0].verification_url == f"{server.base_url}/activate"
    assert len(shown[0].user_code) == 8
    assert poll_statuses(server) == [400, 400, 200]
    assert store.load() == token
    assert stat.S_IMODE(settings.token_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.token_path.parent.stat().st_mode) == 0o700
    client = loopback.client(server, auth=loopback.token_auth(server, store, loopback.http()))
    assert client.user_settings().user.username == "sandbox-user"


def test_login_approved_by_the_user_returns_their_token(loopback: Any) -> None:
    """Approving the user code on the activation side makes the next poll return a token."""
    server = loopback.start(device_interval=INTERVAL)
    code = start_code(loopback, server)
    polls = 0

    def sleep(seconds: float) -> None:
        nonlocal polls
        polls += 1
        if polls == 3:
            server.approve_device(code.user_code)
        time.sleep(seconds)

    token = poll(loopback, server, code, sleep=sleep)
    assert token.expires_at > time.time()
    assert poll_statuses(server) == [400, 400, 200]


def test_slow_down_doubles_the_polling_interval(loopback: Any, emulator_clock: Any) -> None:
    """After a 429 'slow down' the client waits twice as long before polling again."""
    server = loopback.start(device_interval=INTERVAL, device_auto_approve_after=1)
    code = start_code(loopback, server)
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        # The emulator's time passes as asked, except that the second wait is cut short, as a
        # too-eager poller would, to provoke "slow down" (however slowly the poll travels).
        emulator_clock.advance(0 if len(asked) == 2 else seconds)

    poll(loopback, server, code, sleep=sleep)
    assert poll_statuses(server) == [400, 429, 200]
    assert asked == [INTERVAL, INTERVAL, 2 * INTERVAL]


def test_an_unknown_device_code_is_refused(loopback: Any) -> None:
    """A device code Trakt never issued (404) stops the login with a clear message."""
    server = loopback.start(device_interval=INTERVAL)
    bogus = DeviceCode(
        device_code="0" * 64,
        user_code="DEADBEEF",
        verification_url="x",
        expires_in=600,
        interval=INTERVAL,
    )
    with pytest.raises(AuthError, match="does not know this login code"):
        poll(loopback, server, bogus)
    assert poll_statuses(server) == [404]


def test_a_code_used_once_cannot_log_in_again(loopback: Any) -> None:
    """Polling again with a code that already produced a token (409) says to start again."""
    server = loopback.start(device_interval=INTERVAL, device_auto_approve_after=0)
    code = start_code(loopback, server)
    poll(loopback, server, code)
    with pytest.raises(AuthError, match="already used") as caught:
        poll(loopback, server, code)
    assert "trakt-plan login" in str(caught.value)
    assert poll_statuses(server) == [200, 409]


def test_an_expired_code_says_to_start_again(loopback: Any) -> None:
    """A code that lapsed on Trakt's side (410) ends the login, asking for a new code."""
    server = loopback.start(device_interval=INTERVAL)
    code = start_code(loopback, server)
    server.expire_device(code.user_code)
    with pytest.raises(AuthError, match="expired") as caught:
        poll(loopback, server, code)
    assert "trakt-plan login" in str(caught.value)
    assert poll_statuses(server) == [410]


def test_a_denied_code_is_reported_as_denied(loopback: Any) -> None:
    """When the user refuses access (418), the login stops and says it was denied."""
    server = loopback.start(device_interval=INTERVAL)
    code = start_code(loopback, server)
    server.deny_device(code.user_code)
    with pytest.raises(AuthError, match="denied"):
        poll(loopback, server, code)
    assert poll_statuses(server) == [418]


def test_polling_stops_when_expires_in_runs_out(loopback: Any) -> None:
    """Nobody approves: after expires_in seconds of waiting the client gives up by itself."""
    server = loopback.start(device_interval=INTERVAL, device_expires_in=10)
    code = start_code(loopback, server)
    # Each real 20 ms wait counts as 2 s on the client's clock, so 10 s pass in ~0.1 s.
    fake_now = [0.0]

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        fake_now[0] += seconds * 100

    with pytest.raises(AuthError, match="expired before it was approved"):
        poll(loopback, server, code, sleep=sleep, clock=lambda: fake_now[0])
    statuses = poll_statuses(server)
    assert statuses == [400] * 4
    assert fake_now[0] >= code.expires_in
