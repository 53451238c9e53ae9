"""Finding shows and movies: text search, exact search, id lookups and summaries."""

from __future__ import annotations

import pytest


def test_text_search_ranks_the_exact_title_first_with_float_scores(anonymous):
    """Searching the S.H.I.E.L.D. title puts the show before Slingshot, with float scores."""
    hits = anonymous.get("/search/show", params={"query": "Marvel's Agents of S.H.I.E.L.D."}).json()
    assert [hit["show"]["ids"]["trakt"] for hit in hits] == [1394, 110000]
    assert all(isinstance(hit["score"], float) for hit in hits)
    assert hits[0]["score"] > hits[1]["score"]
    assert hits[0]["type"] == "show"


def test_text_search_is_case_insensitive_and_ignores_punctuation(anonymous):
    """'agents of shield' finds both S.H.I.E.L.D. shows."""
    hits = anonymous.get("/search/show", params={"query": "agents of shield"}).json()
    assert {hit["show"]["ids"]["trakt"] for hit in hits} == {1394, 110000}


def test_ambiguous_title_returns_both_shows(anonymous):
    """'The Office' finds the 2005 and the 2001 show."""
    hits = anonymous.get("/search/show", params={"query": "the office"}).json()
    assert [(hit["show"]["year"], hit["show"]["ids"]["slug"]) for hit in hits] == [
        (2005, "the-office"),
        (2001, "the-office-2001"),
    ]


def test_mixed_type_search_and_lucene_escapes(anonymous):
    """A movie,show search finds TRON: Legacy with an escaped colon."""
    hits = anonymous.get("/search/movie,show", params={"query": r"TRON\: Legacy"}).json()
    assert hits[0]["type"] == "movie"
    assert hits[0]["movie"]["ids"]["slug"] == "tron-legacy-2010"


def test_search_pages_default_to_50(start_sandbox, open_client, headers):
    """Search answers carry pagination headers with a default limit of 50."""
    from trakt_plan.sandbox import generate_state

    server = start_sandbox(generate_state(20_000, seed=1))
    response = open_client(server, headers()).get("/search/show", params={"query": "the"})
    assert response.headers["X-Pagination-Limit"] == "50"
    assert int(response.headers["X-Pagination-Item-Count"]) > 50
    assert len(response.json()) == 50


def test_episode_search_carries_episode_and_show(anonymous):
    """An episode hit has both the episode and its show."""
    hits = anonymous.get("/search/episode", params={"query": "Episode 16", "limit": 3}).json()
    assert len(hits) == 3
    assert {"episode", "show", "score", "type"} == set(hits[0])


def test_exact_search_only_returns_exact_titles(anonymous):
    """The exact endpoint finds 'Breaking Bad' itself and not partial matches."""
    hits = anonymous.get("/search/show/exact", params={"query": "breaking bad"}).json()
    assert [hit["show"]["ids"]["trakt"] for hit in hits] == [1388]
    none = anonymous.get("/search/show/exact", params={"query": "Breaking"}).json()
    assert none == []


def test_unknown_search_type_is_a_bad_request(anonymous):
    """A search type Trakt does not know gets 400."""
    assert anonymous.get("/search/podcast", params={"query": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("id_type", "value", "kind", "trakt"),
    [
        ("trakt", "1388", "show", 1388),
        ("imdb", "tt0903747", "show", 1388),
        ("tmdb", "1396", "show", 1388),
        ("tvdb", "81189", "show", 1388),
        ("imdb", "tt1104001", "movie", 12601),
        ("tmdb", "20526", "movie", 12601),
    ],
)
def test_id_lookup_finds_the_item_with_a_null_score(anonymous, id_type, value, kind, trakt):
    """Looking up a show or movie by each id type returns it with score null."""
    hits = anonymous.get(f"/search/{id_type}/{value}", params={"type": kind}).json()
    assert [(hit["type"], hit[kind]["ids"]["trakt"], hit["score"]) for hit in hits] == [
        (kind, trakt, None)
    ]


def test_id_lookup_of_an_episode_by_trakt_id(anonymous):
    """An episode's trakt id finds the episode with its show."""
    hits = anonymous.get("/search/trakt/139400316", params={"type": "episode"}).json()
    assert hits[0]["episode"]["title"] == "Episode 16"
    assert hits[0]["show"]["ids"]["trakt"] == 1394


def test_id_lookup_of_nothing_is_an_empty_list(anonymous):
    """An id nobody has gives 200 and []."""
    response = anonymous.get("/search/imdb/tt0000001")
    assert response.status_code == 200
    assert response.json() == []


def test_summaries_by_trakt_id_slug_and_imdb_id(anonymous):
    """/shows/{id} and /movies/{id} accept trakt ids, slugs and IMDB ids; others are 404."""
    for ref in ("1390", "game-of-thrones", "tt0944947"):
        assert anonymous.get(f"/shows/{ref}").json()["ids"]["trakt"] == 1390
    for ref in ("12601", "tron-legacy-2010", "tt1104001"):
        assert anonymous.get(f"/movies/{ref}").json()["title"] == "TRON: Legacy"
    assert anonymous.get("/shows/81189x").status_code == 404
    assert anonymous.get("/movies/no-such-movie").status_code == 404


def test_summary_minimal_by_default_and_full_when_extended(anonymous):
    """A plain summary has title, year and ids; extended=full adds overview, runtime and status."""
    minimal = anonymous.get("/shows/1394").json()
    assert set(minimal) == {"title", "year", "ids"}
    assert minimal["ids"]["tvrage"] is None
    full = anonymous.get("/shows/1394", params={"extended": "full"}).json()
    assert {"overview", "runtime", "status", "aired_episodes"} <= set(full)
    assert full["aired_episodes"] == 136


def test_episode_summary(anonymous):
    """/shows/{id}/seasons/{s}/episodes/{n} gives the episode, 404 past the season's end."""
    episode = anonymous.get("/shows/marvel-s-agents-of-s-h-i-e-l-d/seasons/3/episodes/16").json()
    assert (episode["season"], episode["number"], episode["ids"]["trakt"]) == (3, 16, 139400316)
    assert anonymous.get("/shows/1394/seasons/6/episodes/14").status_code == 404
