"""What the client sends and how it reads Trakt's answers (over httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from trakt_plan import __version__
from trakt_plan.errors import ApiError, NotFound
from trakt_plan.trakt.client import TraktClient, escape_query
from trakt_plan.trakt.models import PlayToAdd

MakeClient = Callable[..., Any]

SETTINGS = {
    "user": {"username": "sean", "private": False, "vip": True, "ids": {"slug": "sean"}},
    "account": {"timezone": "Europe/Paris"},
}


def test_every_request_carries_trakts_required_headers(make_client: MakeClient) -> None:
    """A GET and a POST both carry the API version, key and our User-Agent; the POST says JSON."""
    client, recorder = make_client(
        lambda request: (
            httpx.Response(200, json=SETTINGS)
            if request.method == "GET"
            else httpx.Response(200, json={"deleted": {"movies": 0, "episodes": 1}})
        )
    )
    client.user_settings()
    client.remove_history([5])
    get, post = recorder.requests
    for request in (get, post):
        assert request.headers["trakt-api-version"] == "2"
        assert request.headers["trakt-api-key"] == "test-client-id"
        assert request.headers["User-Agent"] == f"trakt-plan/{__version__}"
    assert post.headers["Content-Type"] == "application/json"
    assert "Authorization" not in get.headers


def test_user_settings_names_the_account_and_its_timezone(make_client: MakeClient) -> None:
    """GET /users/settings gives the username and the account's timezone."""
    client, recorder = make_client(lambda request: httpx.Response(200, json=SETTINGS))
    settings = client.user_settings()
    assert (settings.user.username, settings.account.timezone) == ("sean", "Europe/Paris")
    assert recorder.paths() == ["/users/settings"]


def test_last_activities_reads_the_history_marks(make_client: MakeClient) -> None:
    """GET /sync/last_activities exposes when episodes and movies were last watched."""
    body = {
        "all": "2025-11-20T10:11:12.000Z",
        "episodes": {"watched_at": "2025-11-20T10:11:12.000Z", "collected_at": None},
        "movies": {"watched_at": "2025-01-02T03:04:05.000Z"},
        "shows": {"rated_at": "2024-01-01T00:00:00.000Z"},
    }
    client, recorder = make_client(lambda request: httpx.Response(200, json=body))
    marks = client.last_activities().history_marks()
    assert marks == {
        "episodes.watched_at": "2025-11-20T10:11:12.000Z",
        "movies.watched_at": "2025-01-02T03:04:05.000Z",
    }
    assert recorder.paths() == ["/sync/last_activities"]


def test_broad_search_escapes_lucene_operators(make_client: MakeClient) -> None:
    """A title full of punctuation is searched literally, not as a Lucene query."""
    client, recorder = make_client(lambda request: httpx.Response(200, json=[]))
    client.search("Marvel's Agents of S.H.I.E.L.D.: 9-1-1 (US) && more?")
    request = recorder.requests[0]
    assert request.url.path == "/search/show,movie"
    assert (
        request.url.params["query"]
        == r"Marvel's Agents of S.H.I.E.L.D.\: 9\-1\-1 \(US\) \&\& more\?"
    )
    assert request.url.params["limit"] == "50"


def test_escape_query_covers_every_operator() -> None:
    """Each Lucene special character, backslash included, gets one backslash in front."""
    assert escape_query('+-&|!(){}[]^"~*?:/\\') == "".join(
        "\\" + char for char in '+-&|!(){}[]^"~*?:/\\'
    )


def test_exact_search_asks_each_type_and_merges_without_duplicates(
    make_client: MakeClient,
) -> None:
    """exact=True calls /search/{type}/exact per type, unescaped, and drops repeated hits."""
    show = {"type": "show", "score": 1000.0, "show": {"title": "Lost", "ids": {"trakt": 1}}}
    movie = {"type": "movie", "score": None, "movie": {"title": "Lost", "ids": {"trakt": 7}}}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/search/show/exact":
            return httpx.Response(200, json=[show, show])
        return httpx.Response(200, json=[movie])

    client, recorder = make_client(handler)
    results = client.search("Lost: (2004)", exact=True)
    assert [(r.type, r.media.ids.trakt if r.media else None) for r in results] == [
        ("show", 1),
        ("movie", 7),
    ]
    assert recorder.paths() == ["/search/show/exact", "/search/movie/exact"]
    assert recorder.requests[0].url.params["query"] == "Lost: (2004)"


