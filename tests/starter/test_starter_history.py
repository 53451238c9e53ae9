"""`trakt-plan init` without a show: a starter for the whole history, and what it finds."""

from __future__ import annotations

from trakt_plan.detect import find_accidents
from trakt_plan.spec.load import load_spec_text
from trakt_plan.starter import render_starter

AOS_BULK = set(range(10_000_000_000, 10_000_000_022))
BB_BULK = set(range(10_000_000_028, 10_000_000_032))
BB_REPEAT = 10_000_000_033
TRON_MANUAL = 10_000_000_035


def test_the_whole_history_holds_one_bulk_mark_one_manual_mark_and_one_double(history):
    """On the demo account: both shows' one-second mark, TRON's manual mark, BB's double."""
    findings = find_accidents(history)

    assert [finding.kind for finding in findings] == ["same_second", "double_play", "manual"]
    bulk, double, manual = findings
    assert set(bulk.history_ids) == AOS_BULK | BB_BULK
    assert bulk.summary == (
        "26 plays at 2025-11-17 01:02:03Z (22 of Marvel's Agents of S.H.I.E.L.D. (2013) "
        "S06E02..S07E10, 4 of Breaking Bad (2008) S05E01..S05E04), action watch"
    )
    assert manual.history_ids == (TRON_MANUAL,)
    assert "TRON: Legacy (2010)" in manual.summary
    assert double.history_ids == (BB_REPEAT,)
    assert double.summary == (
        "Breaking Bad (2008) S01E01 played twice within 4m10s from 2025-10-02 20:00:00Z "
        "(keeps 10000000032, repeats 10000000033)"
    )


def test_the_whole_history_starter_removes_both_bulk_marks_and_the_double_scrobble(
    history, now, plan_of
):
    """Planned as is: the 26 one-second plays and the repeat scrobble go, nothing else."""
    text = render_starter(None, history, now=now, source="demo")

    result = plan_of(text, history)

    removed = {deletion.item.id for deletion in result.deletions}
    assert removed == AOS_BULK | BB_BULK | {BB_REPEAT}
    assert [rule.name for rule in result.rules] == ["bulk-marks", "double-plays"]
    assert "    history: all    # every play of the account, episodes and movies" in text


def test_an_old_manual_mark_gets_a_commented_out_rule_only(history, now, deleted_by, uncomment):
    """TRON's two-month-old mark is pointed out, but removing it takes uncommenting a rule."""
    text = render_starter(None, history, now=now, source="demo")

    assert "older than 2025-10-22 (30 days back)" in text.replace("\n  # ", " ")
    assert "  # - name: manual-marks" in text
    assert TRON_MANUAL not in deleted_by(text, history)
    spec = load_spec_text(uncomment(text), "starter.yaml")
    assert [rule.name for rule in spec.rules] == ["bulk-marks", "double-plays", "manual-marks"]


def test_recent_manual_marks_get_a_live_rule_with_a_30_day_window(episode, now, deleted_by):
    """A mark pushed three days ago is removed; one from last spring and the scrobbles stay."""
    history = [
        episode(1, "2025-04-02T20:00:00Z", (1, 1), action="watch"),
        episode(2, "2025-11-10T20:00:00Z", (1, 2)),
        episode(3, "2025-11-18T07:30:00Z", (1, 3), action="watch"),
        episode(4, "2025-11-19T20:00:00Z", (1, 4)),
    ]

    text = render_starter(None, history, now=now, source="demo")

    assert "  - name: manual-marks" in text
    assert "    watched_from: 2025-10-22" in text
    assert "1 older manual mark stays" in text.replace("\n  # ", " ")
    assert deleted_by(text, history) == {3}


def test_manual_marks_inside_a_bulk_mark_are_reported_once(episode):
    """Plays of a bulk mark are a bulk finding, not also manual ones."""
    at = "2025-11-17T01:02:03Z"
    history = [episode(10 + n, at, (6, n), action="watch") for n in range(1, 5)]
    history.append(episode(20, "2025-11-18T01:00:00Z", (5, 1), action="watch"))

    findings = find_accidents(history)

    assert [(f.kind, f.history_ids) for f in findings] == [
        ("same_second", (11, 12, 13, 14)),
        ("manual", (20,)),
    ]


def test_a_double_scrobble_chain_keeps_each_real_viewing(episode):
    """Plays 4 and 9 minutes after a kept play are repeats; one 25 minutes later is a rewatch."""
    start = "2025-10-02T20:00:00Z"
    history = [
        episode(1, start, (1, 1)),
        episode(2, "2025-10-02T20:04:00Z", (1, 1)),
        episode(3, "2025-10-02T20:09:00Z", (1, 1)),
        episode(4, "2025-10-02T20:25:00Z", (1, 1)),
        episode(5, "2025-10-02T20:30:00Z", (1, 1)),
    ]

    findings = find_accidents(history)

    assert [f.history_ids for f in findings] == [(5,), (2, 3)]
    assert findings[1].summary.startswith("S01E01 played 3 times within 9m from 2025-10-02")


def test_a_naive_now_is_read_as_utc(history, now):
    """A clock without a zone gives the same starter as the same time in UTC."""
    naive = now.replace(tzinfo=None)

    assert render_starter(None, history, now=naive, source="demo") == render_starter(
        None, history, now=now, source="demo"
    )
