"""How the client meets Trakt's errors: what it retries, what it stops on, what it says."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from trakt_plan.errors import (
    AccountLimitExceeded,
    AccountLocked,
    ApiError,
    AuthError,
    Forbidden,
    NetworkError,
    NotFound,
    RateLimited,
    TraktPlanError,
    VipRequired,
    WriteOutcomeUnknown,
)
from trakt_plan.trakt.auth import StaticTokenAuth
from trakt_plan.trakt.client import RetryPolicy
from trakt_plan.trakt.models import PlayToAdd

MakeClient = Callable[..., Any]
SETTINGS = {"user": {"username": "sean"}, "account": {"timezone": "UTC"}}
REMOVED = {"deleted": {"movies": 0, "episodes": 1}, "not_found": {"ids": []}}
PLAY = PlayToAdd(type="episode", trakt_id=73482, watched_at=datetime(2025, 1, 1, tzinfo=UTC))


def sequence(*responses: Callable[[httpx.Request], httpx.Response]) -> Callable[..., Any]:
    """A handler answering the n-th request with the n-th behaviour (the last one repeats)."""
    calls = iter(range(10_000))

    def handler(request: httpx.Request) -> httpx.Response:
        index = min(next(calls), len(responses) - 1)
        return responses[index](request)

    return handler


def status(code: int, **kw: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, **kw)


def drop(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused")


def test_429_waits_retry_after_then_succeeds(make_client: MakeClient, fake_time: Any) -> None:
    """A 429 with Retry-After: 2.5 waits 2.5 s and the same request then succeeds."""
    client, recorder = make_client(
        sequence(status(429, headers={"Retry-After": "2.5"}), status(200, json=SETTINGS))
    )
    assert client.user_settings().user.username == "sean"
    assert fake_time.sleeps == [2.5]
    assert len(recorder.requests) == 2
    assert (client.stats.rate_limited, client.stats.retries) == (1, 1)


@pytest.mark.parametrize("header", [None, "soon", "-3", "nan"])
def test_429_without_a_usable_retry_after_waits_one_second(
    make_client: MakeClient, fake_time: Any, header: str | None
) -> None:
    """A missing or garbled Retry-After means a 1 s wait, never a hot loop."""
    headers = {"Retry-After": header} if header is not None else {}
    client, _ = make_client(sequence(status(429, headers=headers), status(200, json=SETTINGS)))
    client.user_settings()
    assert fake_time.sleeps == [1.0]


def test_endless_429s_end_in_rate_limited(make_client: MakeClient, fake_time: Any) -> None:
    """After max_rate_limit_waits 429s in a row the client gives up with RateLimited."""
    client, recorder = make_client(
        status(429, headers={"Retry-After": "1"}),
        retry=RetryPolicy(max_rate_limit_waits=3),
    )
    with pytest.raises(RateLimited) as caught:
        client.last_activities()
    assert len(recorder.requests) == 4
    assert fake_time.sleeps == [1.0, 1.0, 1.0]
    assert "GET /sync/last_activities" in str(caught.value)


@pytest.mark.parametrize("code", [500, 502, 503, 504, 520, 521, 522])
def test_server_errors_are_retried_with_capped_backoff(
    make_client: MakeClient, fake_time: Any, code: int
) -> None:
    """5xx and Cloudflare 52x answers are retried after a jittered, capped pause."""
    client, recorder = make_client(sequence(status(code), status(code), status(200, json=SETTINGS)))
    assert client.user_settings().user.username == "sean"
    assert len(recorder.requests) == 3
    assert len(fake_time.sleeps) == 2
    assert 0 <= fake_time.sleeps[0] <= 0.5 and 0 <= fake_time.sleeps[1] <= 1.0


def test_backoff_never_exceeds_max_delay(make_client: MakeClient, fake_time: Any) -> None:
    """Even after many failures, each pause stays under the policy's max_delay."""
    client, recorder = make_client(
        status(503), retry=RetryPolicy(attempts=12, base_delay=1.0, max_delay=3.0)
    )
    with pytest.raises(ApiError) as caught:
        client.user_settings()
    assert len(recorder.requests) == 12
    assert max(fake_time.sleeps) <= 3.0
    assert caught.value.status == 503
    assert "GET /users/settings" in str(caught.value) and "12 attempts" in str(caught.value)


