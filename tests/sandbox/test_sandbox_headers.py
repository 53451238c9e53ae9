"""What the emulator answers to clients that get the headers, token or body wrong."""

from __future__ import annotations


def test_missing_user_agent_gets_cloudflare_block_page(sandbox, open_client, headers, token):
    """A request without a User-Agent is blocked by 'Cloudflare' with an HTML page, not JSON."""
    sent = headers(token)
    del sent["User-Agent"]
    client = open_client(sandbox, sent)
    # httpx adds its own User-Agent unless told not to; an empty one counts as missing.
    response = client.get("/users/settings", headers={"User-Agent": ""})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["server"] == "cloudflare"
    assert "Attention Required! | Cloudflare" in response.text


def test_wrong_api_key_is_forbidden(sandbox, open_client, headers, token):
    """An app key other than the sandbox client id gets 403."""
    client = open_client(sandbox, headers(token, **{"trakt-api-key": "someone-else"}))
    assert client.get("/users/settings").status_code == 403


def test_missing_api_key_is_forbidden(sandbox, open_client, headers, token):
    """Leaving out trakt-api-key gets 403 as well."""
    sent = headers(token)
    del sent["trakt-api-key"]
    assert open_client(sandbox, sent).get("/sync/history").status_code == 403


def test_wrong_api_version_is_a_bad_request_but_a_missing_one_is_tolerated(
    sandbox, open_client, headers, token
):
    """trakt-api-version 3 gets 400, while leaving the header out still works."""
    wrong = open_client(sandbox, headers(token, **{"trakt-api-version": "3"}))
    assert wrong.get("/users/settings").status_code == 400
    sent = headers(token)
    del sent["trakt-api-version"]
    assert open_client(sandbox, sent).get("/users/settings").status_code == 200


def test_sync_without_token_is_unauthorized_with_a_challenge(anonymous):
    """Reading /sync/history without a token gets 401 and a WWW-Authenticate header."""
    response = anonymous.get("/sync/history")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_settings_without_token_is_unauthorized(anonymous):
    """/users/settings needs a token too."""
    assert anonymous.get("/users/settings").status_code == 401


def test_unknown_token_is_unauthorized(sandbox, open_client, headers):
    """A bearer token the sandbox never issued gets 401 with error invalid_token."""
    response = open_client(sandbox, headers("not-a-token")).get("/sync/last_activities")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_expired_token_is_unauthorized(sandbox, api, token):
    """Once the test expires the access token, its next use gets 401."""
    assert api.get("/users/settings").status_code == 200
    sandbox.expire_access_token(token)
    response = api.get("/users/settings")
    assert response.status_code == 401
    assert "expired" in response.headers["www-authenticate"]


def test_token_past_its_lifetime_is_unauthorized(sandbox, open_client, headers, emulator_clock):
    """A token issued with a one-hour lifetime works, and stops working once that hour is up."""
    issued = sandbox.state.issue_token(lifetime=3600)
    client = open_client(sandbox, headers(issued["access_token"]))
    assert client.get("/users/settings").status_code == 200
    emulator_clock.advance(3599)
    assert client.get("/users/settings").status_code == 200
    emulator_clock.advance(1)
    assert client.get("/users/settings").status_code == 401


def test_post_with_a_non_json_content_type_fails_the_precondition(api):
    """A remove sent as form data gets 412 and removes nothing."""
    response = api.post("/sync/history/remove", data={"ids": "10000000027"})
    assert response.status_code == 412
    assert api.get("/sync/history/shows/1394", params={"limit": 1}).json()[0]["id"] == 10000000027


def test_post_with_broken_json_is_a_bad_request(api):
    """An unparseable JSON body gets 400."""
    response = api.post(
        "/sync/history/remove",
        content=b'{"ids": [1,',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_wrong_verb_is_not_allowed(api):
    """DELETE on /sync/history gets 405 with the verbs it does take."""
    response = api.delete("/sync/history")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"
