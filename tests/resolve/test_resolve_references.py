"""Reference forms and how each one is resolved to one Trakt show or movie."""

from __future__ import annotations

import pytest

from trakt_plan.errors import ResolveError
from trakt_plan.resolve import (
    Reference,
    parse_reference,
    resolve_offline,
    resolve_reference,
    resolve_scopes,
    unresolved_scopes,
)
from trakt_plan.spec.model import ScopeRef
from trakt_plan.trakt.models import HistoryItem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1394", Reference("trakt", "1394")),
        (" 1394 ", Reference("trakt", "1394")),
        ("marvel-s-agents-of-s-h-i-e-l-d", Reference("slug", "marvel-s-agents-of-s-h-i-e-l-d")),
        ("dexter", Reference("slug", "dexter")),
        ("9-1-1", Reference("slug", "9-1-1")),
        (
            "https://trakt.tv/shows/marvel-s-agents-of-s-h-i-e-l-d",
            Reference("url", "marvel-s-agents-of-s-h-i-e-l-d", "show"),
        ),
        (
            "https://app.trakt.tv/shows/the-office/seasons/3",
            Reference("url", "the-office", "show"),
        ),
        (
            "http://www.trakt.tv/movies/tron-legacy-2010?utm=x",
            Reference("url", "tron-legacy-2010", "movie"),
        ),
        ("trakt.tv/shows/dexter-2006", Reference("url", "dexter-2006", "show")),
        ("imdb:tt2364582", Reference("imdb", "tt2364582")),
        ("tt2364582", Reference("imdb", "tt2364582")),
        ("IMDB:TT2364582", Reference("imdb", "tt2364582")),
        ("tvdb:263365", Reference("tvdb", "263365")),
        ("tmdb:1403", Reference("tmdb", "1403")),
        ("Marvel's Agents of S.H.I.E.L.D.", Reference("title", "Marvel's Agents of S.H.I.E.L.D.")),
        ("Dexter", Reference("title", "Dexter")),
        ("the office", Reference("title", "the office")),
        (
            "https://example.com/shows/dexter",
            Reference("title", "https://example.com/shows/dexter"),
        ),
    ],
)
def test_parse_reference_recognises_every_form(text, expected):
    """Each way of naming a show or movie is classified without any network."""
    assert parse_reference(text) == expected


def test_a_trakt_id_resolves_to_that_show(trakt):
    """A numeric reference is the show's trakt id, with its title, year and other ids."""
    scope = resolve_reference(trakt, "show", "1394")
    assert (scope.type, scope.title, scope.year) == (
        "show",
        "Marvel's Agents of S.H.I.E.L.D.",
        2013,
    )
    assert (scope.ids.trakt, scope.ids.tvdb) == (1394, 263365)
    assert trakt.calls == [("show", 1394)]


def test_an_unknown_trakt_id_is_an_error(trakt):
    """An id Trakt does not know is reported as such."""
    with pytest.raises(ResolveError, match="no show with trakt id 99999"):
        resolve_reference(trakt, "show", "99999")


def test_a_slug_and_an_imdb_id_go_straight_to_the_summary(trakt):
    """Slugs and IMDB ids are looked up directly, without a search."""
    assert resolve_reference(trakt, "movie", "tron-legacy-2010").ids.trakt == 12601
    assert resolve_reference(trakt, "show", "imdb:tt2364582").ids.trakt == 1394
    assert [call[0] for call in trakt.calls] == ["movie", "show"]


def test_a_word_that_is_not_a_slug_falls_back_to_a_title_search(trakt):
    """`dexter` is no slug on Trakt (the show's is dexter-2006), so its title is searched."""
    scope = resolve_reference(trakt, "show", "dexter")
    assert (scope.ids.trakt, scope.title) == (4242, "Dexter")
    assert ("search", "dexter", ("show",), True) in trakt.calls


def test_a_slug_matching_nothing_at_all_is_an_error(trakt):
    """A slug that is neither a slug nor a title on Trakt says nothing was found."""
    with pytest.raises(ResolveError, match="no show titled"):
        resolve_reference(trakt, "show", "no-such-show")


