"""Token refresh and environment tokens against the emulator on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from trakt_plan.errors import AuthError, Forbidden
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from trakt_plan.settings import load_settings
from trakt_plan.trakt.auth import OAuthApp, StaticTokenAuth, TokenStore, TraktAuth
from trakt_plan.trakt.models import Token


class LoggingStore(TokenStore):
    """A token store that notes each save in a shared event log."""

    def __init__(self, path: Path, log: list[tuple[str, str]]) -> None:
        super().__init__(path)
        self.log = log

    def save(self, token: Token) -> None:
        super().save(token)
        self.log.append(("saved", token.access_token))


def refresh_calls(server: Any) -> int:
    return int(server.stats.by_route[("POST", "/oauth/token")])


def test_an_expired_access_token_is_refreshed_and_saved_before_the_retry(
    loopback: Any, tmp_path: Path
) -> None:
    """On a 401 the pair is rotated, the new one is on disk, and only then is the call re-sent."""
    server = loopback.start()
    events: list[tuple[str, str]] = []
    store = LoggingStore(tmp_path / "token.json", events)
    first = Token.model_validate(server.state.issue_token())
    store.save(first)
    events.clear()

    def note(request: httpx.Request) -> None:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        events.append((f"{request.method} {request.url.path}", bearer))

    http = loopback.http(event_hooks={"request": [note]})
    client = loopback.client(server, auth=loopback.token_auth(server, store, http), http=http)
    server.expire_access_token(first.access_token)

    assert client.user_settings().user.username == "sandbox-user"
    saved = store.load()
    assert saved is not None and saved.access_token != first.access_token
    assert saved.refresh_token != first.refresh_token
    assert events == [
        ("GET /users/settings", first.access_token),
        ("POST /oauth/token", ""),
        ("saved", saved.access_token),
        ("GET /users/settings", saved.access_token),
    ]
    assert [status for _, _, status in server.stats.log] == [401, 200, 200]


def test_a_token_about_to_expire_is_refreshed_without_a_401(loopback: Any, tmp_path: Path) -> None:
    """A token inside the 10-minute margin is rotated first, so Trakt never answers 401."""
    server = loopback.start()
    store = TokenStore(tmp_path / "token.json")
    soon = Token.model_validate(server.state.issue_token(lifetime=300))
    store.save(soon)
    client = loopback.client(server, auth=loopback.token_auth(server, store, loopback.http()))
    client.last_activities()
    client.last_activities()
    assert refresh_calls(server) == 1
    assert server.stats.status_counts[401] == 0
    saved = store.load()
    assert saved is not None and saved.expires_in == server.knobs.token_lifetime


def test_concurrent_401s_refresh_only_once(loopback: Any, tmp_path: Path) -> None:
    """Six threads hit an expired token together; one refresh serves them all."""
    server = loopback.start()
    store = TokenStore(tmp_path / "token.json")
    first = Token.model_validate(server.state.issue_token())
    store.save(first)
    client = loopback.client(
        server, auth=loopback.token_auth(server, store, loopback.http()), concurrency=6
    )
    client.user_settings()
    server.expire_access_token(first.access_token)
    barrier = threading.Barrier(6)
    names: list[str] = []
    failures: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            names.append(client.user_settings().user.username)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert names == ["sandbox-user"] * 6
    assert refresh_calls(server) == 1


def test_a_dead_refresh_token_asks_for_a_new_login(loopback: Any, tmp_path: Path) -> None:
    """If Trakt refuses the refresh (400 invalid_grant) the error explains and names the fix."""
    server = loopback.start()
    store = TokenStore(tmp_path / "token.json")
    issued = Token.model_validate(server.state.issue_token())
    stale = issued.model_copy(update={"refresh_token": "used-up-refresh-token"})
    store.save(stale)
    server.expire_access_token(issued.access_token)
    client = loopback.client(server, auth=loopback.token_auth(server, store, loopback.http()))
    with pytest.raises(AuthError) as caught:
        client.history()
    message = str(caught.value)
    assert "trakt-plan login" in message and "July 2026" in message
    for secret in (issued.access_token, "used-up-refresh-token", SANDBOX_CLIENT_SECRET):
        assert secret not in message


def test_a_refresh_refused_for_the_app_points_at_the_app(loopback: Any, tmp_path: Path) -> None:
    """A wrong client secret (invalid_client) is reported as an app problem, not a stale login."""
    server = loopback.start()
    store = TokenStore(tmp_path / "token.json")
    issued = Token.model_validate(server.state.issue_token())
    store.save(issued)
    server.expire_access_token(issued.access_token)
    app = OAuthApp(server.base_url, SANDBOX_CLIENT_ID, "a-wrong-secret")
    auth = TraktAuth(store, http=loopback.http(), app=app)
    client = loopback.client(server, auth=auth)
    with pytest.raises(Forbidden, match="VIP") as caught:
        client.user_settings()
    assert "a-wrong-secret" not in str(caught.value)
    assert store.load() == issued


def test_environment_token_is_used_but_never_written(
    loopback: Any, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRAKT_ACCESS_TOKEN works for reads and writes and appears in no file afterwards."""
    server = loopback.start()
    token = server.state.issue_token()["access_token"]
    monkeypatch.setenv("TRAKT_ACCESS_TOKEN", token)
    settings = load_settings(api_base=server.base_url)
    assert settings.access_token == token
    client = loopback.client(server, auth=StaticTokenAuth(token))
    plays = client.history()
    client.remove_history([plays[0].id])
    assert len(client.history()) == len(plays) - 1
    assert not settings.token_path.exists()
    for path in isolated_config.rglob("*"):
        assert not path.is_file() or token not in path.read_text(errors="replace")


def test_a_rejected_environment_token_is_not_refreshed(loopback: Any) -> None:
    """An expired TRAKT_ACCESS_TOKEN fails at once with AuthError naming the variable."""
    server = loopback.start()
    token = server.state.issue_token()["access_token"]
    server.expire_access_token(token)
    client = loopback.client(server, auth=StaticTokenAuth(token))
    with pytest.raises(AuthError, match="TRAKT_ACCESS_TOKEN") as caught:
        client.user_settings()
    assert token not in str(caught.value)
    assert refresh_calls(server) == 0


def test_an_unknown_api_key_is_forbidden_with_the_vip_hint(loopback: Any) -> None:
    """A client id Trakt does not know gets a JSON 403: Forbidden, sent once, VIP rule named."""
    server = loopback.start()
    client = loopback.client(server, client_id="not-a-real-client-id")
    with pytest.raises(Forbidden, match="VIP") as caught:
        client.user_settings()
    assert "blocked" not in str(caught.value)
    assert server.stats.requests == 1


def test_token_refresh_keeps_the_expiry_from_trakt(loopback: Any, tmp_path: Path) -> None:
    """The saved expiry is created_at + expires_in from Trakt, never a hard-coded lifetime."""
    server = loopback.start(token_lifetime=86_400)
    store = TokenStore(tmp_path / "token.json")
    first = Token.model_validate(server.state.issue_token(lifetime=60))
    store.save(first)
    loopback.client(server, auth=loopback.token_auth(server, store, loopback.http())).history()
    saved = store.load()
    assert saved is not None
    assert abs(saved.expires_at - (time.time() + 86_400)) < 5
