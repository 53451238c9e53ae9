"""Catalogue reads: how long episodes and movies run, and when they first aired or came out."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from trakt_plan.errors import NotFound

MakeClient = Callable[..., Any]
RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "trakt-responses"

SEASONS = [
    {
        "number": 0,
        "ids": {"trakt": 61430, "tvdb": 137481, "tmdb": 3627},
        "first_aired": None,
        "episodes": [
            {"season": 0, "number": 1, "title": "Inside", "ids": {"trakt": 73640}, "runtime": None},
        ],
    },
    {
        "number": 1,
        "ids": {"trakt": 61431, "tvdb": 364731, "tmdb": 3624},
        "episode_count": 2,
        "first_aired": "2011-04-18T01:00:00.000Z",
        "episodes": [
            {
                "season": 1,
                "number": 1,
                "title": "Winter Is Coming",
                "ids": {"trakt": 73482, "tvdb": 3254641, "imdb": "tt1480055", "tmdb": 63056},
                "number_abs": None,
                "runtime": 62,
                "first_aired": "2011-04-18T01:00:00.000Z",
                "episode_type": "series_premiere",
            },
            {
                "season": 1,
                "number": 2,
                "title": "The Kingsroad",
                "ids": {"trakt": 73483},
                "runtime": 56,
                "first_aired": None,
            },
        ],
    },
]


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def test_one_call_gives_every_episodes_runtime_and_first_airing(make_client: MakeClient) -> None:
    """show_seasons asks seasons?extended=full,episodes once; null runtimes and dates stay None."""
    client, recorder = make_client(lambda request: httpx.Response(200, json=SEASONS))
    seasons = client.show_seasons(1390)
    episodes = [episode for season in seasons for episode in season.episodes]
    assert [(e.season, e.number, e.runtime, e.first_aired) for e in episodes] == [
        (0, 1, None, None),
        (1, 1, 62, datetime(2011, 4, 18, 1, tzinfo=UTC)),
        (1, 2, 56, None),
    ]
    [request] = recorder.requests
    assert (request.url.path, request.url.params["extended"]) == (
        "/shows/1390/seasons",
        "full,episodes",
    )


def test_a_shows_runtime_comes_from_its_full_summary(make_client: MakeClient) -> None:
    """show_details reads the recorded Game of Thrones summary: 60 minutes an episode."""
    client, recorder = make_client(
        lambda request: httpx.Response(200, json=recorded("shows-1390.json"))
    )
    show = client.show_details("game-of-thrones")
    assert (show.ids.trakt, show.runtime) == (1390, 60)
    assert recorder.requests[0].url.params["extended"] == "full"


def test_a_movies_runtime_and_release_date_come_from_its_full_summary(
    make_client: MakeClient,
) -> None:
    """movie_details reads the recorded TRON: Legacy summary: 125 minutes, out 2010-12-10."""
    body = recorded("movies-tron-legacy-2010.json")
    client, recorder = make_client(lambda request: httpx.Response(200, json=body))
    movie = client.movie_details("tron-legacy-2010")
    assert (movie.ids.trakt, movie.runtime, movie.released) == (12601, 125, date(2010, 12, 10))
    assert recorder.requests[0].url.path == "/movies/tron-legacy-2010"


def test_a_movie_without_runtime_or_release_date_reads_as_unknown(make_client: MakeClient) -> None:
    """Null runtime and released are allowed: the movie just matches no runtime condition."""
    body = {
        "title": "Untitled",
        "year": None,
        "ids": {"trakt": 5},
        "runtime": None,
        "released": None,
    }
    client, _ = make_client(lambda request: httpx.Response(200, json=body))
    movie = client.movie_details(5)
    assert (movie.runtime, movie.released) == (None, None)


@pytest.mark.parametrize("read", ["show_seasons", "show_details"])
def test_an_unknown_show_in_the_catalogue_is_named_in_the_error(
    make_client: MakeClient, read: str
) -> None:
    """A 404 on a catalogue read says which show id Trakt does not know."""
    client, _ = make_client(lambda request: httpx.Response(404))
    with pytest.raises(NotFound) as caught:
        getattr(client, read)(999999)
    assert "Trakt has no show with the id or slug '999999'" in str(caught.value)
