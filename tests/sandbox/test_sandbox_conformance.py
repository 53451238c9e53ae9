"""The emulator's bodies have the same keys, level by level, as Trakt's recorded responses."""

from __future__ import annotations

from typing import Any

import pytest


def shape(value: Any) -> Any:
    """Keys at every level, values ignored; lists become the union of their items' shapes."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [shape(item) for item in value if isinstance(item, dict)]
        merged: dict[str, Any] = {}
        for item in shapes:
            merged.update(item)
        return [merged] if shapes else []
    return None


def shapes_by_type(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The shape of each item type (movie, show, episode) found in a list response."""
    found: dict[str, Any] = {}
    for item in items:
        found.setdefault(item["type"], shape(item))
    return found


LIST_CASES = [
    ("search-show-query-breaking-bad.json", "/search/show", {"query": "Breaking Bad"}),
    ("search-movie-query-the-avengers.json", "/search/movie", {"query": "The Avengers"}),
    # The sandbox's episode titles are "Episode N", so it needs another word to hit.
    ("search-episode-query-breaking-bad.json", "/search/episode", {"query": "Episode 4"}),
    ("search-imdb-tt0903747-extended-full.json", "/search/imdb/tt0903747", {"extended": "full"}),
    ("search-imdb-tt0848228-extended-full.json", "/search/imdb/tt0848228", {"extended": "full"}),
    ("sync-history.json", "/sync/history", {"limit": 250}),
    ("sync-history-shows.json", "/sync/history/shows", {}),
    ("sync-history-movies.json", "/sync/history/movies", {}),
]


@pytest.mark.parametrize(("fixture", "path", "params"), LIST_CASES, ids=[c[0] for c in LIST_CASES])
def test_list_responses_match_the_recorded_key_structure(api, recorded, fixture, path, params):
    """Each item type in the emulator's answer has exactly the keys of the recorded one."""
    expected = shapes_by_type(recorded(fixture))
    response = api.get(path, params=params)
    assert response.status_code == 200
    actual = shapes_by_type(response.json())
    for kind, expected_shape in expected.items():
        assert actual[kind] == expected_shape, kind


OBJECT_CASES = [
    ("shows-1390.json", "/shows/1390", {"extended": "full"}),
    ("movies-tron-legacy-2010.json", "/movies/tron-legacy-2010", {"extended": "full"}),
]


@pytest.mark.parametrize(
    ("fixture", "path", "params"), OBJECT_CASES, ids=[c[0] for c in OBJECT_CASES]
)
def test_summaries_match_the_recorded_key_structure(api, recorded, fixture, path, params):
    """A full show or movie summary has exactly the recorded keys at each level."""
    assert shape(api.get(path, params=params).json()) == shape(recorded(fixture))


def test_shape_compares_keys_not_values():
    """The comparison sees a missing nested key but not a changed value."""
    assert shape({"ids": {"trakt": 1}}) == shape({"ids": {"trakt": 2}})
    assert shape({"ids": {"trakt": 1}}) != shape({"ids": {"trakt": 1, "tvrage": None}})
