"""The plan view: one value with every count and time string the renderings show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.view.conftest import START, bulk_history, episode_play, plan_of
from trakt_plan.view.plan import plan_view


def test_times_show_in_the_zone_the_plan_counted_days_in():
    """A plan made for a Berlin account shows its plays at Berlin's wall-clock time."""
    view = plan_view(plan_of(bulk_history(3), timezone="Europe/Berlin (the account's settings)"))
    row = view.groups[0].rows[0]
    assert view.header.timezone == "Europe/Berlin (the account's settings)"
    assert row.watched_at == "2025-11-17 02:02:03"
    assert datetime(2025, 11, 17, 1, 2, 3, tzinfo=UTC) == row.at
    assert view.header.planned_at == "2025-11-21 09:00:05"


def test_a_plan_without_a_zone_shows_utc_with_a_z():
    """A plan saved before zones were recorded shows UTC times, marked with a Z."""
    view = plan_view(plan_of(bulk_history(3)))
    assert view.header.timezone == "UTC"
    assert view.groups[0].rows[0].watched_at == "2025-11-17 01:02:03Z"


def test_the_summary_counts_every_action_even_at_zero():
    """60 manual marks read `60 watch · 0 scrobble · 0 checkin`: the reassuring number."""
    view = plan_view(plan_of(bulk_history(60)))
    assert view.summary.actions == "60 watch · 0 scrobble · 0 checkin"
    assert view.summary.line == "Plan: remove 60 plays of 1 show (61 plays seen)."
    assert (
        view.summary.first_removed,
        view.summary.last_removed,
    ) == ("2025-11-17 01:02:03Z", "2025-11-17 01:02:03Z")


def test_a_rule_that_matched_nothing_is_a_warning():
    """The `never` rule chose nothing: the view warns it may be a typo."""
    view = plan_view(plan_of(bulk_history(60)))
    expected = "rule 'never' matched nothing: check its scope and conditions for a typo."
    assert (expected,) == view.warnings


REPEATS_YAML = """\
version: 1
rules:
  - name: double-scrobbles
    show: 1394
    drop: {repeats: {keep: first, within: 30m}}
"""


def test_a_repeats_row_names_the_play_it_keeps():
    """A double scrobble removed by `repeats` says which play of the episode stays, and when."""
    first = episode_play(1, 1, 1, START, action="scrobble")
    again = episode_play(2, 1, 1, START + timedelta(minutes=4), action="scrobble")
    other = episode_play(3, 1, 2, START + timedelta(minutes=50), action="scrobble")
    view = plan_view(plan_of([first, again, other], REPEATS_YAML))
    (group,) = view.groups
    (row,) = group.rows
    assert row.keeps == "1 at 01:02:03Z"
    assert row.why_lines == (
        "double-scrobbles: a repeat of S01E01, whose play at 2025-11-17 01:02:03Z (scrobble) stays",
        "keeps 1 at 01:02:03Z",
    )
    assert [kept.history_id for kept in group.kept_rows] == [1, 3]