def test_dropped_connections_are_retried_for_reads(make_client: MakeClient) -> None:
    """A read whose connection dropped or timed out is simply sent again."""

    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    client, recorder = make_client(sequence(drop, time_out, refuse, status(200, json=SETTINGS)))
    assert client.user_settings().user.username == "sean"
    assert len(recorder.requests) == 4


def test_a_network_that_stays_down_ends_in_network_error(make_client: MakeClient) -> None:
    """When every attempt fails to connect, NetworkError names the endpoint and the count."""
    client, recorder = make_client(refuse)
    with pytest.raises(NetworkError) as caught:
        client.remove_history([1, 2])
    assert len(recorder.requests) == 4
    assert "POST /sync/history/remove" in str(caught.value)
    assert "4 attempts" in str(caught.value)


def test_removals_are_retried_after_a_drop(make_client: MakeClient) -> None:
    """remove_history is idempotent, so a dropped connection or a 502 is retried."""
    client, recorder = make_client(sequence(drop, status(502), status(200, json=REMOVED)))
    assert client.remove_history([7]).deleted.episodes == 1
    assert len(recorder.requests) == 3


@pytest.mark.parametrize("failure", [drop, status(500), status(503)])
def test_an_add_that_may_have_landed_is_never_resent(
    make_client: MakeClient, failure: Callable[[httpx.Request], httpx.Response]
) -> None:
    """After a drop or 5xx on POST /sync/history the client raises WriteOutcomeUnknown at once."""
    client, recorder = make_client(sequence(failure, status(201, json={})))
    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.add_history([PLAY])
    assert len(recorder.requests) == 1
    assert "re-read the history" in str(caught.value)


def test_an_add_that_was_never_sent_is_retried(make_client: MakeClient) -> None:
    """A connect error or a 429 means Trakt saw nothing (or refused it), so the add is retried."""
    added = status(201, json={"added": {"movies": 0, "episodes": 1}})
    client, recorder = make_client(sequence(refuse, status(429), added))
    assert client.add_history([PLAY]).added.episodes == 1
    assert len(recorder.requests) == 3


def test_cloudflare_html_403_says_the_request_was_blocked(make_client: MakeClient) -> None:
    """An HTML 403 is a Cloudflare block: the message hints at User-Agent and VPNs, no retry."""
    page = "<!DOCTYPE html><html><title>Attention Required! | Cloudflare</title></html>"
    client, recorder = make_client(
        status(403, text=page, headers={"Content-Type": "text/html", "server": "cloudflare"})
    )
    with pytest.raises(Forbidden) as caught:
        client.user_settings()
    message = str(caught.value)
    assert "blocked" in message and "User-Agent" in message and "VPN" in message
    assert len(recorder.requests) == 1


def test_json_403_blames_the_api_key_and_mentions_the_vip_rule(make_client: MakeClient) -> None:
    """A JSON or empty 403 means a bad key or a removed app; the VIP-only change is named."""
    client, recorder = make_client(status(403))
    with pytest.raises(Forbidden) as caught:
        client.history()
    message = str(caught.value)
    assert "API key" in message and "VIP" in message and "July 2026" in message
    assert "blocked" not in message
    assert len(recorder.requests) == 1


def test_420_reports_the_account_limit(make_client: MakeClient) -> None:
    """420 raises AccountLimitExceeded with the limit and the upgrade link, without retrying."""
    headers = {
        "X-Account-Limit": "100000",
        "X-VIP-User": "false",
        "X-Upgrade-URL": "https://trakt.tv/vip",
    }
    client, recorder = make_client(status(420, headers=headers))
    with pytest.raises(AccountLimitExceeded) as caught:
        client.add_history([PLAY])
    assert "100000" in str(caught.value) and "https://trakt.tv/vip" in str(caught.value)
    assert len(recorder.requests) == 1


