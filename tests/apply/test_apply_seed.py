"""The seed story end to end on the emulator: plan, apply, apply again, undo, undo again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trakt_plan.apply.engine import journal_path_for
from trakt_plan.apply.journal import read_journal
from trakt_plan.apply.undo import undo_plan
from trakt_plan.planfile import SavedPlan


def test_the_seed_story_removes_and_restores_exactly_the_bulk_mark(
    env, tmp_path: Path, seed_ids, messages, progress, load_plan: Callable[[Path], SavedPlan]
) -> None:
    """Apply removes the 22 bulk plays in one call; re-runs send nothing; undo brings them back."""
    before = env.history()
    before_keys = env.keys()
    plan_path = env.plan(tmp_path)
    saved = load_plan(plan_path)
    assert {d.history_id for d in saved.deletions} == seed_ids
    journal = journal_path_for(plan_path)
    env.server.stats.reset()

    report = env.apply(
        saved,
        journal,
        confirm=lambda preview: preview.to_send == 22,
        progress=progress,
        notify=messages,
    )

    assert (report.removed, report.already_gone) == (22, 0)
    assert report.batches_sent == 1
    assert env.writes("/sync/history/remove") == 1
    assert env.posts() == 1
    assert env.ids() == {p["id"] for p in before} - seed_ids
    untouched = [p for p in before if p["id"] not in seed_ids]
    assert env.history() == untouched
    assert progress.started == [22] and sum(progress.advanced) == 22 and progress.finished == 1
    assert len(read_journal(journal).removed_plays) == 22

    env.server.stats.reset()
    again = env.apply(saved, journal, notify=messages)
    assert again.already_applied
    assert env.posts() == 0
    assert ("GET", "/sync/history") not in env.server.stats.by_route
    assert "already applied" in messages[-1]

    restored = undo_plan(journal, env.client, confirm=lambda count: count == 22, notify=messages)
    assert (restored.restored, restored.already_there, restored.failed) == (22, 0, 0)
    assert env.keys() == before_keys
    back = [p for p in env.history() if p["id"] not in {q["id"] for q in untouched}]
    assert len(back) == 22
    assert {p["action"] for p in back} == {"watch"}
    assert {p["watched_at"] for p in back} == {"2025-11-17T01:02:03.000Z"}
    assert any("new history ids" in m and "`watch`" in m for m in messages)

    env.server.stats.reset()
    twice = undo_plan(journal, env.client, confirm=lambda count: True, notify=messages)
    assert twice.already_undone
    assert env.posts() == 0
    assert env.keys() == before_keys


def test_undo_twice_without_its_journal_still_leaves_one_copy(
    env, tmp_path: Path, load_plan: Callable[[Path], SavedPlan]
) -> None:
    """Even with the undo journal deleted, a second undo finds the plays back and adds none."""
    before_keys = env.keys()
    plan_path = env.plan(tmp_path)
    journal = journal_path_for(plan_path)
    env.apply(load_plan(plan_path), journal)
    undo_plan(journal, env.client, confirm=lambda n: True)
    journal.with_name("seed.plan.json.undo.journal").unlink()
    env.server.stats.reset()

    report = undo_plan(journal, env.client, confirm=lambda n: True)

    assert (report.restored, report.already_there) == (0, 22)
    assert env.posts() == 0
    assert env.keys() == before_keys
