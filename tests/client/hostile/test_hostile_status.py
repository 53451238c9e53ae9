"""Statuses that must stop the client with an explanation: 401 after refresh, 420, 423, 426."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from trakt_plan.errors import AccountLimitExceeded, AccountLocked, AuthError, VipRequired
from trakt_plan.trakt.auth import OAuthApp, TokenStore, TraktAuth
from trakt_plan.trakt.models import Token

MakeClient = Callable[..., Any]
Play = Callable[..., dict[str, Any]]

AUTH_HOST = "auth.test"


def test_401_after_a_successful_refresh_asks_to_log_in_again(
    make_client: MakeClient, tmp_path: Path
) -> None:
    """When the API rejects even a freshly rotated token, AuthError says to log in again."""
    store = TokenStore(tmp_path / "token.json")
    store.save(
        Token(
            access_token="old", refresh_token="r1", expires_in=86_400, created_at=int(time.time())
        )
    )
    fresh = {
        "access_token": "new",
        "refresh_token": "r2",
        "token_type": "bearer",
        "expires_in": 604_800,
        "created_at": int(time.time()),
        "scope": "public",
    }
    bearers: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == AUTH_HOST:
            return httpx.Response(200, json=fresh)
        bearers.append(request.headers["Authorization"])
        return httpx.Response(401, json={"error": "invalid_token"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as auth_http:
        app = OAuthApp(f"https://{AUTH_HOST}", "hostile-client-id", "secret")
        auth = TraktAuth(store, http=auth_http, app=app)
        client, _ = make_client(handler, auth=auth)
        with pytest.raises(AuthError) as caught:
            client.user_settings()
    message = str(caught.value)
    assert type(caught.value) is AuthError
    assert "even after refreshing" in message and "Run `trakt-plan login`" in message
    assert bearers == ["Bearer old", "Bearer new"]
    saved = store.load()
    assert saved is not None and saved.access_token == "new"
    assert "new" not in message and "r2" not in message


def test_420_explains_the_account_limit_and_is_not_retried(make_client: MakeClient) -> None:
    """A 420 raises AccountLimitExceeded with the limit and the upgrade link, after one request."""
    client, recorder = make_client(
        lambda request: httpx.Response(
            420,
            headers={
                "X-Account-Limit": "100000",
                "X-VIP-User": "false",
                "X-Upgrade-URL": "https://trakt.tv/vip",
            },
        )
    )
    with pytest.raises(AccountLimitExceeded) as caught:
        client.remove_history([1])
    message = str(caught.value)
    assert "account limit was reached (limit: 100000)" in message
    assert "https://trakt.tv/vip" in message
    assert recorder.methods() == ["POST"]


def test_423_mid_read_stops_the_read_and_every_later_call(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """A locked account on page 3 stops the read, explains it, and no later call reaches Trakt."""
    history = live([play(n) for n in range(20, 0, -1)], page_size=4)
    history.before = lambda number, page: (
        httpx.Response(423, headers={"X-Account-Locked": "true"}) if page == 3 else None
    )
    client, recorder = make_client(history, concurrency=4)
    with pytest.raises(AccountLocked) as caught:
        client.history()
    assert "this account is locked" in str(caught.value)
    assert "https://trakt.tv/support" in str(caught.value)
    sent = len(recorder.requests)
    assert sent <= 5 and recorder.pages().count(1) == 1
    with pytest.raises(AccountLocked):
        client.remove_history([1, 2])
    assert len(recorder.requests) == sent and "POST" not in recorder.methods()


def test_426_points_at_the_vip_upgrade(make_client: MakeClient) -> None:
    """A 426 raises VipRequired naming the call and the upgrade URL Trakt sent."""
    client, _ = make_client(
        lambda request: httpx.Response(426, headers={"X-Upgrade-URL": "https://trakt.tv/vip/x"})
    )
    with pytest.raises(VipRequired) as caught:
        client.history()
    assert "GET /sync/history needs a Trakt VIP subscription" in str(caught.value)
    assert "https://trakt.tv/vip/x" in str(caught.value)


def test_an_exact_search_404_means_no_exact_match(make_client: MakeClient) -> None:
    """A 404 from /search/show/exact means no exact show; the movie's exact match still counts."""
    movie = {"type": "movie", "score": None, "movie": {"title": "Dune", "ids": {"trakt": 7}}}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/search/show/exact":
            return httpx.Response(404)
        return httpx.Response(200, json=[movie])

    client, recorder = make_client(handler)
    results = client.search("Dune", ("show", "movie"), exact=True)
    assert [(r.type, r.media.ids.trakt) for r in results] == [("movie", 7)]
    assert [r.url.path for r in recorder.requests] == ["/search/show/exact", "/search/movie/exact"]
