"""Where each show stands after the plan: the `progress_after` summary."""

from __future__ import annotations

from trakt_plan.planner import progress_after


def test_specials_never_become_the_last_episode(plays):
    """A special watched after S02E05 leaves S02E05 as the last episode, S02E06 next."""
    history = [
        plays.episode("S02E05", "2025-01-01 10:00:00", id=1),
        plays.episode("S00E03", "2025-01-02 10:00:00", id=2),
    ]
    progress = progress_after(history, [], {1394: {2: 10}})[1394]
    assert progress.last is not None
    assert (progress.last.code, progress.next_code) == ("S02E05", "S02E06")


def test_a_show_with_every_play_removed_has_no_last_episode(plays):
    """When all of a show's plays go, there is no last episode and no next one."""
    history = [
        plays.episode("S01E01", "2025-01-01 10:00:00", id=1),
        plays.episode("S01E02", "2025-01-01 11:00:00", id=2),
        plays.episode("S04E01", "2025-01-01 12:00:00", show=1390, id=3),
    ]
    progress = progress_after(history, {1, 2}, {1390: {4: 10}})
    assert (progress[1394].last, progress[1394].next_code) == (None, None)
    assert (progress[1394].kept, progress[1394].removed) == (0, 2)
    assert progress[1390].next_code == "S04E02"


def test_movies_have_no_progress(plays):
    """Only shows with episode plays appear; movie plays are left out."""
    history = [plays.movie(12601, "2025-01-01 10:00:00", id=1)]
    assert progress_after(history, []) == {}


def test_progress_ignores_ids_that_are_not_in_the_history(plays):
    """Removing an id the history lacks changes no count."""
    history = [plays.episode("S01E01", "2025-01-01 10:00:00", id=1)]
    progress = progress_after(history, [999])[1394]
    assert (progress.kept, progress.removed) == (1, 0)