def test_423_stops_everything_for_a_locked_account(make_client: MakeClient) -> None:
    """A locked account raises AccountLocked, and later calls are refused without a request."""
    client, recorder = make_client(
        status(423, headers={"X-Account-Locked": "true", "X-Account-Deactivated": "false"})
    )
    with pytest.raises(AccountLocked) as caught:
        client.remove_history([1])
    assert "support" in str(caught.value) and "locked" in str(caught.value)
    with pytest.raises(AccountLocked):
        client.user_settings()
    assert len(recorder.requests) == 1


def test_423_for_a_deactivated_account_says_deactivated(make_client: MakeClient) -> None:
    """X-Account-Deactivated: true is reported as a deactivated account."""
    client, _ = make_client(status(423, headers={"X-Account-Deactivated": "true"}))
    with pytest.raises(AccountLocked, match="deactivated"):
        client.user_settings()


def test_426_points_at_the_vip_upgrade(make_client: MakeClient) -> None:
    """426 raises VipRequired with Trakt's upgrade URL, once."""
    client, recorder = make_client(status(426, headers={"X-Upgrade-URL": "https://trakt.tv/vip/x"}))
    with pytest.raises(VipRequired, match=re.escape("https://trakt.tv/vip/x")):
        client.history()
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("code", [400, 405, 409, 412, 422])
def test_other_client_errors_are_api_errors_without_retry(
    make_client: MakeClient, code: int
) -> None:
    """Any other 4xx raises a plain ApiError carrying the status and endpoint, no retries."""
    client, recorder = make_client(status(code, json={"error": "nope"}))
    with pytest.raises(ApiError) as caught:
        client.remove_history([1])
    assert type(caught.value) is ApiError
    assert (caught.value.status, caught.value.endpoint) == (code, "POST /sync/history/remove")
    assert len(recorder.requests) == 1


def test_404_is_not_found(make_client: MakeClient) -> None:
    """A 404 on a history read raises NotFound."""
    client, _ = make_client(status(404))
    with pytest.raises(NotFound):
        client.history(media_type="shows", item_id=999)


def test_401_without_a_login_asks_to_log_in(make_client: MakeClient) -> None:
    """A 401 when no auth was given raises AuthError pointing at `trakt-plan login`."""
    client, _ = make_client(status(401))
    with pytest.raises(AuthError, match="trakt-plan login"):
        client.last_activities()


def test_rejected_environment_token_is_named_and_never_shown(make_client: MakeClient) -> None:
    """A 401 for TRAKT_ACCESS_TOKEN says that variable was rejected without echoing it."""
    secret = "env-secret-token-abcdef"
    client, recorder = make_client(status(401), auth=StaticTokenAuth(secret))
    with pytest.raises(AuthError) as caught:
        client.user_settings()
    assert "TRAKT_ACCESS_TOKEN" in str(caught.value)
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert recorder.requests[0].headers["Authorization"] == f"Bearer {secret}"
    assert len(recorder.requests) == 1


def test_no_error_message_ever_contains_the_token(make_client: MakeClient) -> None:
    """Across every failure kind, neither the bearer token nor the client id header leaks."""
    secret = "very-secret-bearer-123"
    failures = [status(403), status(420), status(426), status(500), drop, status(429)]
    for failure in failures:
        client, _ = make_client(
            failure,
            auth=StaticTokenAuth(secret),
            retry=RetryPolicy(attempts=2, max_rate_limit_waits=1),
        )
        with pytest.raises(TraktPlanError) as caught:
            client.add_history([PLAY])
        assert secret not in str(caught.value)
        assert "Authorization" not in str(caught.value) and "Bearer" not in str(caught.value)


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer in time", request=request)


@pytest.mark.parametrize("failure", [status(524), status(522), timeout])
def test_an_add_answered_524_or_timing_out_may_still_land_and_says_when_to_recheck(
    make_client: MakeClient, failure: Callable[[httpx.Request], httpx.Response]
) -> None:
    """A 52x or a timeout on an add says it may still land and to re-read after 5 minutes."""
    client, recorder = make_client(sequence(failure, status(201, json={})))
    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.add_history([PLAY])
    message = str(caught.value)
    assert (len(recorder.requests), caught.value.recheck_after) == (1, 300.0)
    assert "may still land" in message and "Wait at least 5 minutes" in message
