"""Answers with a body that is not what Trakt documents: refused clearly, or read correctly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from trakt_plan.errors import ApiError, Forbidden

MakeClient = Callable[..., Any]
Play = Callable[..., dict[str, Any]]

ONE_PAGE = {"X-Pagination-Page-Count": "1", "X-Pagination-Item-Count": "2"}
CLOUDFLARE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    b"<body><h1>Sorry, you have been blocked</h1></body></html>"
)


def answer(status: int, **kw: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, **kw)


def test_malformed_json_in_a_history_page_is_an_api_error(make_client: MakeClient) -> None:
    """A page cut off mid-JSON raises ApiError naming the endpoint, not a JSONDecodeError."""
    client, recorder = make_client(
        answer(200, content=b'[{"id": 1, "watched_at": "2025-', headers=ONE_PAGE)
    )
    with pytest.raises(ApiError) as caught:
        client.history()
    assert type(caught.value) is ApiError
    assert "cannot read for GET /sync/history (page 1): the body is not valid JSON" in str(
        caught.value
    )
    assert len(recorder.requests) == 1


def test_an_html_page_with_status_200_is_named_as_such(make_client: MakeClient) -> None:
    """A captive portal's HTML answer to GET /users/settings is reported as an HTML page."""
    client, _ = make_client(
        answer(200, content=CLOUDFLARE_PAGE, headers={"Content-Type": "text/html"})
    )
    with pytest.raises(ApiError) as caught:
        client.user_settings()
    assert type(caught.value) is ApiError
    assert "GET /users/settings: it is an HTML page, not JSON" in str(caught.value)


def test_cloudflares_html_403_says_the_request_was_blocked(make_client: MakeClient) -> None:
    """Cloudflare's 403 "you have been blocked" page becomes Forbidden mentioning Cloudflare."""
    client, recorder = make_client(
        answer(403, content=CLOUDFLARE_PAGE, headers={"Content-Type": "text/html"})
    )
    with pytest.raises(Forbidden) as caught:
        client.history()
    assert "Cloudflare" in str(caught.value) and "User-Agent" in str(caught.value)
    assert caught.value.status == 403
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("field", ["id", "watched_at"])
def test_a_play_without_a_required_field_names_the_item_not_pydantic(
    make_client: MakeClient, play: Play, field: str
) -> None:
    """A play lacking its id or watched_at raises ApiError naming item 1, not a pydantic dump."""
    broken = play(1)
    del broken[field]
    client, _ = make_client(answer(200, json=[play(2), broken], headers=ONE_PAGE))
    with pytest.raises(ApiError) as caught:
        client.history()
    message = str(caught.value)
    assert f"GET /sync/history (page 1): item 1 has no `{field}`" in message
    assert "validation error" not in message and "Field required" not in message


def test_a_play_without_its_media_object_is_refused(make_client: MakeClient, play: Play) -> None:
    """An episode play without its show cannot be grouped with rewatches, so it is refused."""
    broken = play(1)
    del broken["show"]
    client, _ = make_client(answer(200, json=[play(2), broken], headers=ONE_PAGE))
    with pytest.raises(ApiError, match="item 1 is a play of type episode without `show`"):
        client.history()


def test_extra_fields_are_ignored(make_client: MakeClient, play: Play) -> None:
    """Unknown keys at every level (Trakt adds fields over time) do not disturb the read."""
    rich = play(7)
    rich["sharing"] = {"x": True}
    rich["episode"]["ids"]["tvrage"] = None
    rich["episode"]["runtime"] = 44
    rich["show"]["ids"]["plex"] = {"guid": "abc"}
    client, _ = make_client(answer(200, json=[rich], headers={"X-Pagination-Page-Count": "1"}))
    [item] = client.history()
    assert (item.id, item.show.ids.trakt, item.episode.code) == (7, 1394, "S01E01")


def test_ids_sent_as_strings_are_refused_not_guessed(make_client: MakeClient, play: Play) -> None:
    """A play id quoted as a string ("123") is not a JSON integer: the read raises ApiError."""
    quoted = play(123)
    quoted["id"] = "123"
    client, _ = make_client(answer(200, json=[quoted], headers={"X-Pagination-Page-Count": "1"}))
    with pytest.raises(ApiError) as caught:
        client.history()
    assert "(JSON path 0.id)" in str(caught.value)


