"""Paging, retries and pacing against the emulator on 127.0.0.1, as a long cleanup sees them."""

from __future__ import annotations

import itertools
import math
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from trakt_plan.errors import WriteOutcomeUnknown
from trakt_plan.sandbox import generate_state
from trakt_plan.trakt.models import PlayToAdd


def test_sixty_thousand_plays_in_trakts_order_with_minimal_requests(loopback: Any) -> None:
    """60,000 plays arrive complete, distinct and newest first in at most ceil(n/250)+1 pages."""
    state = generate_state(60_000, seed=3)
    expected = [play["id"] for play in state.history()]
    server = loopback.start(state)
    client = loopback.client(server, concurrency=4)
    progress: list[tuple[int, int]] = []
    items = client.history(on_page=lambda done, total: progress.append((done, total)))
    ids = [item.id for item in items]
    assert len(set(ids)) == 60_000
    assert ids == expected
    page_requests = server.stats.by_route[("GET", "/sync/history")]
    assert page_requests <= math.ceil(60_000 / 250) + 1
    assert progress[-1] == (240, 240)
    assert server.stats.rate_limited == 0


def test_server_errors_and_dropped_connections_are_survived(loopback: Any) -> None:
    """With 20% 5xx and 10% drops (seeded), the history read still matches the account exactly."""
    state = generate_state(3_000, seed=5)
    expected = [play["id"] for play in state.history()]
    server = loopback.start(state, error_rate=0.2, drop_rate=0.1, seed=11)
    client = loopback.client(server, concurrency=3)
    assert [item.id for item in client.history()] == expected
    assert server.stats.faults > 0
    assert client.stats.retries >= server.stats.faults


def test_removals_survive_faults_and_leave_the_right_account(loopback: Any) -> None:
    """Batches removed through errors and drops delete exactly the chosen plays, no others."""
    state = generate_state(600, seed=2)
    server = loopback.start(state, error_rate=0.25, drop_rate=0.25, seed=4, write_interval=0.01)
    client = loopback.client(server)
    plays = [item.id for item in client.history()]
    doomed = plays[::3]
    for start in range(0, len(doomed), 50):
        client.remove_history(doomed[start : start + 50])
    remaining = [play["id"] for play in server.state.history()]
    assert remaining == [play for play in plays if play not in set(doomed)]
    assert server.stats.faults > 0


def test_429_is_waited_out_and_the_read_succeeds(loopback: Any, emulator_clock: Any) -> None:
    """When Trakt's GET window is full, the client sleeps Retry-After and then gets its answer."""
    server = loopback.start(get_limit=(2, 0.3))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        # Time passes for the emulator (and the client reads it) only as the client waits.
        waits.append(seconds)
        emulator_clock.advance(seconds)

    client = loopback.client(server, sleep=sleep, clock=emulator_clock.monotonic)
    names = [client.user_settings().user.username for _ in range(4)]
    assert names == ["sandbox-user"] * 4
    assert client.stats.rate_limited >= 1
    assert server.stats.rate_limited == client.stats.rate_limited
    assert waits and all(0 < wait <= 0.3 for wait in waits)


def test_the_client_side_get_window_avoids_429s(loopback: Any) -> None:
    """Told Trakt's GET limit, the client paces itself and the server never answers 429."""
    server = loopback.start(get_limit=(3, 0.3))
    client = loopback.client(server, get_limit=(3, 0.3))
    for _ in range(7):
        client.last_activities()
    assert server.stats.rate_limited == 0
    assert server.stats.status_counts[200] == 7


def test_writes_are_paced_so_trakt_never_says_429(loopback: Any) -> None:
    """At Trakt's one write a second, removals start a second apart and are never refused 429."""
    server = loopback.start(write_interval=1.0)
    starts: list[float] = []

    def note(request: httpx.Request) -> None:
        if request.method == "POST":
            starts.append(time.monotonic())

    client = loopback.client(server, http=loopback.http(event_hooks={"request": [note]}))
    plays = [item.id for item in client.history()]
    for history_id in plays[:3]:
        client.remove_history([history_id])
    assert len(starts) == 3
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(starts))
    assert server.stats.rate_limited == 0


def test_unpaced_writes_would_be_rate_limited_but_still_land(loopback: Any) -> None:
    """With no client-side pacing the emulator answers 429; Retry-After is honoured and all land."""
    server = loopback.start(write_interval=0.2)
    client = loopback.client(server, write_interval=0.0)
    plays = [item.id for item in client.history()]
    results = [client.remove_history([history_id]) for history_id in plays[:3]]
    assert [result.deleted.total for result in results] == [1, 1, 1]
    assert server.stats.rate_limited >= 1
    assert client.stats.rate_limited == server.stats.rate_limited


def test_an_add_lost_in_a_dropped_connection_is_not_resent(loopback: Any) -> None:
    """A drop after POST /sync/history raises WriteOutcomeUnknown; the play landed exactly once."""
    server = loopback.start()
    client = loopback.client(server)
    before = client.history()
    episode = next(item for item in before if item.type == "episode")
    restored_at = datetime(2020, 2, 2, 20, 20, 20, tzinfo=UTC)
    play = PlayToAdd(type="episode", trakt_id=episode.media_trakt_id or 0, watched_at=restored_at)
    server.knobs.drop_rate = 1.0
    with pytest.raises(WriteOutcomeUnknown):
        client.add_history([play])
    server.knobs.drop_rate = 0.0
    after = client.history(start_at=restored_at, end_at=restored_at.replace(second=21))
    assert [(item.media_trakt_id, item.watched_at) for item in after] == [
        (episode.media_trakt_id, restored_at)
    ]
    assert server.stats.by_route[("POST", "/sync/history")] == 1
