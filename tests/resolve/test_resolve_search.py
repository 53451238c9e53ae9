"""`search` and `history SCOPE`: references that may name a show or a movie."""

from __future__ import annotations

import pytest

from trakt_plan.errors import ResolveError
from trakt_plan.resolve import resolve_any, search_references


def listed(results):
    return [(r.type, r.media.ids.trakt) for r in results]


def test_searching_a_title_lists_exact_matches_first(trakt):
    """A title search lists the exact-title hits, then the other hits, each once."""
    results = search_references(trakt, "The Office", ["show"])
    assert listed(results) == [("show", 1402), ("show", 2279)]
    assert [call[3] for call in trakt.calls] == [True, False]


def test_searching_an_id_looks_it_up_for_each_type(trakt):
    """A trakt id is looked up as a show and as a movie; the --type option narrows that."""
    assert listed(search_references(trakt, "1390")) == [("show", 1390), ("movie", 1390)]
    assert listed(search_references(trakt, "1390", ["movie"])) == [("movie", 1390)]
    assert listed(search_references(trakt, "12601")) == [("movie", 12601)]


def test_searching_external_ids_and_urls(trakt):
    """tvdb/tmdb ids go through the id lookup; a URL only looks up its own kind."""
    assert listed(search_references(trakt, "tmdb:20526")) == [("show", 2279), ("movie", 12601)]
    url = "https://trakt.tv/movies/tron-legacy-2010"
    assert listed(search_references(trakt, url)) == [("movie", 12601)]
    assert search_references(trakt, url, ["show"]) == []


def test_searching_an_unknown_slug_searches_its_words(trakt):
    """A slug Trakt does not know is searched as words, like a title."""
    assert listed(search_references(trakt, "dexter", ["show"])) == [("show", 4242)]
    assert search_references(trakt, "99999") == []


def test_resolve_any_finds_the_one_kind_that_matches(trakt):
    """Without --type, a reference naming only a movie (or a show) resolves to it."""
    assert resolve_any(trakt, "Interstellar").type == "movie"
    assert resolve_any(trakt, "marvel-s-agents-of-s-h-i-e-l-d").ids.trakt == 1394
    assert resolve_any(trakt, "https://trakt.tv/shows/game-of-thrones").title == "Game of Thrones"


def test_resolve_any_with_a_type_resolves_that_kind(trakt):
    """With --type, the reference is resolved as that kind only."""
    assert resolve_any(trakt, "1390", "movie").title == "Heat"
    assert resolve_any(trakt, "1390", "show").title == "Game of Thrones"


def test_resolve_any_asks_for_a_type_when_both_kinds_match(trakt):
    """An id naming a show and a movie is refused with a pointer to --type."""
    with pytest.raises(ResolveError, match="names both a show, Game of Thrones"):
        resolve_any(trakt, "1390")


def test_resolve_any_explains_a_reference_naming_nothing(trakt):
    """A reference that is neither a show nor a movie says so for both."""
    with pytest.raises(ResolveError) as caught:
        resolve_any(trakt, "424242")
    assert str(caught.value) == (
        "'424242' names no show or movie on Trakt. As a show: no show with trakt id 424242 on "
        "Trakt. As a movie: no movie with trakt id 424242 on Trakt."
    )


def test_resolve_any_keeps_an_ambiguous_title_error(trakt):
    """A title several shows share is reported with its candidates, not as unknown."""
    with pytest.raises(ResolveError, match="matches 2 shows"):
        resolve_any(trakt, "The Office")