def test_a_remove_answer_without_not_found_reports_nothing_missing(
    make_client: MakeClient,
) -> None:
    """A 200 remove answer with only `deleted` means every id was removed."""
    client, _ = make_client(answer(200, json={"deleted": {"movies": 0, "episodes": 2}}))
    result = client.remove_history([11, 12])
    assert result.not_found.ids == []
    assert result.deleted.episodes == 2


def test_a_remove_answer_with_null_not_found_reports_nothing_missing(
    make_client: MakeClient,
) -> None:
    """`not_found: null` (or a null list inside it) is read like an absent not_found."""
    client, _ = make_client(
        answer(200, json={"deleted": {"episodes": 1}, "not_found": {"ids": None, "movies": []}})
    )
    assert client.remove_history([11]).not_found.ids == []
    client, _ = make_client(answer(200, json={"deleted": {"episodes": 1}, "not_found": None}))
    assert client.remove_history([11]).not_found.ids == []


def test_a_remove_answer_with_string_ids_in_not_found_is_refused(
    make_client: MakeClient,
) -> None:
    """History ids reported missing as strings are not guessed at: the answer is an error."""
    client, _ = make_client(answer(200, json={"not_found": {"ids": ["12"]}}))
    with pytest.raises(ApiError):
        client.remove_history([11, 12])


def test_a_remove_answer_that_is_not_json_is_an_error_not_a_guess(
    make_client: MakeClient,
) -> None:
    """A 200 remove answer whose body is not JSON raises ApiError and is not sent again."""
    client, recorder = make_client(
        answer(200, content=b"OK", headers={"Content-Type": "text/plain"})
    )
    with pytest.raises(ApiError) as caught:
        client.remove_history([11, 12])
    assert type(caught.value) is ApiError
    assert "POST /sync/history/remove: the body is not valid JSON" in str(caught.value)
    assert recorder.methods() == ["POST"]


@pytest.mark.parametrize(
    ("where", "body"),
    [
        ("0.id", b'[{"id": 12345678901234567.0, "watched_at": "2025-11-17T01:02:03.000Z", '),
        ("0.episode.ids.trakt", b'[{"id": 7, "watched_at": "2025-11-17T01:02:03.000Z", '),
    ],
)
def test_ids_sent_as_json_floats_are_refused_not_rounded(
    make_client: MakeClient, where: str, body: bytes
) -> None:
    """A play whose history or episode id is a float (rounded on parsing) raises ApiError."""
    trakt = b"123.0" if where.endswith("trakt") else b"123"
    rest = (
        b'"action": "watch", "type": "episode", "episode": {"season": 1, "number": 1, '
        b'"ids": {"trakt": ' + trakt + b'}}, "show": {"title": "A", "ids": {"trakt": 1}}}]'
    )
    headers = {"X-Pagination-Page-Count": "1", "X-Pagination-Item-Count": "1"}
    client, _ = make_client(answer(200, content=body + rest, headers=headers))
    with pytest.raises(ApiError) as caught:
        client.history()
    assert f"(JSON path {where})" in str(caught.value)


def test_a_bool_id_after_the_same_int_id_is_still_refused(
    make_client: MakeClient, play: Play
) -> None:
    """An episode id sent as true is refused even when id 1 of the same episode came first."""
    first, second = play(1), play(2)
    first["episode"]["ids"]["trakt"] = 1
    second["episode"]["ids"]["trakt"] = True
    headers = {"X-Pagination-Page-Count": "1"}
    client, _ = make_client(answer(200, json=[first, second], headers=headers))
    with pytest.raises(ApiError) as caught:
        client.history()
    assert "(JSON path 1.episode.ids.trakt)" in str(caught.value)


def test_a_show_and_a_movie_with_the_same_title_and_ids_stay_apart(
    make_client: MakeClient, play: Play
) -> None:
    """A movie play and a show play that agree on title, year and ids keep their own kinds."""
    episode = play(1)
    movie = {
        "id": 2,
        "watched_at": "2025-11-17T02:00:00.000Z",
        "action": "watch",
        "type": "movie",
        "movie": dict(episode["show"]),
    }
    headers = {"X-Pagination-Page-Count": "1"}
    client, _ = make_client(answer(200, json=[movie, episode], headers=headers))
    kinds = [(type(item.movie).__name__, type(item.show).__name__) for item in client.history()]
    expected = [("Movie", "NoneType"), ("NoneType", "Show")]
    assert expected == kinds
