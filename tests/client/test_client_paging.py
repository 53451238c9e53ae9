"""Reading a long history page by page, and keeping to Trakt's rate limits while doing it."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from trakt_plan.errors import ApiError
from trakt_plan.trakt.pacing import GetThrottle

MakeClient = Callable[..., Any]
Play = Callable[..., dict[str, Any]]


class PagedHistory:
    """A paginating /sync/history double that clamps limit to 250 like Trakt does."""

    def __init__(self, plays: list[dict[str, Any]], *, page_size: int = 250) -> None:
        self.plays = plays
        self.page_size = page_size
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            # Long enough for concurrent page requests to overlap.
            time.sleep(0.005)
            limit = min(int(request.url.params.get("limit", "10")), self.page_size)
            page = int(request.url.params.get("page", "1"))
            start = (page - 1) * limit
            body = self.plays[start : start + limit]
            pages = max(1, -(-len(self.plays) // limit))
            headers = {
                "X-Pagination-Page": str(page),
                "X-Pagination-Limit": str(limit),
                "X-Pagination-Page-Count": str(pages),
                "X-Pagination-Item-Count": str(len(self.plays)),
            }
            return httpx.Response(200, json=body, headers=headers)
        finally:
            with self._lock:
                self.in_flight -= 1


def test_history_reads_every_page_in_trakts_order(make_client: MakeClient, play: Play) -> None:
    """2,600 plays come back complete, newest first, in exactly ceil(2600/250) requests."""
    plays = [play(10_000 + n, episode=n % 20 + 1) for n in range(2_600, 0, -1)]
    server = PagedHistory(plays)
    client, recorder = make_client(server, concurrency=3)
    progress: list[tuple[int, int]] = []
    items = client.history(on_page=lambda done, total: progress.append((done, total)))
    assert [item.id for item in items] == [p["id"] for p in plays]
    assert len(recorder.requests) == 11
    assert {r.url.params["limit"] for r in recorder.requests} == {"250"}
    assert sorted(int(r.url.params["page"]) for r in recorder.requests) == list(range(1, 12))
    assert progress == [(n, 11) for n in range(1, 12)]
    assert client.stats.pages == 11 and client.stats.requests["GET"] == 11


def test_page_fetches_never_exceed_the_concurrency(make_client: MakeClient, play: Play) -> None:
    """With concurrency=2, no more than two page requests are ever in flight at once."""
    server = PagedHistory([play(n) for n in range(3_000, 0, -1)])
    client, _ = make_client(server, concurrency=2)
    assert len(client.history()) == 3_000
    assert server.max_in_flight == 2


def test_two_history_reads_at_once_keep_the_pages_in_flight_within_the_setting(
    make_client: MakeClient, play: Play
) -> None:
    """Two histories read together by one client share its bound: never more than 3 GETs."""
    server = PagedHistory([play(n) for n in range(4_000, 0, -1)])
    client, _ = make_client(server, concurrency=3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reads = [pool.submit(client.history) for _ in range(2)]
        assert [len(read.result()) for read in reads] == [4_000, 4_000]
    assert server.max_in_flight == 3


def test_a_get_answered_429_holds_back_every_other_get_for_its_retry_after(
    fake_time: Any,
) -> None:
    """After a 429 on one page, the next page to start waits the Retry-After too."""
    throttle = GetThrottle((1000, 300.0), in_flight=4, sleep=fake_time.sleep, clock=fake_time.clock)
    slot = throttle.acquire()
    throttle.pause(7.5)
    throttle.answered(slot)
    throttle.answered(throttle.acquire())
    assert fake_time.sleeps == [7.5]


def test_a_short_page_does_not_end_the_history(make_client: MakeClient, play: Play) -> None:
    """When Trakt serves 100 per page despite limit=250, the page count still leads to the end."""
    server = PagedHistory([play(n) for n in range(450, 0, -1)], page_size=100)
    client, recorder = make_client(server)
    assert len(client.history()) == 450
    assert len(recorder.requests) == 5


def test_overlapping_pages_are_de_duplicated_quietly(make_client: MakeClient, play: Play) -> None:
    """A play repeated across a page boundary (the history moved) is returned once."""
    pages = {1: [play(5), play(4), play(3)], 2: [play(3), play(2), play(1)]}

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return httpx.Response(200, json=pages[page], headers={"X-Pagination-Page-Count": "2"})

    client, _ = make_client(handler)
    assert [item.id for item in client.history()] == [5, 4, 3, 2, 1]


def test_history_narrows_by_item_and_time_window(make_client: MakeClient) -> None:
    """One show's plays in a window go to /sync/history/shows/{id} with ms-precision bounds."""
    client, recorder = make_client(
        lambda request: httpx.Response(200, json=[], headers={"X-Pagination-Page-Count": "1"})
    )
    start = datetime(2025, 11, 17, tzinfo=UTC)
    end = datetime(2025, 11, 18, 12, 30, 5, tzinfo=UTC)
    assert client.history(media_type="show", item_id=1394, start_at=start, end_at=end) == []
    request = recorder.requests[0]
    assert request.url.path == "/sync/history/shows/1394"
    assert request.url.params["start_at"] == "2025-11-17T00:00:00.000Z"
    assert request.url.params["end_at"] == "2025-11-18T12:30:05.000Z"
    assert (request.url.params["page"], request.url.params["limit"]) == ("1", "250")


