"""What stays of a movie after a plan: the count `plan` and `show` print beside its removals."""

from __future__ import annotations

from trakt_plan.planner import movies_kept
from trakt_plan.sandbox import demo_state
from trakt_plan.trakt.models import HistoryItem

TRON = 12601


def demo_history() -> list[HistoryItem]:
    return [HistoryItem.model_validate(row) for row in demo_state().history()]


def test_removing_one_of_two_plays_keeps_one():
    """The duplicated movie loses its second play and keeps the first."""
    assert movies_kept(demo_history(), {10000000035}) == {TRON: 1}


def test_only_movies_that_lose_plays_are_listed():
    """Removing episode plays says nothing about movies."""
    assert movies_kept(demo_history(), {10000000000, 10000000001}) == {}


def test_removing_every_play_keeps_zero():
    """A movie whose plays all go is listed with nothing kept."""
    assert movies_kept(demo_history(), [10000000034, 10000000035]) == {TRON: 0}
