"""Logging in with the device flow, refreshing (single-use refresh tokens) and revoking."""

from __future__ import annotations

import pytest

from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def auth(sandbox, open_client, headers):
    """A client of the OAuth routes (User-Agent and JSON, no API key needed)."""
    return open_client(sandbox, {"User-Agent": headers()["User-Agent"]})


def _new_code(auth):
    response = auth.post("/oauth/device/code", json={"client_id": SANDBOX_CLIENT_ID})
    assert response.status_code == 200
    return response.json()


def _poll(auth, code):
    return auth.post(
        "/oauth/device/token",
        json={"code": code, "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET},
    )


def _refresh(auth, refresh_token, **overrides):
    body = {
        "refresh_token": refresh_token,
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "redirect_uri": OOB,
        "grant_type": "refresh_token",
    }
    body.update(overrides)
    return auth.post("/oauth/token", json=body)


def test_device_code_describes_what_to_show_the_user(sandbox, auth):
    """The device code response has an 8-character user code and this server's /activate URL."""
    code = _new_code(auth)
    assert len(code["user_code"]) == 8
    assert code["verification_url"] == f"{sandbox.base_url}/activate"
    assert code["expires_in"] == 600
    assert code["interval"] == 0.05


def test_device_flow_pending_slow_down_approved_then_used(
    sandbox, auth, open_client, headers, emulator_clock
):
    """Polls say pending (400), too fast (429), then give a token (200) once, then 409."""
    code = _new_code(auth)
    assert _poll(auth, code["device_code"]).status_code == 400
    assert _poll(auth, code["device_code"]).status_code == 429
    emulator_clock.advance(code["interval"])
    sandbox.approve_device(code["user_code"])
    granted = _poll(auth, code["device_code"])
    assert granted.status_code == 200
    token = granted.json()
    assert set(token) == {
        "access_token", "refresh_token", "expires_in", "created_at", "token_type", "scope",
    }  # fmt: skip
    assert token["expires_in"] == 604800
    assert token["created_at"] == int(emulator_clock.time())
    me = open_client(sandbox, headers(token["access_token"])).get("/users/settings")
    assert me.json()["user"]["username"] == "sandbox-user"
    emulator_clock.advance(code["interval"])
    assert _poll(auth, code["device_code"]).status_code == 409


def test_device_flow_unknown_expired_and_denied_codes(sandbox, auth):
    """An unknown code gets 404, an expired one 410 and a denied one 418."""
    assert _poll(auth, "no-such-code").status_code == 404
    expired = _new_code(auth)
    sandbox.expire_device(expired["user_code"])
    assert _poll(auth, expired["device_code"]).status_code == 410
    denied = _new_code(auth)
    sandbox.deny_device(denied["user_code"])
    assert _poll(auth, denied["device_code"]).status_code == 418


def test_device_code_lapses_after_expires_in(sandbox, auth, emulator_clock):
    """With a one-second lifetime the code answers pending within that second, then 410."""
    sandbox.knobs.device_expires_in = 1
    code = _new_code(auth)
    emulator_clock.advance(0.5)
    assert _poll(auth, code["device_code"]).status_code == 400
    emulator_clock.advance(0.5)
    assert _poll(auth, code["device_code"]).status_code == 410


def test_device_code_auto_approves_after_n_pending_polls(sandbox, auth, emulator_clock):
    """With device_auto_approve_after=2 the third poll returns a token for the default user."""
    sandbox.knobs.device_auto_approve_after = 2
    code = _new_code(auth)
    statuses = []
    for _ in range(3):
        statuses.append(_poll(auth, code["device_code"]).status_code)
        emulator_clock.advance(code["interval"])
    assert statuses == [400, 400, 200]


def test_device_flow_rejects_a_wrong_client(auth):
    """A device code request for another app gets 401 invalid_client."""
    response = auth.post("/oauth/device/code", json={"client_id": "other-app"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_rotates_and_kills_the_old_pair(sandbox, auth, open_client, headers):
    """A refresh gives a new pair; the old refresh token is refused and the old access dies."""
    old = sandbox.state.issue_token()
    first = _refresh(auth, old["refresh_token"])
    assert first.status_code == 200
    new = first.json()
    assert new["refresh_token"] != old["refresh_token"]
    assert new["access_token"] != old["access_token"]
    again = _refresh(auth, old["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert "error_description" in again.json()
    assert (
        open_client(sandbox, headers(old["access_token"])).get("/users/settings").status_code == 401
    )
    assert (
        open_client(sandbox, headers(new["access_token"])).get("/users/settings").status_code == 200
    )


def test_refresh_works_after_the_access_token_expired(sandbox, auth):
    """An expired access token can still be refreshed with its refresh token."""
    old = sandbox.state.issue_token()
    sandbox.expire_access_token(old["access_token"])
    assert _refresh(auth, old["refresh_token"]).status_code == 200


def test_refresh_needs_the_right_client_and_redirect_uri(sandbox, auth):
    """A wrong secret is 401 invalid_client; a wrong redirect_uri is 400 invalid_grant."""
    token = sandbox.state.issue_token()
    wrong_client = _refresh(auth, token["refresh_token"], client_secret="guess")
    assert wrong_client.status_code == 401
    assert wrong_client.json()["error"] == "invalid_client"
    wrong_uri = _refresh(auth, token["refresh_token"], redirect_uri="http://localhost/")
    assert wrong_uri.status_code == 400
    assert wrong_uri.json()["error"] == "invalid_grant"


def test_refresh_token_lifetime_follows_the_knob(sandbox, auth):
    """Tokens from a refresh carry knobs.token_lifetime as expires_in."""
    sandbox.knobs.token_lifetime = 86400
    token = sandbox.state.issue_token()
    assert _refresh(auth, token["refresh_token"]).json()["expires_in"] == 86400


def test_revoke_answers_200_empty_and_the_token_stops_working(sandbox, auth, open_client, headers):
    """Revoking an access token gives 200 with no body; the token then gets 401."""
    token = sandbox.state.issue_token()
    response = auth.post(
        "/oauth/revoke",
        json={
            "token": token["access_token"],
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200
    assert response.content == b""
    assert (
        open_client(sandbox, headers(token["access_token"])).get("/sync/history").status_code == 401
    )
    assert _refresh(auth, token["refresh_token"]).status_code == 400


def test_activate_page_approves_a_code_for_the_default_user(sandbox, auth):
    """Submitting the /activate form approves the code, so the next poll gets a token."""
    code = _new_code(auth)
    page = auth.get(f"/activate/{code['user_code']}")
    assert page.status_code == 200
    assert code["user_code"] in page.text
    submitted = auth.post("/activate", data={"user_code": code["user_code"].lower()})
    assert submitted.status_code == 200
    assert _poll(auth, code["device_code"]).status_code == 200
