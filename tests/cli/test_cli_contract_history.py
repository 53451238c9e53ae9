"""`history --from/--until` as a new user types them, after writing `watched_from: 30d ago` in a
plan: the same date forms as the plan language, relative ones included (section 6.3)."""

from __future__ import annotations

import json

import pytest

DEMO_PLAYS = 548


def test_history_from_long_ago_lists_every_play(cli):
    """`history all --from "3650d ago"` reaches back past the demo account's first play."""
    run = cli("--sandbox", "history", "all", "--from", "3650d ago", "--json")
    assert run.exit_code == 0, run.stderr
    assert len(json.loads(run.stdout)) == DEMO_PLAYS


def test_history_until_long_ago_lists_nothing(cli):
    """`history all --until "520w ago"` ends before any demo play, so nothing is listed."""
    run = cli("--sandbox", "history", "all", "--until", "520w ago", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == []


@pytest.mark.parametrize("word", ["today", "yesterday", "Yesterday"])
def test_history_from_today_or_yesterday_is_accepted(cli, word):
    """`--from yesterday`, which the error for a bad date itself suggests, is accepted."""
    run = cli("--sandbox", "history", "1394", "--from", word)
    assert run.exit_code == 0, run.stderr


def test_history_from_a_misspelt_relative_date_names_the_value_before_reading(cli):
    """`--from "3 days ago"` is refused with the value and the forms that work."""
    run = cli("--sandbox", "history", "all", "--from", "3 days ago")
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: --from '3 days ago'")
    assert "30d ago" in run.stderr
    assert "Traceback" not in run.output


def test_history_window_that_ends_before_it_starts_is_refused(cli):
    """`--from 2026-11-01 --until 2025-01-01` (swapped by mistake) is an error naming both
    instants, not a silent "No plays."."""
    run = cli("--sandbox", "history", "all", "--from", "2026-11-01", "--until", "2025-01-01")
    assert run.exit_code == 1
    assert "2026-11-01" in run.stderr and "2025-01-01" in run.stderr
    assert "No plays" not in run.stderr


def test_search_for_nothing_is_a_usage_error(cli):
    """`search ""` (an unset shell variable) says it needs something to look for."""
    run = cli("--sandbox", "search", "  ")
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: search needs")
