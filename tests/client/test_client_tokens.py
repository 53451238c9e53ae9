"""The token file and the refresh logic, without a server (httpx.MockTransport)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from trakt_plan.errors import AuthError, Forbidden
from trakt_plan.trakt.auth import OAuthApp, TokenStore, TraktAuth, refresh_token, revoke_token
from trakt_plan.trakt.client import TraktClient
from trakt_plan.trakt.models import Token

NOW = 1_800_000_000


def token(name: str, *, created_at: int = NOW, expires_in: int = 604_800) -> Token:
    return Token(
        access_token=f"access-{name}",
        refresh_token=f"refresh-{name}",
        expires_in=expires_in,
        created_at=created_at,
        scope="public",
    )


def test_saved_token_is_private_and_round_trips(tmp_path: Path) -> None:
    """save writes the file 0600 inside a directory created 0700, and load reads it back."""
    store = TokenStore(tmp_path / "config" / "token.json")
    store.save(token("a"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert store.load() == token("a")
    assert store.insecure_permissions is False


def test_no_token_file_means_not_logged_in(tmp_path: Path) -> None:
    """load returns None when the file does not exist, and delete reports there was nothing."""
    store = TokenStore(tmp_path / "token.json")
    assert store.load() is None
    assert store.delete() is False


def test_delete_removes_the_saved_token(tmp_path: Path) -> None:
    """delete removes the file and says so."""
    store = TokenStore(tmp_path / "token.json")
    store.save(token("a"))
    assert store.delete() is True
    assert store.load() is None


@pytest.mark.parametrize("content", ["{not json", '{"access_token": "x"}', "[]"])
def test_a_damaged_token_file_asks_for_a_new_login(tmp_path: Path, content: str) -> None:
    """A corrupt file raises AuthError naming the path and `trakt-plan login`, not a traceback."""
    path = tmp_path / "token.json"
    path.write_text(content)
    with pytest.raises(AuthError) as caught:
        TokenStore(path).load()
    assert str(path) in str(caught.value) and "trakt-plan login" in str(caught.value)


def test_a_token_file_others_can_read_still_loads_with_a_warning(tmp_path: Path) -> None:
    """A 0644 token file is used; the store flags it and warns once, with the fix."""
    path = tmp_path / "token.json"
    path.write_text(json.dumps(token("a").model_dump()))
    path.chmod(0o644)
    warnings: list[str] = []
    store = TokenStore(path, on_insecure=warnings.append)
    assert store.load() == token("a")
    assert store.load() == token("a")
    assert store.insecure_permissions is True
    assert len(warnings) == 1 and "chmod 600" in warnings[0]
    assert "access-a" not in warnings[0]


class OneTokenTrakt:
    """API and auth host in one MockTransport handler: one valid access token at a time."""

    def __init__(
        self, valid: str, *, refresh_status: int = 200, honour_refresh: bool = True
    ) -> None:
        self.valid = valid
        self.refresh_status = refresh_status
        self.honour_refresh = honour_refresh
        self.log: list[tuple[str, str]] = []
        self.refresh_bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.log.append((request.url.host, request.headers.get("Authorization", "")))
        if request.url.path == "/oauth/token":
            body = json.loads(request.content)
            self.refresh_bodies.append(body)
            if self.refresh_status != 200:
                return httpx.Response(
                    self.refresh_status,
                    json={"error": "invalid_grant", "error_description": "refresh-secret echoed"},
                )
            fresh = token(f"new{len(self.refresh_bodies)}")
            if self.honour_refresh:
                self.valid = fresh.access_token
            return httpx.Response(200, json=fresh.model_dump())
        if request.headers.get("Authorization") != f"Bearer {self.valid}":
            return httpx.Response(401, json={"error": "invalid_token"})
        return httpx.Response(200, json={"user": {"username": "sean"}})


def build(
    tmp_path: Path, trakt: OneTokenTrakt, saved: Token, *, now: float
) -> tuple[TraktClient, TokenStore]:
    store = TokenStore(tmp_path / "token.json")
    store.save(saved)
    http = httpx.Client(transport=httpx.MockTransport(trakt))
    app = OAuthApp("https://auth.test", "cid", "csecret")
    auth = TraktAuth(store, http=http, app=app, clock=lambda: now)
    client = TraktClient(http, api_base="https://api.test", client_id="cid", auth=auth)
    return client, store


def test_a_token_near_expiry_is_refreshed_before_the_request(tmp_path: Path) -> None:
    """Within the 10-minute margin the pair is rotated first and saved, so no 401 is ever seen."""
    trakt = OneTokenTrakt(valid="access-old")
    old = token("old", created_at=NOW - 604_800 + 300)
    client, store = build(tmp_path, trakt, old, now=NOW)
    with client:
        assert client.user_settings().user.username == "sean"
    assert trakt.log == [("auth.test", ""), ("api.test", "Bearer access-new1")]
    assert trakt.refresh_bodies == [
        {
            "refresh_token": "refresh-old",
            "client_id": "cid",
            "client_secret": "csecret",
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            "grant_type": "refresh_token",
        }
    ]
    saved = store.load()
    assert saved is not None and saved.refresh_token == "refresh-new1"


def test_a_401_refreshes_once_and_resends(tmp_path: Path) -> None:
    """A token Trakt revoked early gets one refresh and the request goes again with the new one."""
    trakt = OneTokenTrakt(valid="access-elsewhere")
    client, store = build(tmp_path, trakt, token("old"), now=NOW)
    with client:
        assert client.user_settings().user.username == "sean"
    assert [auth for _, auth in trakt.log] == ["Bearer access-old", "", "Bearer access-new1"]
    saved = store.load()
    assert saved is not None and saved.access_token == "access-new1"


def test_a_second_401_after_refresh_asks_for_login(tmp_path: Path) -> None:
    """If the refreshed token is rejected too, AuthError tells the user to log in again."""
    trakt = OneTokenTrakt(valid="never-valid", honour_refresh=False)
    client, _ = build(tmp_path, trakt, token("old"), now=NOW)
    with client, pytest.raises(AuthError, match="trakt-plan login"):
        client.user_settings()
    assert len(trakt.refresh_bodies) == 1


@pytest.mark.parametrize("status", [400, 401])
def test_a_refused_refresh_explains_the_auth_migration(tmp_path: Path, status: int) -> None:
    """A 400 invalid_grant (or old-style 401) on refresh names the July 2026 migration."""
    trakt = OneTokenTrakt(valid="access-elsewhere", refresh_status=status)
    client, _ = build(tmp_path, trakt, token("old"), now=NOW)
    with client, pytest.raises(AuthError) as caught:
        client.user_settings()
    message = str(caught.value)
    assert "July 2026" in message and "trakt-plan login" in message and "invalid_grant" in message
    assert "refresh-old" not in message and "refresh-secret" not in message


def test_a_token_rotated_by_another_process_is_picked_up(tmp_path: Path) -> None:
    """If the token file already holds a newer pair, it is used instead of burning a refresh."""
    trakt = OneTokenTrakt(valid="access-old")
    client, store = build(tmp_path, trakt, token("old"), now=NOW)
    with client:
        client.user_settings()
        store.save(token("other"))
        trakt.valid = "access-other"
        assert client.user_settings().user.username == "sean"
    assert trakt.refresh_bodies == []
    assert trakt.log[-1] == ("api.test", "Bearer access-other")


def test_an_expired_pair_from_another_process_is_the_one_refreshed(tmp_path: Path) -> None:
    """When the file holds a newer but expiring pair, its refresh token (not ours) is used."""
    trakt = OneTokenTrakt(valid="access-old")
    client, store = build(tmp_path, trakt, token("old"), now=NOW)
    with client:
        client.user_settings()
        store.save(token("other", created_at=NOW - 604_800))
        trakt.valid = "access-gone"
        assert client.user_settings().user.username == "sean"
    assert [body["refresh_token"] for body in trakt.refresh_bodies] == ["refresh-other"]


def test_missing_login_is_an_auth_error(tmp_path: Path) -> None:
    """With no token file, a request raises AuthError asking to run `trakt-plan login`."""
    store = TokenStore(tmp_path / "token.json")
    with httpx.Client(transport=httpx.MockTransport(OneTokenTrakt(valid="x"))) as http:
        auth = TraktAuth(store, http=http, app=OAuthApp("https://auth.test", "c", "s"))
        client = TraktClient(http, api_base="https://api.test", client_id="c", auth=auth)
        with pytest.raises(AuthError, match="trakt-plan login"):
            client.user_settings()


def test_refresh_of_a_removed_app_mentions_the_vip_rule() -> None:
    """invalid_client on refresh (an app Trakt removed) raises Forbidden naming the VIP change."""
    handler = httpx.MockTransport(
        lambda request: httpx.Response(403, json={"error": "invalid_client"})
    )
    with httpx.Client(transport=handler) as http, pytest.raises(Forbidden, match="VIP"):
        refresh_token(http, OAuthApp("https://auth.test", "c", "s"), "r")


def test_revoke_posts_the_token_to_the_auth_host() -> None:
    """revoke_token sends the access token with the app's credentials to /oauth/revoke."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        revoke_token(http, OAuthApp("https://auth.test/", "c", "s"), "t")
    assert str(seen[0].url) == "https://auth.test/oauth/revoke"
    assert json.loads(seen[0].content) == {"token": "t", "client_id": "c", "client_secret": "s"}
    assert seen[0].headers["Content-Type"] == "application/json"
