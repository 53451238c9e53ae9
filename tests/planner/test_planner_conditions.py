"""Per-play conditions, scopes and windows: which plays a single rule removes."""

from __future__ import annotations

import pytest

from trakt_plan.errors import ConfigError, ResolveError
from trakt_plan.planner import PlanResult, build_plan


def deleted(result: PlanResult) -> set[int]:
    return {deletion.item.id for deletion in result.deletions}


def test_after_removes_only_later_episodes_of_the_show(plays, run_plan):
    """A rule `after: S03E16` on a show removes its later episodes and nothing of other shows."""
    history = [
        plays.episode("S03E16", "2025-11-20 10:11:12", id=1),
        plays.episode("S03E17", "2025-11-20 11:00:00", id=2),
        plays.episode("S04E01", "2025-11-20 12:00:00", id=3),
        plays.episode("S00E05", "2025-11-20 13:00:00", id=4),
        plays.episode("S05E01", "2025-11-20 14:00:00", show=1390, id=5),
    ]
    result = run_plan(history, {"name": "r", "show": 1394, "drop": {"after": "S03E16"}})
    assert deleted(result) == {2, 3}


def test_specials_come_before_the_first_episode(plays, run_plan):
    """Season 0 counts as earlier than S01E01, so `before: S01E01` picks the specials."""
    history = [
        plays.episode("S00E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E01", "2025-01-01 11:00:00", id=2),
        plays.episode("S00E09", "2025-01-01 12:00:00", id=3),
    ]
    result = run_plan(history, {"name": "r", "show": 1394, "drop": {"before": "S01E01"}})
    assert deleted(result) == {1, 3}


def test_episode_conditions_never_match_movies(plays, run_plan):
    """Over `history: all`, after/before/seasons/episodes pass over movie plays."""
    history = [
        plays.episode("S07E01", "2025-01-01 10:00:00", id=1),
        plays.movie(12601, "2025-01-01 11:00:00", id=2),
    ]
    for drop in (
        {"after": "S01E01"},
        {"before": "S99E01"},
        {"seasons": "0-9"},
        {"episodes": ["S00E01-S99E99"]},
    ):
        result = run_plan(history, {"name": "r", "history": "all", "drop": drop})
        assert deleted(result) == {1}, drop


def test_seasons_as_list_or_range(plays, run_plan):
    """`seasons: [0]` picks specials and `seasons: "6-7"` both seasons of the range."""
    history = [
        plays.episode("S00E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S05E03", "2025-01-01 11:00:00", id=2),
        plays.episode("S06E03", "2025-01-01 12:00:00", id=3),
        plays.episode("S07E10", "2025-01-01 13:00:00", id=4),
    ]
    specials = run_plan(history, {"name": "r", "show": 1394, "drop": {"seasons": [0]}})
    assert deleted(specials) == {1}
    later = run_plan(history, {"name": "r", "show": 1394, "drop": {"seasons": "6-7"}})
    assert deleted(later) == {3, 4}


def test_episode_ranges_include_both_ends(plays, run_plan):
    """`episodes: [S03E13, S06E02-S06E05]` takes single codes and inclusive ranges."""
    history = [
        plays.episode(code, f"2025-01-01 10:00:{index:02d}", id=index)
        for index, code in enumerate(
            ["S03E12", "S03E13", "S06E01", "S06E02", "S06E04", "S06E05", "S06E06"], start=1
        )
    ]
    result = run_plan(
        history,
        {"name": "r", "show": 1394, "drop": {"episodes": ["s3e13", "S06E02-S06E05"]}},
    )
    assert deleted(result) == {2, 4, 5, 6}