def test_lookup_by_external_id_passes_the_type(make_client: MakeClient) -> None:
    """A TVDB lookup goes to /search/tvdb/{id} with type=show to avoid id collisions."""
    hit = {"type": "show", "score": None, "show": {"title": "AoS", "ids": {"trakt": 1394}}}
    client, recorder = make_client(lambda request: httpx.Response(200, json=[hit]))
    results = client.lookup_id("tvdb", "263365", "show")
    assert results[0].show is not None and results[0].show.ids.trakt == 1394
    assert recorder.requests[0].url.path == "/search/tvdb/263365"
    assert recorder.requests[0].url.params["type"] == "show"


def test_show_by_slug_and_unknown_show_is_not_found(make_client: MakeClient) -> None:
    """GET /shows/{slug} returns the show; an unknown slug raises NotFound naming it."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/shows/lost-2004":
            return httpx.Response(200, json={"title": "Lost", "year": 2004, "ids": {"trakt": 1}})
        return httpx.Response(404, json={})

    client, _ = make_client(handler)
    assert client.show("lost-2004").year == 2004
    with pytest.raises(NotFound) as caught:
        client.movie("no-such-movie")
    assert "no-such-movie" in str(caught.value)
    assert caught.value.status == 404


def test_a_body_that_is_not_json_is_reported_readably(make_client: MakeClient) -> None:
    """An HTML or garbled 200 raises ApiError 'cannot read', naming the endpoint."""
    client, _ = make_client(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(ApiError) as caught:
        client.user_settings()
    message = str(caught.value)
    assert "Trakt sent a response trakt-plan cannot read" in message
    assert "GET /users/settings" in message


def test_an_unexpected_shape_names_the_place_without_dumping_data(make_client: MakeClient) -> None:
    """A history page with a play lacking its id points at that field, not at pydantic."""
    page = [{"watched_at": "2025-01-01T00:00:00.000Z", "action": "watch", "type": "episode"}]
    client, _ = make_client(lambda request: httpx.Response(200, json=page))
    with pytest.raises(ApiError) as caught:
        client.history()
    message = str(caught.value)
    assert "cannot read" in message and "0.id" in message
    assert "validation error" not in message.lower() and "pydantic" not in message.lower()


def test_add_history_sends_movies_and_episodes_with_their_times(make_client: MakeClient) -> None:
    """Plays go back as {ids: {trakt}, watched_at} lists, split by movie and episode."""
    client, recorder = make_client(
        lambda request: httpx.Response(201, json={"added": {"movies": 1, "episodes": 1}})
    )
    plays = [
        PlayToAdd(
            type="episode", trakt_id=73482, watched_at=datetime(2025, 11, 17, 1, 2, 3, tzinfo=UTC)
        ),
        PlayToAdd(
            type="movie", trakt_id=4, watched_at=datetime(2014, 3, 31, 9, 28, 53, tzinfo=UTC)
        ),
    ]
    result = client.add_history(plays)
    assert result.added.total == 2
    assert json.loads(recorder.requests[0].content) == {
        "movies": [{"ids": {"trakt": 4}, "watched_at": "2014-03-31T09:28:53.000Z"}],
        "episodes": [{"ids": {"trakt": 73482}, "watched_at": "2025-11-17T01:02:03.000Z"}],
    }
    assert recorder.paths() == ["/sync/history"]


def test_remove_history_sends_only_ids_and_reads_not_found(make_client: MakeClient) -> None:
    """A removal is {"ids": [...]} alone, and ids Trakt did not find come back as not_found."""
    body = {
        "deleted": {"movies": 0, "episodes": 1},
        "not_found": {"movies": [], "episodes": [], "ids": [42], "people": [], "users": []},
    }
    client, recorder = make_client(lambda request: httpx.Response(200, json=body))
    result = client.remove_history([10000000021, 42])
    assert json.loads(recorder.requests[0].content) == {"ids": [10000000021, 42]}
    assert (result.deleted.episodes, result.not_found.ids) == (1, [42])


def test_empty_writes_send_nothing(make_client: MakeClient) -> None:
    """Removing no ids or adding no plays makes no request at all."""
    client, recorder = make_client(lambda request: httpx.Response(500))
    assert client.remove_history([]).deleted.total == 0
    assert client.add_history([]).added.total == 0
    assert recorder.requests == []


def test_open_builds_a_working_client_over_its_own_http() -> None:
    """TraktClient.open makes its own httpx.Client and the context manager closes it."""
    with TraktClient.open(api_base="http://127.0.0.1:9", client_id="x", timeout=1.0) as client:
        assert client.stats.pages == 0
    with pytest.raises(RuntimeError, match="closed"):
        client.user_settings()