def test_tvdb_and_tmdb_ids_go_through_the_id_lookup(trakt):
    """External ids use the lookup endpoint, typed so colliding tmdb ids stay apart."""
    assert resolve_reference(trakt, "show", "tvdb:263365").ids.trakt == 1394
    assert resolve_reference(trakt, "movie", "tmdb:20526").ids.trakt == 12601
    assert resolve_reference(trakt, "show", "tmdb:20526").ids.trakt == 2279
    assert trakt.calls[0] == ("lookup_id", "tvdb", "263365", "show")
    with pytest.raises(ResolveError, match="no show with tvdb id 1"):
        resolve_reference(trakt, "show", "tvdb:1")


def test_a_url_resolves_its_slug(trakt):
    """A trakt.tv show URL resolves through the slug it contains."""
    scope = resolve_reference(trakt, "show", "https://app.trakt.tv/shows/the-office-2001/seasons/1")
    assert scope.ids.trakt == 2279


def test_a_movie_url_under_show_is_an_error(trakt):
    """A movie URL given as a show scope is refused, pointing at movie:."""
    with pytest.raises(ResolveError, match="use movie: for it"):
        resolve_reference(trakt, "show", "https://trakt.tv/movies/tron-legacy-2010")
    assert trakt.calls == []


def test_a_unique_title_resolves_in_any_case(trakt):
    """A title that names one show resolves, whatever its capitals."""
    assert resolve_reference(trakt, "show", "game of thrones").ids.trakt == 1390
    assert resolve_reference(trakt, "movie", "TRON: Legacy").ids.trakt == 12601


def test_an_ambiguous_title_lists_the_candidates(trakt):
    """A title two shows share is an error naming both, with ids, slugs and years."""
    with pytest.raises(ResolveError) as caught:
        resolve_reference(trakt, "show", "The Office")
    assert str(caught.value) == (
        'show "The Office" matches 2 shows: 1402 the-office (2005), '
        "2279 the-office-2001 (2001); use a trakt id, a slug or add year: to the rule."
    )


def test_year_picks_one_of_several_titles(trakt):
    """`year:` beside a shared title picks the show of that year."""
    assert resolve_reference(trakt, "show", "The Office", 2001).ids.trakt == 2279


def test_an_unknown_title_lists_the_closest_matches(trakt):
    """A title nobody has lists what the broad search found instead."""
    with pytest.raises(ResolveError) as caught:
        resolve_reference(trakt, "show", "The Offices")
    message = str(caught.value)
    assert message.startswith('no show titled "The Offices" on Trakt; closest: ')
    assert "1402 the-office (2005) The Office" in message


def test_a_year_contradicting_an_id_is_an_error(trakt):
    """A year beside an id that names a show of another year means the id is wrong."""
    with pytest.raises(ResolveError, match="not a show from 2014"):
        resolve_reference(trakt, "show", "1394", 2014)


def test_without_the_exact_endpoint_the_broad_search_still_resolves(fake_trakt):
    """A server lacking /search/{type}/exact still resolves titles through the broad search."""
    trakt = fake_trakt(has_exact=False)
    assert resolve_reference(trakt, "show", "Game of Thrones").ids.trakt == 1390


def test_resolve_scopes_covers_rules_and_protect_once_each(trakt, spec_of):
    """Every show and movie scope of rules and protect is resolved once; history needs none."""
    spec = spec_of(
        {"name": "a", "show": 1394, "drop": {"after": "S03E16"}},
        {"name": "b", "show": 1394, "drop": {"same_timestamp": 3}},
        {"name": "c", "movie": "TRON: Legacy", "drop": {"repeats": "keep_first"}},
        {"name": "d", "history": "all", "drop": {"same_timestamp": 5}},
        protect=[{"show": "game-of-thrones"}],
    )
    resolved = resolve_scopes(spec, trakt)
    assert {scope: found.ids.trakt for scope, found in resolved.items()} == {
        ScopeRef(kind="show", ref="1394"): 1394,
        ScopeRef(kind="movie", ref="TRON: Legacy"): 12601,
        ScopeRef(kind="show", ref="game-of-thrones"): 1390,
    }
    assert sum(1 for call in trakt.calls if call == ("show", 1394)) == 1


