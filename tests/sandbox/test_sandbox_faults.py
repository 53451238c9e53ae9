"""The fault knobs: latency, injected errors, 429 storms and dropped connections."""

from __future__ import annotations

import time

import httpx
import pytest


@pytest.fixture
def faulty(start_sandbox, open_client, headers, knobs):
    """Start a demo sandbox with the given knobs and return (server, logged-in client)."""

    def make(**overrides):
        server = start_sandbox(knobs=knobs(**overrides))
        return server, open_client(server, headers(server.state.issue_token()["access_token"]))

    return make


def test_latency_delays_every_request(faulty):
    """With latency 0.2 s, a request takes at least 0.2 s."""
    _, client = faulty(latency=0.2)
    started = time.perf_counter()
    assert client.get("/users/settings").status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_error_rate_one_answers_server_errors_and_does_nothing(faulty):
    """With error_rate 1 every answer is a 5xx/52x, and a remove deletes nothing."""
    server, client = faulty(error_rate=1.0)
    statuses = {
        client.post("/sync/history/remove", json={"ids": [10000000027]}).status_code
        for _ in range(12)
    }
    assert statuses <= {500, 502, 503, 504, 520, 521, 522}
    assert len(statuses) > 1
    assert len(server.state.history()) == 548
    assert server.stats.faults == 12


def test_storm_rate_one_answers_429_with_the_storm_retry_after(faulty):
    """With storm_rate 1 every answer is a 429 carrying storm_retry_after and no X-Ratelimit."""
    server, client = faulty(storm_rate=1.0, storm_retry_after=2.0)
    response = client.get("/sync/history")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert "X-Ratelimit" not in response.headers
    assert server.stats.rate_limited == 1


def test_drop_rate_one_commits_the_write_then_hangs_up(faulty):
    """With drop_rate 1 the client sees a disconnect, but the remove did happen."""
    server, client = faulty(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/sync/history/remove", json={"ids": [10000000027]})
    ids = {item["id"] for item in server.state.history()}
    assert 10000000027 not in ids
    assert server.stats.log[-1][2] == 0


def test_knobs_can_change_mid_run(faulty):
    """Turning errors on and off between requests takes effect at once."""
    server, client = faulty()
    assert client.get("/users/settings").status_code == 200
    server.knobs.error_rate = 1.0
    assert client.get("/users/settings").status_code >= 500
    server.knobs.error_rate = 0.0
    assert client.get("/users/settings").status_code == 200


def _statuses(faulty, seed):
    _, client = faulty(error_rate=0.3, storm_rate=0.2, seed=seed, get_limit=None)
    return [client.get("/users/settings").status_code for _ in range(40)]


def test_faults_are_deterministic_for_a_seed(faulty):
    """Two servers with one seed inject the same faults in the same order; another seed differs."""
    first = _statuses(faulty, seed=11)
    assert first == _statuses(faulty, seed=11)
    assert first != _statuses(faulty, seed=12)
    assert 200 in first and 429 in first
    assert any(status >= 500 for status in first)


def test_stats_count_requests_routes_and_statuses(faulty):
    """The stats count every request by route template and status, and log the path with query."""
    server, client = faulty()
    client.get("/sync/history", params={"limit": 5})
    client.get("/sync/history/shows/1394")
    client.get("/nowhere")
    assert server.stats.requests == 3
    assert server.stats.by_route[("GET", "/sync/history")] == 1
    assert server.stats.by_route[("GET", "/sync/history/{type}/{id}")] == 1
    assert server.stats.status_counts == {200: 2, 405: 1}
    assert server.stats.log[0] == ("GET", "/sync/history?limit=5", 200)
    server.stats.reset()
    assert server.stats.requests == 0 and server.stats.log == []
