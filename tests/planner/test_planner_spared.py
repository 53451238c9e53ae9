"""What `protect:` and `unless:` spared: per rule, and for the whole plan, counted by hand."""

from __future__ import annotations


def five_marked(plays):
    """S01E01 to S01E05 marked in one second (ids 1 to 5)."""
    return [plays.episode(f"S01E0{n}", "2025-11-17 01:02:03", id=n) for n in range(1, 6)]


BULK_UNLESS_E2_E3 = {
    "name": "bulk",
    "show": 1394,
    "drop": {"same_timestamp": 3},
    "unless": {"episodes": ["S01E02", "S01E03"]},
}
PROTECT_E3_E4 = [{"show": 1394, "when": {"episodes": ["S01E03", "S01E04"]}}]


def test_a_rule_counts_the_plays_protect_and_its_unless_spared(plays, run_plan):
    """Drop chose 1-5; protect shields 3 and 4, unless 2 and 3: 2 removed, 2 + 1 spared."""
    result = run_plan(five_marked(plays), BULK_UNLESS_E2_E3, protect=PROTECT_E3_E4)

    (rule,) = result.rules
    assert [d.item.id for d in result.deletions] == [1, 5]
    # S01E03 is both protected and excepted: it counts under protect only.
    assert (rule.deletions, rule.spared_by_protect, rule.spared_by_unless) == (2, 2, 1)
    assert (result.spared_by_protect, result.spared_by_unless) == (2, 1)


def test_a_play_another_rule_removes_is_not_spared_in_the_totals(plays, run_plan):
    """`bulk`'s unless keeps S01E02 and S01E03 from it, but `after-e01` removes them anyway."""
    after_e01 = {"name": "after-e01", "show": 1394, "drop": {"after": "S01E01"}}

    result = run_plan(five_marked(plays), BULK_UNLESS_E2_E3, after_e01, protect=PROTECT_E3_E4)

    bulk, after = result.rules
    assert [d.item.id for d in result.deletions] == [1, 2, 5]
    assert (bulk.deletions, bulk.spared_by_protect, bulk.spared_by_unless) == (2, 2, 1)
    assert (after.deletions, after.spared_by_protect, after.spared_by_unless) == (2, 2, 0)
    # Play 2 goes (after-e01); plays 3 and 4 stay, protected; each counted once.
    assert (result.spared_by_protect, result.spared_by_unless) == (2, 0)


def test_a_plan_without_protect_or_unless_spares_nothing(plays, run_plan):
    """A bare bulk rule removes all it chose: nothing spared anywhere."""
    result = run_plan(
        five_marked(plays), {"name": "b", "show": 1394, "drop": {"same_timestamp": 3}}
    )

    assert (result.rules[0].spared_by_protect, result.rules[0].spared_by_unless) == (0, 0)
    assert (result.spared_by_protect, result.spared_by_unless) == (0, 0)
