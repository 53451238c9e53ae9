"""How rules combine: unless, protect, reasons, rule outcomes and the ordering of deletions."""

from __future__ import annotations

from trakt_plan.planner import PlanResult
from trakt_plan.spec.model import ScopeRef


def deleted(result: PlanResult) -> set[int]:
    return {deletion.item.id for deletion in result.deletions}


def test_unless_spares_plays_from_its_own_rule_only(plays, run_plan):
    """A play spared by one rule's `unless` is still removed by another rule that drops it."""
    history = [
        plays.episode("S03E13", "2025-11-17 01:02:03", id=1),
        plays.episode("S06E02", "2025-11-17 01:02:03", id=2),
        plays.episode("S06E03", "2025-11-17 01:02:03", id=3),
    ]
    result = run_plan(
        history,
        {
            "name": "bulk",
            "show": 1394,
            "drop": {"same_timestamp": 3},
            "unless": {"episodes": ["S03E13"]},
        },
        {"name": "everything", "show": 1394, "drop": {"all": True}},
    )
    reasons = {d.item.id: d.reasons for d in result.deletions}
    assert reasons == {1: ("everything",), 2: ("bulk", "everything"), 3: ("bulk", "everything")}


def test_unless_needs_all_its_conditions(plays, run_plan):
    """`unless` spares only plays matching every one of its conditions."""
    history = [
        plays.episode("S03E13", "2025-01-01 10:00:00", action="scrobble", id=1),
        plays.episode("S03E13", "2025-01-02 10:00:00", action="watch", id=2),
    ]
    result = run_plan(
        history,
        {
            "name": "r",
            "show": 1394,
            "drop": {"all": True},
            "unless": {"episodes": ["S03E13"], "action": "scrobble"},
        },
    )
    assert deleted(result) == {2}


def test_protect_shields_plays_from_every_rule(plays, run_plan):
    """A top-level protect entry keeps its plays whatever the rules say."""
    history = [
        plays.episode("S03E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S04E01", "2025-01-01 10:00:00", id=2),
        plays.episode("S01E01", "2025-01-01 10:00:00", show=1390, id=3),
    ]
    result = run_plan(
        history,
        {"name": "all-plays", "history": "all", "drop": {"all": True}},
        {"name": "show", "show": 1394, "drop": {"seasons": [3, 4]}},
        protect=[{"show": 1394, "when": {"seasons": [3]}}, {"show": 1390}],
    )
    assert deleted(result) == {2}
    assert {d.item.id: d.reasons for d in result.deletions} == {2: ("all-plays", "show")}


def test_protect_when_judges_scope_wide_conditions_over_its_own_scope(plays, run_plan):
    """`protect` with `when: {repeats: keep_first}` shields rewatches counted over its scope."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E01", "2025-01-05 10:00:00", id=2),
        plays.episode("S01E02", "2025-01-06 10:00:00", id=3),
    ]
    result = run_plan(
        history,
        {"name": "since-jan-5", "show": 1394, "watched_from": "2025-01-05", "drop": {"all": True}},
        protect=[{"history": "episodes", "when": {"repeats": "keep_first"}}],
    )
    # Play 2 repeats play 1, which the rule's window does not see: protect still counts it.
    assert deleted(result) == {3}


def test_rule_outcomes_report_scope_counts_and_unmatched_rules(plays, run_plan):
    """Each rule reports its scope size and deletions; rules that choose nothing are listed."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E02", "2025-01-01 11:00:00", id=2),
        plays.movie(12601, "2025-01-01 12:00:00", id=3),
    ]
    result = run_plan(
        history,
        {"name": "typo", "show": 1394, "drop": {"after": "S09E01"}},
        {"name": "movies", "history": "movies", "drop": {"all": True}},
        {"name": "nothing", "movie": 4, "drop": {"all": True}},
    )
    summary = [(r.name, r.plays_in_scope, r.deletions) for r in result.rules]
    assert summary == [("typo", 2, 0), ("movies", 1, 1), ("nothing", 0, 0)]
    assert result.unmatched_rules == ("typo", "nothing")
    assert result.plays_seen == 3
    assert result.rules[1].resolved is None
    assert result.rules[0].scope == ScopeRef(kind="show", ref="1394")


def test_deletions_are_sorted_by_time_then_id(plays, run_plan):
    """Deletions come out by watched_at, then history id, whatever order the history had."""
    history = [
        plays.episode("S01E03", "2025-01-03 10:00:00", id=5),
        plays.episode("S01E01", "2025-01-01 10:00:00", id=9),
        plays.episode("S01E02", "2025-01-01 10:00:00", id=8),
    ]
    result = run_plan(history, {"name": "r", "show": 1394, "drop": {"all": True}})
    assert [d.item.id for d in result.deletions] == [8, 9, 5]


def test_reasons_follow_plan_order(plays, run_plan):
    """A play chosen by several rules lists every one of them, in the order of the plan."""
    history = [plays.episode("S07E01", "2025-01-01 10:00:00", id=1)]
    result = run_plan(
        history,
        {"name": "zeta", "show": 1394, "drop": {"seasons": [7]}},
        {"name": "alpha", "history": "episodes", "drop": {"after": "S03E16"}},
        {"name": "mid", "history": "all", "drop": {"history_ids": [1]}},
    )
    assert result.deletions[0].reasons == ("zeta", "alpha", "mid")
