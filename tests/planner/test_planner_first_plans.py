"""What first plans asked for: several shows in one rule, keep the real play, later days,
time of day and id ranges."""

from __future__ import annotations

from trakt_plan.planner import PlanResult


def deleted(result: PlanResult) -> list[int]:
    return sorted(deletion.item.id for deletion in result.deletions)


def test_a_rule_over_two_shows_counts_same_timestamp_over_their_union(plays, run_plan):
    """Two plays of each show share one second: 4 in the union reach same_timestamp 3."""
    history = [
        plays.episode("S01E01", "2026-01-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-01-01 10:00:00", id=2),
        plays.episode("S05E01", "2026-01-01 10:00:00", show=1390, id=3),
        plays.episode("S05E02", "2026-01-01 10:00:00", show=1390, id=4),
        plays.episode("S01E03", "2026-01-01 10:00:00", show=7, id=5),
    ]
    both = {"name": "r", "show": [1394, 1390], "drop": {"same_timestamp": 3}}
    one = {"name": "r", "show": 1394, "drop": {"same_timestamp": 3}}
    assert deleted(run_plan(history, both)) == [1, 2, 3, 4]
    assert deleted(run_plan(history, one)) == []


def test_a_show_listed_twice_counts_its_plays_once(plays, run_plan):
    """`show: [1394, 1394]` sees each play once: 2 plays never reach same_timestamp 3."""
    history = [
        plays.episode("S01E01", "2026-01-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-01-01 10:00:00", id=2),
    ]
    rule = {"name": "r", "show": [1394, "1394"], "drop": {"same_timestamp": 3}}
    result = run_plan(history, rule)
    assert (deleted(result), result.rules[0].plays_in_scope) == ([], 2)


def test_prefer_scrobble_cleans_a_resync_shifted_earlier(plays, run_plan):
    """Copies stamped an hour before the real plays go; keep: first alone would keep them."""
    history = [
        plays.episode("S01E01", "2026-01-01 19:00:00", action="watch", id=1),
        plays.episode("S01E01", "2026-01-01 20:00:00", action="scrobble", id=2),
        plays.episode("S01E02", "2026-01-01 19:45:00", action="watch", id=3),
        plays.episode("S01E02", "2026-01-01 20:45:00", action="checkin", id=4),
        plays.episode("S01E03", "2026-01-01 21:00:00", action="watch", id=5),
        plays.episode("S01E03", "2026-01-01 21:30:00", action="watch", id=6),
    ]
    preferred = {"keep": "first", "within": "2h", "prefer": "scrobble"}
    rule = {"name": "r", "show": 1394, "drop": {"repeats": preferred}}
    assert deleted(run_plan(history, rule)) == [1, 3, 6]
    plain = {"name": "r", "show": 1394, "drop": {"repeats": {"keep": "first", "within": "2h"}}}
    assert deleted(run_plan(history, plain)) == [2, 4, 6]


def test_prefer_scrobble_with_keep_last_keeps_the_latest_scrobble(plays, run_plan):
    """Among two scrobbles and a later mark, keep: last + prefer keeps the later scrobble."""
    history = [
        plays.episode("S01E01", "2026-01-01 19:00:00", action="scrobble", id=1),
        plays.episode("S01E01", "2026-01-01 20:00:00", action="scrobble", id=2),
        plays.episode("S01E01", "2026-01-01 21:00:00", action="watch", id=3),
    ]
    repeats = {"keep": "last", "prefer": "scrobble"}
    assert deleted(
        run_plan(history, {"name": "r", "show": 1394, "drop": {"repeats": repeats}})
    ) == [1, 3]


def test_day_starts_puts_late_night_plays_on_the_evening_before(plays, run_plan):
    """In New York, 23:30 and 01:30 the next night are one day when days start at 05:00."""
    history = [
        plays.episode("S01E01", "2026-01-02 04:30:00", id=1),  # 23:30 on Jan 1 in New York
        plays.episode("S01E01", "2026-01-02 06:30:00", id=2),  # 01:30 on Jan 2
        plays.episode("S01E01", "2026-01-02 10:30:00", id=3),  # 05:30 on Jan 2: a new day
    ]
    late = {"keep": "first", "per": "day", "day_starts": "05:00"}
    rule = {"name": "r", "show": 1394, "drop": {"repeats": late}}
    assert deleted(run_plan(history, rule, timezone="America/New_York")) == [2]
    midnight = {"name": "r", "show": 1394, "drop": {"repeats": {"keep": "first", "per": "day"}}}
    assert deleted(run_plan(history, midnight, timezone="America/New_York")) == [3]


def test_a_flood_day_starting_at_five_keeps_a_shifted_resync_together(plays, run_plan):
    """Three plays from 22:00 to 03:00 UTC are one flood day when days start at 05:00."""
    history = [
        plays.episode("S01E01", "2026-07-14 22:00:00", id=1),
        plays.episode("S01E02", "2026-07-15 01:00:00", id=2),
        plays.episode("S01E03", "2026-07-15 03:00:00", id=3),
    ]
    flood = {"plays": 3, "day_starts": "05:00", "timezone": "UTC"}
    result = run_plan(history, {"name": "f", "show": 1394, "drop": {"flood": flood}})
    assert {"one of 3 plays on 2026-07-14 from 05:00 (UTC)"} == {
        why for d in result.deletions for why in d.evidence
    }
    assert deleted(run_plan(history, {"name": "f", "show": 1394, "drop": {"flood": 3}})) == []


def test_time_of_day_wraps_midnight_in_the_accounts_zone(plays, run_plan):
    """22:00-02:00 in Paris (UTC+1 in January) takes 21:00Z-01:00Z, start in, end out."""
    history = [
        plays.episode("S01E01", "2026-01-10 20:59:59", id=1),
        plays.episode("S01E02", "2026-01-10 21:00:00", id=2),
        plays.episode("S01E03", "2026-01-11 00:59:59", id=3),
        plays.episode("S01E04", "2026-01-11 01:00:00", id=4),
    ]
    rule = {"name": "night", "show": 1394, "drop": {"time_of_day": "22:00-02:00"}}
    assert deleted(run_plan(history, rule, timezone="Europe/Paris")) == [2, 3]
    utc = {"between": "22:00-02:00", "timezone": "UTC"}
    named = {"name": "night", "show": 1394, "drop": {"time_of_day": utc}}
    assert deleted(run_plan(history, named, timezone="Europe/Paris")) == [3, 4]


def test_history_ids_range_takes_both_ends(plays, run_plan):
    """{from: 2, to: 3} removes plays 2 and 3 and none around them."""
    history = [plays.episode(f"S01E0{i}", f"2026-01-01 1{i}:00:00", id=i) for i in range(1, 5)]
    rule = {"name": "r", "show": 1394, "drop": {"history_ids": {"from": 2, "to": 3}}}
    assert deleted(run_plan(history, rule)) == [2, 3]
