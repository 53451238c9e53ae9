"""A history that moves, shrinks or arrives with holes while it is paged: never a partial read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from trakt_plan.errors import ApiError

MakeClient = Callable[..., Any]
Play = Callable[..., dict[str, Any]]


def plays_of(play: Play, count: int, *, top: int = 100) -> list[dict[str, Any]]:
    """``count`` plays, newest (highest id) first."""
    return [
        play(history_id, episode=history_id % 9 + 1) for history_id in range(top, top - count, -1)
    ]


def ids(items: list[Any]) -> list[int]:
    return [item.id for item in items]


def test_a_page_count_that_grows_mid_read_restarts_the_read(
    make_client: MakeClient, play: Play, live: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A play added mid-read (3 pages become 4) restarts the read, which returns all 7 plays."""
    history = live(plays_of(play, 6), page_size=2, item_count=False)

    def add_a_play(request_number: int, page: int) -> None:
        if request_number == 2:
            history.plays.insert(0, play(101))

    history.before = add_a_play
    client, recorder = make_client(history, concurrency=1)
    caplog.set_level(logging.DEBUG, logger="trakt_plan.trakt.paging")
    items = client.history()
    assert ids(items) == list(range(101, 94, -1))
    assert recorder.pages().count(1) == 2
    assert "the page count went from 3 to 4" in caplog.text
    assert "reading the history again from page 1" in caplog.text


def test_a_history_that_keeps_changing_is_refused_not_half_read(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """When every read sees a new play arrive, the second one raises ApiError, not a list."""
    history = live(plays_of(play, 6), page_size=2)
    added = iter(range(200, 300))

    def keep_adding(request_number: int, page: int) -> None:
        if page == 2:
            history.plays.insert(0, play(next(added)))

    history.before = keep_adding
    client, recorder = make_client(history, concurrency=1)
    with pytest.raises(ApiError) as caught:
        client.history()
    assert type(caught.value) is ApiError
    message = str(caught.value)
    assert "kept changing while it was read" in message and "try again" in message
    assert "GET /sync/history" in message and "the play count went from" in message
    assert recorder.pages().count(1) == 2


def test_a_play_deleted_mid_read_cannot_slip_between_pages(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """A play deleted after page 1 shifts the rest up; the read restarts rather than skip one."""
    history = live(plays_of(play, 6), page_size=2)

    def delete_the_newest(request_number: int, page: int) -> None:
        if request_number == 2:
            del history.plays[0]

    history.before = delete_the_newest
    client, _ = make_client(history, concurrency=1)
    assert ids(client.history()) == [99, 98, 97, 96, 95]


def test_an_empty_page_in_the_middle_is_asked_for_again(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """Page 2 of 3 arriving empty once is fetched again, and the read is complete."""
    history = live(plays_of(play, 6), page_size=2)

    def empty_once(request_number: int, page: int) -> httpx.Response | None:
        if page == 2 and history.served == 2:
            return httpx.Response(200, json=[], headers=history.headers(2))
        return None

    history.before = empty_once
    client, recorder = make_client(history, concurrency=1)
    assert ids(client.history()) == [100, 99, 98, 97, 96, 95]
    assert recorder.pages() == [1, 2, 2, 3]


def test_a_page_that_stays_empty_raises_instead_of_leaving_a_hole(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """Page 2 of 3 empty twice in a row raises ApiError naming the page, and nothing is returned."""
    history = live(plays_of(play, 6), page_size=2)
    history.before = lambda number, page: (
        httpx.Response(200, json=[], headers=history.headers(2)) if page == 2 else None
    )
    client, recorder = make_client(history, concurrency=1)
    with pytest.raises(ApiError) as caught:
        client.history()
    assert type(caught.value) is ApiError
    assert "incomplete history for GET /sync/history: page 2 of 3 is empty, twice" in str(
        caught.value
    )
    assert recorder.pages().count(2) == 2


def test_a_short_page_that_is_not_the_last_raises_after_one_retry(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """A middle page holding 1 of its 2 plays, twice, is an incomplete history, not its end."""
    history = live(plays_of(play, 6), page_size=2)
    history.before = lambda number, page: (
        httpx.Response(200, json=history.plays[2:3], headers=history.headers(2))
        if page == 2
        else None
    )
    client, _ = make_client(history, concurrency=1)
    with pytest.raises(ApiError, match="page 2 of 3 holds only 1 of 2 plays, twice"):
        client.history()


def test_fewer_distinct_plays_than_announced_is_never_returned(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """Pages that repeat a play instead of sending the announced 6th are re-read, then refused."""
    plays = plays_of(play, 6)
    history = live(plays, page_size=2)
    # Page 2 repeats the last play of page 1 and drops one: every header still agrees.
    history.before = lambda number, page: (
        httpx.Response(200, json=[plays[1], plays[3]], headers=history.headers(2))
        if page == 2
        else None
    )
    client, recorder = make_client(history, concurrency=1)
    with pytest.raises(ApiError) as caught:
        client.history()
    assert "Trakt announced 6 plays but sent 5 distinct ones" in str(caught.value)
    assert recorder.pages().count(1) == 2


def test_a_move_during_concurrent_paging_yields_exactly_the_new_history(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """Two plays added while four pages are in flight give exactly the new list, no gap."""
    history = live(plays_of(play, 30), page_size=3)

    def add_two(request_number: int, page: int) -> None:
        if request_number == 3:
            history.plays[0:0] = [play(102), play(101)]

    history.before = add_two
    client, recorder = make_client(history, concurrency=4)
    items = client.history()
    assert ids(items) == list(range(102, 70, -1))
    assert recorder.pages().count(1) == 2


def test_a_page_answered_with_another_page_is_not_taken(
    make_client: MakeClient, play: Play, live: Any
) -> None:
    """A cache that answers page 2 with page 1's X-Pagination-Page is retried, then refused."""
    history = live(plays_of(play, 4), page_size=2)

    def stale(number: int, page: int) -> httpx.Response | None:
        if page == 2:
            return httpx.Response(200, json=history.plays[0:2], headers=history.headers(1))
        return None

    history.before = stale
    client, _ = make_client(history, concurrency=1)
    with pytest.raises(ApiError, match="page 2 was answered with page 1, twice"):
        client.history()


def test_a_full_page_without_paging_headers_is_refused_not_read_as_the_whole_history(
    make_client: MakeClient, play: Play
) -> None:
    """250 plays without X-Pagination-Page-Count may be page 1 of many: ApiError, not 250 plays."""
    plays = [play(history_id) for history_id in range(1000, 0, -1)]

    def strips_headers(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return httpx.Response(200, json=plays[(page - 1) * 250 : page * 250])

    client, _ = make_client(strips_headers)
    with pytest.raises(ApiError) as caught:
        client.history()
    message = str(caught.value)
    assert "a full page of 250 plays" in message and "X-Pagination-Page-Count" in message


def test_a_short_page_without_paging_headers_is_the_whole_history(
    make_client: MakeClient, play: Play
) -> None:
    """Fewer plays than a page holds, without paging headers, is a complete one-page history."""
    plays = [play(history_id) for history_id in range(30, 0, -1)]
    client, recorder = make_client(lambda request: httpx.Response(200, json=plays))
    assert list(range(30, 0, -1)) == ids(client.history())
    assert recorder.pages() == [1]
