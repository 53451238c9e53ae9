"""Conditions judged over the whole scope: same_timestamp, burst and repeats."""

from __future__ import annotations

from trakt_plan.planner import PlanResult


def deleted(result: PlanResult) -> set[int]:
    return {deletion.item.id for deletion in result.deletions}


def test_same_timestamp_counts_plays_within_one_second(plays, run_plan):
    """Plays whose watched_at shares a second (milliseconds aside) count together."""
    history = [
        plays.episode("S06E02", "2025-11-17 01:02:03.000", id=1),
        plays.episode("S06E03", "2025-11-17 01:02:03.400", id=2),
        plays.episode("S06E04", "2025-11-17 01:02:03.999", id=3),
        plays.episode("S06E05", "2025-11-17 01:02:04.000", id=4),
        plays.episode("S06E06", "2025-11-17 01:02:04.000", id=5),
    ]
    result = run_plan(history, {"name": "bulk", "show": 1394, "drop": {"same_timestamp": 3}})
    assert deleted(result) == {1, 2, 3}


def test_scope_wide_conditions_count_plays_other_conditions_reject(plays, run_plan):
    """same_timestamp counts every play of the scope, even those `seasons` leaves out."""
    history = [
        plays.episode("S06E12", "2025-11-17 01:02:03", id=1),
        plays.episode("S06E13", "2025-11-17 01:02:03", id=2),
        plays.episode("S07E01", "2025-11-17 01:02:03", id=3),
        plays.episode("S07E02", "2025-11-18 09:00:00", id=4),
    ]
    result = run_plan(
        history,
        {"name": "r", "show": 1394, "drop": {"seasons": [7], "same_timestamp": 3}},
    )
    assert deleted(result) == {3}


def test_burst_chains_plays_each_close_to_the_previous(plays, run_plan):
    """A burst is a chain of plays each within `within` of the previous, however long in all."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E02", "2025-01-01 10:02:00", id=2),
        plays.episode("S01E03", "2025-01-01 10:04:00", id=3),
        plays.episode("S01E04", "2025-01-01 10:06:00", id=4),
        # 2m01s after the previous play: the chain breaks here.
        plays.episode("S01E05", "2025-01-01 10:08:01", id=5),
        plays.episode("S01E06", "2025-01-01 10:09:00", id=6),
    ]
    result = run_plan(
        history,
        {"name": "r", "show": 1394, "drop": {"burst": {"plays": 3, "within": "2m"}}},
    )
    assert deleted(result) == {1, 2, 3, 4}


def test_burst_zero_seconds_groups_identical_timestamps(plays, run_plan):
    """`burst` with `within: 0s` is a run of plays sharing the very same watched_at."""
    history = [
        plays.episode("S02E01", "2025-01-01 10:00:00", id=10),
        plays.episode("S02E02", "2025-01-01 10:00:00", id=11),
        plays.episode("S02E03", "2025-01-01 10:00:01", id=12),
    ]
    result = run_plan(
        history,
        {"name": "r", "show": 1394, "drop": {"burst": {"plays": 2, "within": "0s"}}},
    )
    assert deleted(result) == {10, 11}


def test_keep_first_keeps_the_earliest_and_breaks_ties_by_id(plays, run_plan):
    """`repeats: keep_first` keeps each episode's earliest play; on a tie the lower id stays."""
    history = [
        plays.episode("S03E13", "2025-11-18 19:40:54", id=24),
        plays.episode("S03E13", "2025-11-18 19:40:54", id=23),
        plays.episode("S03E13", "2025-11-19 08:00:00", id=30),
        plays.episode("S03E14", "2025-11-19 09:00:00", id=31),
        plays.movie(12601, "2025-11-19 10:00:00", id=40),
        plays.movie(12601, "2025-11-20 10:00:00", id=41),
    ]
    result = run_plan(
        history, {"name": "dupes", "history": "all", "drop": {"repeats": "keep_first"}}
    )
    assert deleted(result) == {24, 30, 41}


