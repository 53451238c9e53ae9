"""The 2026 accidents: back-to-back chains, marks at release, flooded days, runtime repeats."""

from __future__ import annotations

from datetime import date

from tests.planner.conftest import episode_id, when
from trakt_plan.catalogue import Catalogue, EpisodeFacts, MovieFacts
from trakt_plan.planner import PlanResult

SHOW = 1394


def runtimes(show_runtime: int | None = None, **minutes: int | None) -> Catalogue:
    """A catalogue of show 1394: ``S01E01=42`` gives that episode a 42-minute runtime."""
    return Catalogue(
        episodes={episode_id(code): EpisodeFacts(runtime=rt) for code, rt in minutes.items()},
        shows={SHOW: show_runtime},
    )


def why(result: PlanResult) -> dict[int, str]:
    return {d.item.id: "; ".join(d.evidence) for d in result.deletions}


def chain_rule(plays: int | dict[str, object] = 3) -> dict[str, object]:
    return {"name": "chain", "show": SHOW, "drop": {"runtime_chain": plays}}


def test_a_back_to_back_mark_is_one_chain_and_each_play_says_its_link(plays, run_plan):
    """Four plays each one 42-minute runtime after the previous form one chain of four."""
    history = [
        plays.episode("S02E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S02E02", "2026-06-01 10:42:00", id=2),
        plays.episode("S02E03", "2026-06-01 11:24:00", id=3),
        plays.episode("S02E04", "2026-06-01 12:06:00", id=4),
    ]
    catalogue = runtimes(S02E01=42, S02E02=42, S02E03=42, S02E04=42)
    result = run_plan(history, chain_rule(3), catalogue=catalogue)
    assert why(result) == {
        1: "one runtime (42 min) before S02E02, 4 plays back to back",
        2: "one runtime (42 min) after S02E01, 4 plays back to back",
        3: "one runtime (42 min) after S02E02, 4 plays back to back",
        4: "one runtime (42 min) after S02E03, 4 plays back to back",
    }
    assert set() == set(why(run_plan(history, chain_rule(5), catalogue=catalogue)))


def test_a_real_play_between_two_marks_breaks_the_chain(plays, run_plan):
    """A scrobble at an odd time cuts 3 + 2 back-to-back plays; only the chain of 3 reaches 3."""
    history = [
        plays.episode("S01E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-06-01 10:42:00", id=2),
        plays.episode("S01E03", "2026-06-01 11:24:00", id=3),
        plays.episode("S01E07", "2026-06-01 11:50:00", action="scrobble", id=9),
        plays.episode("S01E04", "2026-06-01 12:06:00", id=4),
        plays.episode("S01E05", "2026-06-01 12:48:00", id=5),
    ]
    catalogue = runtimes(show_runtime=42)
    result = run_plan(history, chain_rule(3), catalogue=catalogue)
    assert sorted(why(result)) == [1, 2, 3]


def test_plays_sharing_a_second_are_ordered_by_id_and_do_not_link(plays, run_plan):
    """A tie (gap 0) splits E1,E2a | E2b,E3: two chains of two, none of three."""
    history = [
        plays.episode("S01E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-06-01 10:42:00", id=3),
        plays.episode("S01E02", "2026-06-01 10:42:00", id=2),
        plays.episode("S01E03", "2026-06-01 11:24:00", id=4),
    ]
    catalogue = runtimes(show_runtime=42)
    assert sorted(why(run_plan(history, chain_rule(2), catalogue=catalogue))) == [1, 2, 3, 4]
    assert sorted(why(run_plan(history, chain_rule(3), catalogue=catalogue))) == []


def test_a_gap_may_equal_either_episodes_runtime_and_null_falls_back_to_the_show(plays, run_plan):
    """E1 (60 min) then E2 60 min later links on E1's runtime; E3 (null) uses the show's 30."""
    history = [
        plays.episode("S01E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-06-01 11:00:00", id=2),
        plays.episode("S01E03", "2026-06-01 11:30:00", id=3),
    ]
    catalogue = runtimes(show_runtime=30, S01E01=60, S01E02=45, S01E03=None)
    assert why(run_plan(history, chain_rule(3), catalogue=catalogue)) == {
        1: "one runtime (60 min) before S01E02, 3 plays back to back",
        2: "one runtime (60 min) after S01E01, 3 plays back to back",
        3: "one runtime (30 min) after S01E02, 3 plays back to back",
    }


