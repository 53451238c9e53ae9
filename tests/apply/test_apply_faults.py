"""A flaky Trakt: server errors, dropped answers after commits and 429 storms, all at 20%."""

from __future__ import annotations

from pathlib import Path

from trakt_plan.apply.engine import journal_path_for
from trakt_plan.apply.undo import undo_plan
from trakt_plan.errors import WriteOutcomeUnknown


def test_apply_and_undo_end_exact_under_errors_drops_and_storms(
    make_env, tmp_path: Path, early_yaml: str, load_plan
) -> None:
    """With 20% errors, 20% dropped answers and 20% 429s, apply and undo still end exact."""
    env = make_env(seed=7)
    before_keys = env.keys()
    plan_path = env.plan(tmp_path, early_yaml, name="early")
    saved = load_plan(plan_path)
    planned = {d.history_id for d in saved.deletions}
    expected = env.ids() - planned
    knobs = env.server.knobs
    knobs.error_rate = knobs.drop_rate = knobs.storm_rate = 0.2
    journal = journal_path_for(plan_path)

    report = env.apply(saved, journal, batch_size=5)
    undo_from = env.keys()
    assert env.ids() == expected
    assert (report.removed, report.already_gone) == (63, 0)
    assert env.server.stats.faults >= 5

    # An add without an answer stops the undo; as a person would, run it again until done.
    runs = []
    while not runs or runs[-1] is None:
        try:
            runs.append(undo_plan(journal, env.client, batch_size=5, confirm=lambda n: n > 0))
        except WriteOutcomeUnknown:
            runs.append(None)
        assert len(runs) < 40
    undo = runs[-1]
    assert (undo.restored, undo.already_there, undo.failed) == (63, 0, 0)
    assert env.keys() == before_keys
    assert undo_from != before_keys
