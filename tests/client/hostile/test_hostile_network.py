"""Timeouts, resets and servers that never answer: retried, then a NetworkError naming the call."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from trakt_plan.errors import NetworkError
from trakt_plan.trakt.auth import StaticTokenAuth
from trakt_plan.trakt.client import RetryPolicy, TraktClient

MakeClient = Callable[..., Any]
Play = Callable[..., dict[str, Any]]

SETTINGS = json.dumps({"user": {"username": "sean"}, "account": {"timezone": "UTC"}}).encode()
REMOVED = json.dumps({"deleted": {"movies": 0, "episodes": 2}, "not_found": {"ids": []}}).encode()
# Real sleeps here, so keep every backoff in the milliseconds.
QUICK = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


def socket_client(base_url: str, *, timeout: float = 2.0) -> TraktClient:
    """A real-socket client with a short timeout and quick retries."""
    return TraktClient(
        httpx.Client(timeout=timeout),
        api_base=base_url,
        client_id="hostile-client-id",
        auth=StaticTokenAuth("hostile-token"),
        retry=QUICK,
        write_interval=0.05,
    )


def test_a_read_timeout_is_retried_and_the_read_completes(
    make_client: MakeClient, play: Play
) -> None:
    """A history page that times out once is asked for again and the history is complete."""
    timeouts = iter([True])

    def handler(request: httpx.Request) -> httpx.Response:
        if next(timeouts, False):
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(
            200, json=[play(2), play(1)], headers={"X-Pagination-Page-Count": "1"}
        )

    client, recorder = make_client(handler)
    assert [item.id for item in client.history()] == [2, 1]
    assert len(recorder.requests) == 2 and client.stats.retries == 1


def test_a_removal_that_times_out_is_resent(make_client: MakeClient) -> None:
    """Removal is idempotent, so a remove that timed out is sent again and its answer used."""
    timeouts = iter([True])

    def handler(request: httpx.Request) -> httpx.Response:
        if next(timeouts, False):
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, content=REMOVED)

    client, recorder = make_client(handler)
    assert client.remove_history([11, 12]).deleted.episodes == 2
    assert recorder.methods() == ["POST", "POST"]


def test_a_connection_reset_is_retried_over_a_real_socket(raw_server: Any, raw_http: Any) -> None:
    """A TCP reset after the request was read is retried on a new connection, which answers."""
    server = raw_server(["reset", raw_http(200, SETTINGS)])
    with socket_client(server.base_url) as client:
        assert client.user_settings().user.username == "sean"
        assert client.stats.retries == 1
    assert server.requests == ["GET /users/settings HTTP/1.1"] * 2


def test_a_removal_over_a_reset_connection_is_resent(raw_server: Any, raw_http: Any) -> None:
    """A remove cut off by a TCP reset is sent again with the same ids, and its answer is used."""
    server = raw_server(["reset", raw_http(200, REMOVED)])
    with socket_client(server.base_url) as client:
        assert client.remove_history([11, 12]).deleted.episodes == 2
    assert server.requests == ["POST /sync/history/remove HTTP/1.1"] * 2


def test_resets_that_never_stop_end_in_a_network_error(raw_server: Any) -> None:
    """Three resets in a row raise NetworkError naming the endpoint, after exactly three tries."""
    server = raw_server(["reset"])
    with socket_client(server.base_url) as client, pytest.raises(NetworkError) as caught:
        client.last_activities()
    assert type(caught.value) is NetworkError
    assert "GET /sync/last_activities after 3 attempts" in str(caught.value)
    assert len(server.requests) == 3


def test_a_server_that_accepts_and_never_answers_is_bounded_by_the_timeout(
    raw_server: Any,
) -> None:
    """A server that takes the request and goes silent costs 3 timeouts, then NetworkError."""
    server = raw_server(["hang"])
    started = time.monotonic()
    with (
        socket_client(server.base_url, timeout=0.2) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.history()
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert "GET /sync/history after 3 attempts (no answer within the timeout)" in message
    assert len(server.requests) == 3
    assert 0.6 <= elapsed < 5.0


def test_a_silent_server_then_a_good_answer_gives_the_result(
    raw_server: Any, raw_http: Any
) -> None:
    """One silent connection is abandoned at the timeout and the retry's answer is returned."""
    server = raw_server(["hang", raw_http(200, SETTINGS)])
    # The client's usual short timeout: the retry's answer must beat it even on a busy machine.
    with socket_client(server.base_url) as client:
        assert client.user_settings().user.username == "sean"
    assert len(server.requests) == 2
