""" "Next up" after a plan never points past a season's last episode, and is never guessed."""

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


def test_without_the_catalogue_next_up_is_unknown_not_guessed(plays):
    """A show the catalogue does not know: S03E22 may end its season, so nothing is guessed."""
    history = [plays.episode("S03E22", "2025-01-01 10:00:00", id=1)]

    progress = progress_after(history, [], {})[1394]

    assert (progress.next_code, progress.next_known) == (None, False)


def test_a_season_the_catalogue_lacks_leaves_next_up_unknown(plays):
    """The catalogue knows seasons 1 to 4; the last episode watched is S05E02: unknown."""
    history = [plays.episode("S05E02", "2025-01-01 10:00:00", id=1)]

    progress = progress_after(history, [], ENDS)[1394]

    assert (progress.next_code, progress.next_known) == (None, False)


def test_known_ends_say_so_even_when_nothing_is_next(plays):
    """After the last known episode, next up is known to be none: not unknown."""
    history = [plays.episode("S04E22", "2025-01-01 10:00:00", id=1)]

    progress = progress_after(history, [], ENDS)[1394]

    assert (progress.next_code, progress.next_known) == (None, True)
