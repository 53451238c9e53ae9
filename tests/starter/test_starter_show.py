"""`trakt-plan init 1394`: the starter for the show of the seed story, on the demo account."""

from __future__ import annotations

from trakt_plan.detect import find_accidents
from trakt_plan.spec.load import load_spec_text
from trakt_plan.spec.model import ScopeRef
from trakt_plan.starter import render_starter

AOS_BULK = set(range(10_000_000_000, 10_000_000_022))


def test_the_starter_names_the_show_it_was_made_for(history, aos, now):
    """The header and the rule's comment give the title, year, slug and Trakt id."""
    text = render_starter(aos, history, now=now, source="sandbox-user on the sandbox")

    first_line = text.splitlines()[0]
    assert "Marvel's Agents of S.H.I.E.L.D. (2013)" in first_line
    assert "    show: 1394    # Marvel's Agents of S.H.I.E.L.D. (2013), slug " in text
    assert "marvel-s-agents-of-s-h-i-e-l-d" in text
    assert "from sandbox-user on the sandbox: 83 plays of this show." in " ".join(
        line.lstrip("# ") for line in text.splitlines()[:4]
    )


def test_the_starter_points_out_the_one_second_bulk_mark_and_its_watch_actions(history, aos, now):
    """The 22 plays of 2025-11-17 01:02:03 are listed as a bulk mark made with `watch`."""
    text = render_starter(aos, history, now=now, source="demo")

    assert (
        "#   - bulk mark: 22 plays at 2025-11-17 01:02:03Z (S06E02..S07E10), action watch" in text
    )
    bulk_rows = [line for line in text.splitlines() if line.endswith("<- bulk mark")]
    assert len(bulk_rows) == 9  # the newest 15 plays hold 9 of the 22
    assert all(" watch " in row and "2025-11-17 01:02:03Z" in row for row in bulk_rows)
    assert "watch = marked as watched" in text


def test_the_show_starter_loads_as_one_bulk_rule_on_the_show(history, aos, now):
    """The YAML is a valid plan whose only rule looks at show 1394 with same_timestamp: 3."""
    spec = load_spec_text(render_starter(aos, history, now=now, source="demo"), "starter.yaml")

    assert [rule.name for rule in spec.rules] == ["bulk-marks"]
    assert spec.rules[0].scope == ScopeRef(kind="show", ref="1394")
    assert spec.rules[0].drop.same_timestamp == 3
    assert spec.description == "Starter plan for Marvel's Agents of S.H.I.E.L.D. (2013)"


def test_planning_the_show_starter_removes_exactly_the_bulk_mark(history, aos, now, plan_of):
    """Planned as is, the starter removes the 22 bulk plays and none of the real scrobbles."""
    text = render_starter(aos, history, now=now, source="demo")

    result = plan_of(text, history)

    removed = {deletion.item.id for deletion in result.deletions}
    assert removed == AOS_BULK
    assert all(deletion.item.action == "watch" for deletion in result.deletions)
    assert result.unmatched_rules == ()


def test_plays_of_other_shows_do_not_leak_into_a_show_starter(history, aos, now):
    """Given the whole account, the show starter looks only at the show's own plays."""
    own = [item for item in history if item.show is not None and item.show.ids.trakt == 1394]

    assert render_starter(aos, history, now=now, source="demo") == render_starter(
        aos, own, now=now, source="demo"
    )


def test_the_findings_match_what_the_starter_removes(history, aos, now, deleted_by):
    """Every play the findings point out is a play the plan removes, and nothing else."""
    own = [item for item in history if item.show is not None and item.show.ids.trakt == 1394]
    pointed_out = {i for finding in find_accidents(own) for i in finding.history_ids}

    assert pointed_out == deleted_by(render_starter(aos, own, now=now, source="demo"), history)


def test_a_movie_starter_catches_a_recent_manual_mark(history, tron, now, deleted_by):
    """TRON: Legacy marked watched after a real viewing: the mark goes, the scrobble stays."""
    soon_after = now.replace(year=2025, month=9, day=20)
    text = render_starter(tron, history, now=soon_after, source="demo")

    assert "    movie: 12601    # TRON: Legacy (2010), slug tron-legacy-2010\n" in text
    assert "manual mark: 1 play marked as watched (action watch) at 2025-09-12 23:10:00Z" in text
    assert "    watched_from: 2025-08-21" in text
    assert deleted_by(text, history) == {10_000_000_035}
