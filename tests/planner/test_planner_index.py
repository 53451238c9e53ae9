"""A history indexed once plans, counts progress and counts movies exactly as the history does."""

from __future__ import annotations

from trakt_plan.planner import PlayIndex, build_plan, movies_kept, progress_after
from trakt_plan.sandbox import generate_state
from trakt_plan.spec.load import load_spec_text
from trakt_plan.trakt.models import HistoryItem

PLAN = """\
version: 1
rules:
  - name: bulk-marks
    history: all
    drop:
      same_timestamp: 3
  - name: day-rewatches
    history: episodes
    drop:
      repeats: {within: 1d, keep: first}
"""


def test_one_index_gives_the_same_plan_progress_and_movie_counts_as_the_history() -> None:
    """`plan` indexes a large history once for all three; nothing it reports changes."""
    history = [HistoryItem.model_validate(row) for row in generate_state(3000, seed=7).history()]
    spec = load_spec_text(PLAN, "plan.yaml")
    index = PlayIndex(history)
    expected = build_plan(spec, {}, history, timezone="Europe/Berlin")
    actual = build_plan(spec, {}, index, timezone="Europe/Berlin")
    removed = {deletion.item.id for deletion in expected.deletions}
    assert expected == actual
    assert progress_after(history, removed) == progress_after(index, removed)
    assert movies_kept(history, removed) == movies_kept(index, removed)
    assert removed and any(item.type == "movie" for item in history)