def test_a_play_with_no_runtime_at_all_ends_the_chain(plays, run_plan):
    """With no show runtime, E3's null runtime cuts the chain after E2, even at the right gap."""
    history = [
        plays.episode("S01E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-06-01 10:42:00", id=2),
        plays.episode("S01E03", "2026-06-01 11:24:00", id=3),
        plays.episode("S01E04", "2026-06-01 12:06:00", id=4),
    ]
    catalogue = runtimes(S01E01=42, S01E02=42, S01E03=None, S01E04=42)
    assert sorted(why(run_plan(history, chain_rule(2), catalogue=catalogue))) == [1, 2]
    assert sorted(why(run_plan(history, chain_rule(2), catalogue=Catalogue()))) == []


def test_tolerance_is_inclusive_and_defaults_to_exact(plays, run_plan):
    """Gaps of 42m30s link with a 30s tolerance, not with the default 0s."""
    history = [
        plays.episode("S01E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S01E02", "2026-06-01 10:42:30", id=2),
        plays.episode("S01E03", "2026-06-01 11:25:00", id=3),
    ]
    catalogue = runtimes(show_runtime=42)
    loose = chain_rule({"plays": 3, "tolerance": "30s"})
    assert sorted(why(run_plan(history, loose, catalogue=catalogue))) == [1, 2, 3]
    assert sorted(why(run_plan(history, chain_rule(2), catalogue=catalogue))) == []


def test_chains_are_per_show_and_never_take_movies(plays, run_plan):
    """Over history: all, plays of two shows interleave without breaking each show's chain."""
    history = [
        plays.episode("S01E01", "2026-06-01 10:00:00", id=1),
        plays.episode("S05E01", "2026-06-01 10:10:00", show=1390, id=7),
        plays.episode("S01E02", "2026-06-01 10:42:00", id=2),
        plays.movie(4, "2026-06-01 11:00:00", id=8),
        plays.movie(4, "2026-06-01 13:49:00", id=9),
    ]
    catalogue = Catalogue(
        episodes={}, shows={SHOW: 42, 1390: 60}, movies={4: MovieFacts(runtime=169)}
    )
    rule = {"name": "chain", "history": "all", "drop": {"runtime_chain": 2}}
    assert sorted(why(run_plan(history, rule, catalogue=catalogue))) == [1, 2]


def test_at_release_matches_plays_stamped_at_first_aired_or_the_release_date(plays, run_plan):
    """Exact first_aired matches, 2m off only with within: 2m; a movie's release is 00:00Z."""
    history = [
        plays.episode("S01E01", "2024-03-01 02:00:00", id=1),
        plays.episode("S01E02", "2024-03-08 02:02:00", id=2),
        plays.episode("S01E03", "2024-03-20 21:00:00", id=3),
        plays.episode("S01E04", "2024-03-22 02:00:00", id=4),
        plays.movie(4, "2014-11-07 00:00:00", id=5),
    ]
    aired = {
        "S01E01": "2024-03-01 02:00:00",
        "S01E02": "2024-03-08 02:00:00",
        "S01E03": "2024-03-15 02:00:00",
    }
    catalogue = Catalogue(
        episodes={episode_id(c): EpisodeFacts(first_aired=when(t)) for c, t in aired.items()},
        movies={4: MovieFacts(released=date(2014, 11, 7))},
    )
    exact = {"name": "rel", "history": "all", "drop": {"at_release": True}}
    assert why(run_plan(history, exact, catalogue=catalogue)) == {
        1: "at the release of S01E01 (2024-03-01 02:00:00Z)",
        5: "at the release of Interstellar (2014-11-07 00:00:00Z)",
    }
    near = {"name": "rel", "history": "all", "drop": {"at_release": {"within": "2m"}}}
    assert (
        why(run_plan(history, near, catalogue=catalogue))[2]
        == "2m after the release of S01E02 (2024-03-08 02:00:00Z)"
    )


