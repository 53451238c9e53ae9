""" "Next up" after a plan never points past a season's last episode when the catalogue knows it."""

from __future__ import annotations

from trakt_plan.planner import progress_after

ENDS = {1394: {1: 22, 2: 22, 3: 22, 4: 22}}


def test_next_up_after_a_seasons_finale_is_the_next_seasons_premiere(plays):
    """Last watched S03E22, the season's finale: next up is S04E01, not S03E23."""
    history = [plays.episode("S03E22", "2025-01-01 10:00:00", id=1)]

    progress = progress_after(history, [], ENDS)[1394]

    assert progress.next_code == "S04E01"


def test_next_up_inside_a_season_is_its_next_episode(plays):
    """Last watched S03E16 of 22: next up is S03E17."""
    history = [plays.episode("S03E16", "2025-01-01 10:00:00", id=1)]

    assert progress_after(history, [], ENDS)[1394].next_code == "S03E17"


def test_after_the_last_aired_episode_nothing_is_next_up(plays):
    """Last watched S04E22, the last episode the catalogue knows: nothing is next up."""
    history = [plays.episode("S04E22", "2025-01-01 10:00:00", id=1)]

    assert progress_after(history, [], ENDS)[1394].next_code is None


def test_without_the_catalogue_next_up_stays_in_the_same_season(plays):
    """A show the catalogue does not know keeps the same-season guess."""
    history = [plays.episode("S03E22", "2025-01-01 10:00:00", id=1)]

    assert progress_after(history, [], {})[1394].next_code == "S03E23"