def test_resolve_scopes_fails_whole_with_every_bad_reference(trakt, spec_of):
    """Unresolvable references fail the whole resolution, each with its own message."""
    spec = spec_of(
        {"name": "a", "show": 1394, "drop": {"after": "S03E16"}},
        {"name": "b", "show": "The Office", "drop": {"all": True}},
        {"name": "c", "show": "Nobody Made This Show", "drop": {"all": True}},
    )
    with pytest.raises(ResolveError) as caught:
        resolve_scopes(spec, trakt)
    ambiguous, unknown = str(caught.value).splitlines()
    assert "matches 2 shows" in ambiguous
    assert unknown.startswith('no show titled "Nobody Made This Show"')


def test_unresolved_scopes_lists_what_needs_trakt(spec_of):
    """validate reports the show and movie scopes still to resolve, in plan order."""
    spec = spec_of(
        {"name": "a", "history": "episodes", "drop": {"after": "S03E16"}},
        {"name": "b", "movie": "tt1104001", "drop": {"all": True}},
        {"name": "c", "show": "The Office", "year": 2005, "drop": {"all": True}},
        protect=[{"movie": "tt1104001"}],
    )
    assert unresolved_scopes(spec) == [
        ScopeRef(kind="movie", ref="tt1104001"),
        ScopeRef(kind="show", ref="The Office", year=2005),
    ]


def test_offline_resolution_matches_the_snapshot(sample_history, spec_of):
    """Offline, ids, slugs and titles (with a year) match the shows and movies in the history."""
    spec = spec_of(
        {"name": "a", "show": "marvel-s-agents-of-s-h-i-e-l-d", "drop": {"all": True}},
        {"name": "b", "show": "The Office", "year": 2001, "drop": {"all": True}},
        {"name": "c", "movie": "imdb:tt1104001", "drop": {"all": True}},
        {"name": "d", "show": 777, "drop": {"all": True}},
        {"name": "e", "show": "https://trakt.tv/shows/game-of-thrones", "drop": {"all": True}},
        {"name": "f", "show": "the-office", "drop": {"all": True}},
        {"name": "g", "show": "game-of-thrones", "drop": {"all": True}},
    )
    resolved = resolve_offline(spec, sample_history)
    assert [resolved[rule.scope].ids.trakt for rule in spec.rules] == [
        1394,
        2279,
        12601,
        777,
        1390,
        1402,
        1390,
    ]
    # An id absent from the snapshot still resolves, bare: its rule will see no plays.
    assert resolved[spec.rules[3].scope].title is None


def test_offline_resolution_refuses_what_the_snapshot_cannot_tell(sample_history, spec_of):
    """Offline, an unknown slug or a shared title is an error naming the problem."""
    unknown = spec_of({"name": "a", "show": "dexter-2006", "drop": {"all": True}})
    with pytest.raises(ResolveError, match="cannot be resolved offline"):
        resolve_offline(unknown, sample_history)
    shared = spec_of({"name": "a", "show": "The Office", "drop": {"all": True}})
    with pytest.raises(ResolveError, match="matches 2 shows in the snapshot"):
        resolve_offline(shared, sample_history)


def test_offline_a_lower_case_title_falls_back_like_online(sample_history, spec_of):
    """Offline, `dexter` (no show has that slug) matches the show titled Dexter in the history."""
    dexter = HistoryItem.model_validate(
        {
            "id": 99,
            "watched_at": "2025-11-19T20:00:00.000Z",
            "action": "watch",
            "type": "episode",
            "show": {
                "title": "Dexter",
                "year": 2006,
                "ids": {"trakt": 4242, "slug": "dexter-2006"},
            },
            "episode": {"season": 1, "number": 1, "ids": {"trakt": 990}},
        }
    )
    spec = spec_of({"name": "a", "show": "dexter", "drop": {"all": True}})
    resolved = resolve_offline(spec, [*sample_history, dexter])
    assert resolved[spec.rules[0].scope].ids.trakt == 4242


def test_each_show_of_a_list_is_resolved_on_its_own(sample_history, spec_of):
    """`show: [a slug, a URL]` resolves both references, each to its own show."""
    spec = spec_of(
        {
            "name": "two",
            "show": ["marvel-s-agents-of-s-h-i-e-l-d", "https://trakt.tv/shows/game-of-thrones"],
            "drop": {"all": True},
        }
    )
    resolved = resolve_offline(spec, sample_history)
    assert [resolved[scope].ids.trakt for scope in spec.rules[0].scopes] == [1394, 1390]
