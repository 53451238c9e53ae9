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