@pytest.mark.parametrize("count", ["many", "999999999"])
def test_an_unreadable_page_count_is_a_readable_error(make_client: MakeClient, count: str) -> None:
    """A garbled or absurd X-Pagination-Page-Count raises ApiError rather than guessing."""
    client, recorder = make_client(
        lambda request: httpx.Response(200, json=[], headers={"X-Pagination-Page-Count": count})
    )
    with pytest.raises(ApiError, match="X-Pagination-Page-Count"):
        client.history()
    assert len(recorder.requests) == 1


def test_a_failing_page_fails_the_whole_read(make_client: MakeClient, play: Play) -> None:
    """If a later page keeps failing, history raises instead of returning a partial list."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "3":
            return httpx.Response(404)
        return httpx.Response(200, json=[play(1)], headers={"X-Pagination-Page-Count": "4"})

    client, _ = make_client(handler)
    with pytest.raises(ApiError) as caught:
        client.history()
    assert caught.value.status == 404


def test_gets_wait_for_the_sliding_window_instead_of_a_429(
    make_client: MakeClient, fake_time: Any
) -> None:
    """With a limit of 3 GETs per 10 s, the 4th GET sleeps until the window has room."""
    client, recorder = make_client(
        lambda request: httpx.Response(200, json={"user": {"username": "u"}}),
        get_limit=(3, 10.0),
    )
    for _ in range(5):
        client.user_settings()
    assert fake_time.sleeps == [10.0]
    assert len(recorder.requests) == 5


def test_writes_start_at_least_write_interval_apart(
    make_client: MakeClient, fake_time: Any
) -> None:
    """Three quick removals start write_interval apart (and a 10% margin); a pause needs no wait."""
    client, _ = make_client(
        lambda request: httpx.Response(200, json={"deleted": {"episodes": 1}}), write_interval=1.5
    )
    for history_id in (1, 2, 3):
        client.remove_history([history_id])
    assert fake_time.sleeps == pytest.approx([1.65, 1.65])
    fake_time.now += 5
    client.remove_history([4])
    assert len(fake_time.sleeps) == 2


def test_a_write_that_takes_0_3_s_does_not_delay_the_next_by_a_full_second(
    make_client: MakeClient, fake_time: Any
) -> None:
    """Writes are paced by arrival: with 0.3 s per answer the next starts 1.1 s after, not 1.3 s."""
    starts: list[float] = []

    def slow_server(request: httpx.Request) -> httpx.Response:
        starts.append(fake_time.clock())
        fake_time.now += 0.3
        return httpx.Response(200, json={"deleted": {"episodes": 1}})

    client, _ = make_client(slow_server, write_interval=1.0)
    for history_id in (1, 2, 3):
        client.remove_history([history_id])
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert gaps == pytest.approx([1.1, 1.1])


def test_a_write_refused_with_429_waits_only_its_retry_after_and_widens_the_margin(
    make_client: MakeClient, fake_time: Any
) -> None:
    """After a 429 the retry waits Retry-After alone; later writes keep a doubled margin."""
    answers = iter([200, 429, 200, 200])

    def server(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json={}, headers={"Retry-After": "0.5"})

    client, _ = make_client(server, write_interval=1.0)
    for history_id in (1, 2, 3):
        client.remove_history([history_id])
    assert fake_time.sleeps == pytest.approx([1.1, 0.5, 1.2])
