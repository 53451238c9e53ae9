"""The demo account's 2026: one of each accident of the contract (section 6.1) beside real
viewing that must not look like one, as the API serves them (docs/sandbox.md lists them)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from trakt_plan.sandbox import demo_state
from trakt_plan.timefmt import parse_trakt_time

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def plays():
    """The demo history as the API shows it, oldest first."""
    return list(reversed(demo_state().history()))


@pytest.fixture(scope="module")
def catalogue():
    """Every demo episode's runtime and first_aired, by trakt id, as extended=full gives them."""
    state = demo_state()
    episodes = {}
    for episode in state.catalog.all_episodes():
        full = state.catalog.episode_json(episode, full=True)
        episodes[episode.trakt] = (full["runtime"], full["first_aired"])
    return episodes


def _of(plays, slug, *, action=None):
    return [
        play
        for play in plays
        if play.get("show", play.get("movie", {}))["ids"]["slug"] == slug
        and action in (None, play["action"])
    ]


def _at(play):
    return parse_trakt_time(play["watched_at"])


def _code(play):
    return (play["episode"]["season"], play["episode"]["number"])


def test_severance_is_a_back_to_back_mark_one_runtime_apart(plays, catalogue):
    """13 watch plays of S01E01..S02E04, each exactly the later episode's runtime apart."""
    marked = _of(plays, "severance", action="watch")
    assert [play["id"] for play in marked] == list(range(10_000_000_253, 10_000_000_266))
    assert (_code(marked[0]), _code(marked[-1])) == ((1, 1), (2, 4))
    for earlier, later in pairwise(marked):
        runtime = catalogue[later["episode"]["ids"]["trakt"]][0]
        assert _at(later) - _at(earlier) == timedelta(minutes=runtime)
    assert marked[-1]["watched_at"] == "2026-10-04T01:37:12.000Z"


def test_abbott_elementary_is_marked_at_each_release(plays, catalogue):
    """S06E01..E04: 4 watch plays, each stamped at its episode's first_aired, a week apart."""
    marked = _of(plays, "abbott-elementary", action="watch")
    assert [(play["id"], _code(play)) for play in marked] == [
        (10_000_000_275 + index, (6, index + 1)) for index in range(4)
    ]
    assert [play["watched_at"] for play in marked] == [
        catalogue[play["episode"]["ids"]["trakt"]][1] for play in marked
    ]
    assert (marked[0]["watched_at"], marked[-1]["watched_at"]) == (
        "2026-10-08T01:00:00.000Z",
        "2026-10-29T01:00:00.000Z",
    )


def test_2026_11_17_is_a_flood_of_210_watch_plays(plays):
    """On that day (New York) 212 plays: 210 Friends watch plays seconds apart, 2 scrobbles."""
    day = [p for p in plays if _at(p).astimezone(NEW_YORK).date().isoformat() == "2026-11-17"]
    assert Counter(play["action"] for play in day) == {"watch": 210, "scrobble": 2}
    flood = [play for play in day if play["action"] == "watch"]
    assert {play["show"]["ids"]["slug"] for play in flood} == {"friends"}
    assert len({play["watched_at"] for play in flood}) == 210
    assert (flood[0]["id"], flood[-1]["id"]) == (10_000_000_281, 10_000_000_490)
    other_days = Counter(_at(p).astimezone(NEW_YORK).date() for p in plays if p not in day)
    # The busiest other day is 2025's one-second bulk mark (27 plays in New York's 16th).
    assert max(other_days.values()) == 27


def test_slow_horses_s05e03_is_scrobbled_twice_within_its_runtime(plays, catalogue):
    """The same episode's scrobble arrives again 17m06s later, its runtime being 46 minutes."""
    episode = _of(plays, "slow-horses")[2]["episode"]["ids"]["trakt"]
    twice = [
        play for play in plays if play.get("episode", {}).get("ids", {}).get("trakt") == episode
    ]
    assert [(play["id"], play["action"]) for play in twice] == [
        (10_000_000_270, "scrobble"),
        (10_000_000_271, "scrobble"),
    ]
    assert _at(twice[1]) - _at(twice[0]) == timedelta(minutes=17, seconds=6)
    assert catalogue[episode][0] == 46


def test_scrobbled_binges_are_a_runtime_plus_one_to_two_minutes_apart(plays, catalogue):
    """Friends in the winter and Slow Horses season 5: real viewing, never exactly a runtime."""
    winter = [p for p in _of(plays, "friends", action="scrobble") if p["watched_at"] < "2026-04"]
    horses = [p for p in _of(plays, "slow-horses") if p["id"] != 10_000_000_271]
    assert (len(winter), len(horses)) == (210, 6)
    for binge in (winter, horses):
        for earlier, later in pairwise(binge):
            gap = _at(later) - _at(earlier)
            runtime = timedelta(minutes=catalogue[later["episode"]["ids"]["trakt"]][0])
            assert gap > timedelta(hours=12) or runtime + timedelta(minutes=1) <= gap
            assert gap > timedelta(hours=12) or gap <= runtime + timedelta(minutes=2)


def test_real_viewing_a_rewatch_a_manual_mark_and_live_scrobbles(plays, catalogue):
    """Dune: Part Two twice weeks apart, Oppenheimer marked once, Abbott watched live."""
    dune = _of(plays, "dune-part-two-2024")
    assert [play["action"] for play in dune] == ["scrobble", "scrobble"]
    assert _at(dune[1]) - _at(dune[0]) > timedelta(weeks=4)
    assert [(p["id"], p["action"]) for p in _of(plays, "oppenheimer-2023")] == [
        (10_000_000_252, "watch")
    ]
    live = _of(plays, "abbott-elementary", action="scrobble")
    assert [(_code(play), play["action"]) for play in live] == [
        ((6, 5), "scrobble"),
        ((6, 6), "scrobble"),
    ]
    for play in live:
        aired = parse_trakt_time(catalogue[play["episode"]["ids"]["trakt"]][1])
        assert timedelta(0) < _at(play) - aired < timedelta(minutes=31)


def test_episode_air_dates_follow_the_local_schedule_across_daylight_saving(catalogue):
    """Abbott airs Wednesdays at 21:00 New York time: 01:00Z in October, 02:00Z after DST ends."""
    abbott = 176209 * 100_000 + 600
    assert catalogue[abbott + 1][1] == "2026-10-08T01:00:00.000Z"
    assert catalogue[abbott + 5][1] == "2026-11-05T02:00:00.000Z"
    local = datetime(2026, 11, 4, 21, 0, tzinfo=NEW_YORK)
    assert parse_trakt_time(catalogue[abbott + 5][1]) == local


def test_an_episode_the_catalogue_has_no_runtime_for_says_null(anonymous):
    """Abbott S06E10 has not aired: its runtime is null while the show's is 22."""
    episode = anonymous.get("/shows/abbott-elementary/seasons/6?extended=full").json()[-1]
    show = anonymous.get("/shows/abbott-elementary?extended=full").json()
    assert (episode["number"], episode["runtime"], show["runtime"]) == (10, None, 22)


def test_2025_plays_and_ids_are_unchanged_by_2026(plays):
    """The 95 plays of 2025 keep their ids; 2026 ids start at 10000000040 and rise with time."""
    old = [play for play in plays if play["id"] < 10_000_000_040]
    assert len(old) == 95
    new = sorted(play["id"] for play in plays if play["id"] >= 10_000_000_040)
    assert new == list(range(10_000_000_040, 10_000_000_493))