def test_keep_last_keeps_the_latest(plays, run_plan):
    """`repeats: keep_last` keeps each episode's latest play; on a tie the higher id stays."""
    history = [
        plays.episode("S03E13", "2025-11-18 19:40:54", id=23),
        plays.episode("S03E13", "2025-11-19 08:00:00", id=24),
        plays.episode("S03E13", "2025-11-19 08:00:00", id=25),
    ]
    result = run_plan(history, {"name": "r", "show": 1394, "drop": {"repeats": "keep_last"}})
    assert deleted(result) == {23, 24}


def test_repeats_within_walks_from_the_kept_play(plays, run_plan):
    """With `within`, a play farther than that from the kept one starts a new viewing."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E01", "2025-01-01 10:20:00", id=2),
        # 40m after the kept 10:00 play: a rewatch, and the new kept play.
        plays.episode("S01E01", "2025-01-01 10:40:00", id=3),
        # Exactly 30m after the new kept play: still a double scrobble.
        plays.episode("S01E01", "2025-01-01 11:10:00", id=4),
    ]
    result = run_plan(
        history,
        {"name": "r", "show": 1394, "drop": {"repeats": {"keep": "first", "within": "30m"}}},
    )
    assert deleted(result) == {2, 4}


def test_repeats_within_keep_last_walks_backwards(plays, run_plan):
    """With `keep: last`, the walk starts at the latest play and goes back in time."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E01", "2025-01-01 10:20:00", id=2),
        plays.episode("S01E01", "2025-01-01 10:40:00", id=3),
        plays.episode("S01E01", "2025-01-01 11:20:00", id=4),
    ]
    result = run_plan(
        history,
        {"name": "r", "show": 1394, "drop": {"repeats": {"keep": "last", "within": "30m"}}},
    )
    # 11:20 kept; 10:40 is 40m away (new kept); 10:20 is 20m from it; 10:00 is 40m (kept).
    assert deleted(result) == {2}


def test_per_day_uses_the_account_timezone(plays, run_plan):
    """Two plays either side of Los Angeles midnight are two days there, one day in UTC."""
    history = [
        # 22:00 on 16 Nov in Los Angeles.
        plays.episode("S01E01", "2025-11-17 06:00:00", id=1),
        # 01:00 on 17 Nov in Los Angeles.
        plays.episode("S01E01", "2025-11-17 09:00:00", id=2),
    ]
    rule = {"name": "r", "show": 1394, "drop": {"repeats": {"keep": "first", "per": "day"}}}
    in_los_angeles = run_plan(history, rule, timezone="America/Los_Angeles")
    in_utc = run_plan(history, rule, timezone="UTC")
    assert (deleted(in_los_angeles), deleted(in_utc)) == (set(), {2})


def test_per_day_timezone_of_the_condition_beats_the_account(plays, run_plan):
    """`timezone:` on the condition overrides the account's timezone."""
    history = [
        plays.episode("S01E01", "2025-11-17 06:00:00", id=1),
        plays.episode("S01E01", "2025-11-17 09:00:00", id=2),
        plays.episode("S01E02", "2025-11-17 09:30:00", id=3),
    ]
    rule = {
        "name": "r",
        "show": 1394,
        "drop": {"repeats": {"keep": "last", "per": "day", "timezone": "UTC"}},
    }
    result = run_plan(history, rule, timezone="America/Los_Angeles")
    assert deleted(result) == {1}


def test_unless_scope_wide_condition_sees_the_whole_scope(plays, run_plan):
    """`unless: {repeats: keep_first}` spares rewatches, counted over the whole scope."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E01", "2025-01-02 10:00:00", id=2),
        plays.episode("S01E02", "2025-01-03 10:00:00", id=3),
    ]
    result = run_plan(
        history,
        {
            "name": "r",
            "show": 1394,
            "drop": {"watched_from": "2025-01-02"},
            "unless": {"repeats": "keep_first"},
        },
    )
    # Play 2 is a rewatch of play 1, which lies outside `drop`'s window: still spared.
    assert deleted(result) == {3}