def test_action_and_history_ids_pick_exact_plays(plays, run_plan):
    """`action` matches how a play was made and `history_ids` exactly the plays listed."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", action="scrobble", id=1),
        plays.episode("S01E02", "2025-01-01 11:00:00", action="watch", id=2),
        plays.episode("S01E03", "2025-01-01 12:00:00", action="checkin", id=3),
    ]
    by_action = run_plan(
        history, {"name": "r", "show": 1394, "drop": {"action": ["watch", "checkin"]}}
    )
    assert deleted(by_action) == {2, 3}
    by_id = run_plan(history, {"name": "r", "history": "all", "drop": {"history_ids": [1, 99]}})
    assert deleted(by_id) == {1}


def test_condition_window_includes_from_and_excludes_until(plays, run_plan):
    """A condition window keeps a play at watched_from and leaves one at watched_until."""
    history = [
        plays.episode("S01E01", "2025-11-16 23:59:59", id=1),
        plays.episode("S01E02", "2025-11-17 00:00:00", id=2),
        plays.episode("S01E03", "2025-11-17 23:59:59.999", id=3),
        plays.episode("S01E04", "2025-11-18 00:00:00", id=4),
    ]
    result = run_plan(
        history,
        {
            "name": "r",
            "show": 1394,
            "drop": {"watched_from": "2025-11-17", "watched_until": "2025-11-18"},
        },
    )
    assert deleted(result) == {2, 3}


def test_rule_window_narrows_the_scope_before_counting(plays, run_plan):
    """A rule-level window bounds the scope, so same_timestamp only counts plays inside it."""
    inside = [plays.episode(f"S06E{n:02d}", "2025-11-17 01:02:03", id=n) for n in (1, 2)]
    outside = [plays.episode("S06E03", "2025-11-17 01:02:03", id=3)]
    # The same second again, but exactly at watched_until: outside the window.
    boundary = [plays.episode("S06E04", "2025-11-18 00:00:00", id=4)]
    result = run_plan(
        [*inside, *outside, *boundary],
        {
            "name": "r",
            "show": 1394,
            "watched_from": "2025-11-17T01:02:03.500Z",
            "watched_until": "2025-11-18",
            "drop": {"all": True},
        },
    )
    assert deleted(result) == set()
    assert result.rules[0].plays_in_scope == 0

    counted = run_plan(
        [*inside, *outside, *boundary],
        {
            "name": "r",
            "show": 1394,
            "watched_from": "2025-11-17",
            "watched_until": "2025-11-18",
            "drop": {"same_timestamp": 3},
        },
    )
    assert deleted(counted) == {1, 2, 3}
    assert counted.rules[0].plays_in_scope == 3


def test_history_scopes_split_episodes_and_movies(plays, run_plan):
    """`history: episodes` sees only episode plays, `history: movies` only movie plays."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.movie(12601, "2025-01-01 11:00:00", id=2),
        plays.episode("S02E01", "2025-01-01 12:00:00", show=1390, id=3),
    ]
    episodes = run_plan(history, {"name": "e", "history": "episodes", "drop": {"all": True}})
    movies = run_plan(history, {"name": "m", "history": "movies", "drop": {"all": True}})
    everything = run_plan(history, {"name": "a", "history": "all", "drop": {"all": True}})
    assert (deleted(episodes), deleted(movies), deleted(everything)) == (
        {1, 3},
        {2},
        {1, 2, 3},
    )


def test_movie_scope_sees_only_that_movie(plays, run_plan):
    """A `movie:` rule looks at the plays of that movie and no other."""
    history = [
        plays.movie(12601, "2025-01-01 10:00:00", action="watch", id=1),
        plays.movie(4, "2025-01-01 11:00:00", action="watch", id=2),
    ]
    result = run_plan(history, {"name": "r", "movie": 12601, "drop": {"action": "watch"}})
    assert deleted(result) == {1}
    assert result.rules[0].resolved is not None
    assert result.rules[0].resolved.title == "TRON: Legacy"


def test_a_play_read_twice_counts_once(plays, run_plan):
    """The same history id twice in the input is one play, deleted once."""
    play = plays.episode("S01E01", "2025-01-01 10:00:00", id=7)
    result = run_plan([play, play], {"name": "r", "show": 1394, "drop": {"all": True}})
    assert [d.item.id for d in result.deletions] == [7]
    assert result.plays_seen == 1


def test_an_unresolved_scope_is_refused(plays, spec_of):
    """Planning a show scope nobody resolved raises ResolveError rather than guessing."""
    spec = spec_of({"name": "r", "show": "the-office", "drop": {"all": True}})
    with pytest.raises(ResolveError, match="the-office"):
        build_plan(spec, {}, [plays.episode("S01E01", "2025-01-01 10:00:00")])


def test_an_unknown_account_timezone_is_a_clear_error(plays, run_plan):
    """A per-day rule with an account timezone the tz database lacks raises ConfigError."""
    history = [plays.episode("S01E01", "2025-01-01 10:00:00")]
    with pytest.raises(ConfigError, match="Mars/Olympus_Mons"):
        run_plan(
            history,
            {"name": "r", "show": 1394, "drop": {"repeats": {"keep": "first", "per": "day"}}},
            timezone="Mars/Olympus_Mons",
        )


def test_a_plan_with_unresolved_relative_dates_is_refused(plays, spec_of, resolved_of):
    """Planning before `30d ago` is resolved would pick the wrong window: it is refused."""
    spec = spec_of({"name": "r", "show": 1394, "watched_from": "30d ago", "drop": {"all": True}})
    history = [plays.episode("S01E01", "2025-01-01 10:00:00", id=1)]
    with pytest.raises(ConfigError, match=r"relative dates \(30d ago\) are not resolved"):
        build_plan(spec, resolved_of(spec), history)