def test_a_flood_counts_days_in_the_accounts_time_zone(plays, run_plan):
    """22:30Z on July 13 is July 14 in Paris, so it counts with July 14's plays."""
    history = [
        plays.episode("S01E01", "2026-07-13 21:30:00", id=1),
        plays.episode("S01E02", "2026-07-13 22:30:00", id=2),
        plays.episode("S01E03", "2026-07-14 08:00:00", id=3),
        plays.episode("S01E04", "2026-07-14 21:59:59", id=4),
        plays.episode("S01E05", "2026-07-14 22:00:00", id=5),
    ]
    rule = {"name": "flood", "show": SHOW, "drop": {"flood": 3}}
    assert why(run_plan(history, rule, timezone="Europe/Paris")) == {
        2: "one of 3 plays on 2026-07-14 (Europe/Paris)",
        3: "one of 3 plays on 2026-07-14 (Europe/Paris)",
        4: "one of 3 plays on 2026-07-14 (Europe/Paris)",
    }
    # In UTC the same plays fall 2 on July 13 and 3 on July 14.
    assert sorted(why(run_plan(history, rule))) == [3, 4, 5]


def test_a_flood_day_across_the_spring_change_is_23_hours_long(plays, run_plan):
    """On 2026-03-29 Paris moves to +02:00: 23:30Z the day before and 21:30Z share one day."""
    history = [
        plays.episode("S01E01", "2026-03-28 22:59:59", id=1),
        plays.episode("S01E02", "2026-03-28 23:00:00", id=2),
        plays.episode("S01E03", "2026-03-29 21:59:59", id=3),
        plays.episode("S01E04", "2026-03-29 22:00:00", id=4),
    ]
    rule = {
        "name": "flood",
        "show": SHOW,
        "drop": {"flood": {"plays": 2, "timezone": "Europe/Paris"}},
    }
    assert sorted(why(run_plan(history, rule))) == [2, 3]


def test_a_flood_counts_the_whole_scope_whatever_the_other_conditions(plays, run_plan):
    """Two watch plays and a scrobble make a day of 3: flood 3 with action watch takes the two."""
    history = [
        plays.episode("S01E01", "2026-07-14 08:00:00", id=1),
        plays.episode("S01E02", "2026-07-14 09:00:00", action="scrobble", id=2),
        plays.episode("S01E03", "2026-07-14 10:00:00", id=3),
    ]
    rule = {"name": "flood", "show": SHOW, "drop": {"flood": 3, "action": "watch"}}
    assert sorted(why(run_plan(history, rule))) == [1, 3]


def test_repeats_within_runtime_keep_rewatches_a_runtime_apart(plays, run_plan):
    """With a 42-minute episode, a play 30 min after the kept one is a repeat; 42 min is not."""
    history = [
        plays.episode("S01E01", "2026-06-01 20:00:00", action="scrobble", id=1),
        plays.episode("S01E01", "2026-06-01 20:30:00", action="scrobble", id=2),
        plays.episode("S01E01", "2026-06-01 20:42:00", action="scrobble", id=3),
        plays.episode("S01E01", "2026-06-01 21:00:00", action="scrobble", id=4),
        plays.episode("S01E02", "2026-06-01 21:00:00", id=5),
        plays.episode("S01E02", "2026-06-01 21:01:00", id=6),
    ]
    catalogue = runtimes(S01E01=42)
    rule = {"name": "r", "show": SHOW, "drop": {"repeats": {"keep": "first", "within": "runtime"}}}
    assert why(run_plan(history, rule, catalogue=catalogue)) == {
        2: "a repeat of S01E01, whose play at 2026-06-01 20:00:00Z (scrobble) stays",
        4: "a repeat of S01E01, whose play at 2026-06-01 20:42:00Z (scrobble) stays",
    }


def test_plays_chosen_by_plain_conditions_say_which_conditions(plays, run_plan):
    """A deletion by `after` and `action` cites them as the plan writes them."""
    history = [plays.episode("S03E17", "2025-11-20 11:00:00", id=2)]
    rule = {"name": "r", "show": SHOW, "drop": {"after": "S03E16", "action": "watch"}}
    assert why(run_plan(history, rule)) == {2: "matches after S03E16; action watch"}


def test_plain_conditions_with_a_mapping_read_as_the_plan_writes_them(plays, run_plan):
    """A history-id range is cited in YAML's flow style."""
    history = [plays.episode("S03E17", "2025-11-20 11:00:00", id=2)]
    rule = {"name": "r", "show": SHOW, "drop": {"history_ids": {"from": 1, "to": 5}}}
    assert why(run_plan(history, rule)) == {2: "matches history_ids {from: 1, to: 5}"}
