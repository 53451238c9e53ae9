"""The proportional guard and the typed confirmation: big removals need more than y/N."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.catalog import episode_play
from tests.support.cli import invoke
from tests.support.fakes import FakeTrakt, plan_for
from trakt_plan.errors import UnsafePlanError

ALL_YAML = "version: 1\nrules:\n  - {name: everything, history: all, drop: {all: true}}\n"
WINDOW_YAML = (
    "version: 1\nrules:\n"
    "  - {name: recent, history: all, watched_from: 2025-10-05, drop: {all: true}}\n"
)


def _fake() -> FakeTrakt:
    """Ten plays of one show, a day apart, and nothing else."""
    plays = [
        episode_play(100 + n, f"2025-10-{n:02d}T20:00:00.000Z", f"S01E{n:02d}")
        for n in range(1, 11)
    ]
    return FakeTrakt(plays)


def test_removing_most_of_the_whole_history_needs_force() -> None:
    """Regression: a plan removing every play of the account only needed the one-letter [y/N]."""
    plan = plan_for(_fake(), ALL_YAML)
    with pytest.raises(UnsafePlanError) as caught:
        plan.raise_if_unsafe(allow_mass_delete=False)
    assert str(caught.value) == (
        "this plan removes 10 of the 10 plays in its scope, the whole history: 100.0% is over "
        "30% (10/10); apply refuses it without --allow-mass-delete. Nothing was sent."
    )
    plan.raise_if_unsafe(allow_mass_delete=True)


def test_a_cleanup_inside_a_time_window_is_not_held_to_the_share() -> None:
    """A rule narrowed by watched_from chose its window on purpose: no share guard there."""
    assert plan_for(_fake(), WINDOW_YAML).unsafe_reason() is None


def test_a_plan_knows_which_shows_it_empties() -> None:
    """Removing every play of a show (read whole) names it; a window does not claim it."""
    assert plan_for(_fake(), ALL_YAML).whole_titles() == ["Marvel's Agents of S.H.I.E.L.D."]
    assert plan_for(_fake(), WINDOW_YAML).whole_titles() == []


def test_emptying_a_show_asks_to_type_its_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: removing a whole show asked y/N; now a wrong title cancels, nothing sent."""
    monkeypatch.setattr("trakt_plan.cli.writes._need_terminal", lambda: None)
    spec = tmp_path / "all.yaml"
    spec.write_text("version: 1\nrules:\n  - {name: all, show: 1394, drop: {all: true}}\n")
    wrong = invoke("--sandbox", "apply", str(spec), input="y\n")
    assert wrong.exit_code == 1
    assert "Type Marvel's Agents of S.H.I.E.L.D. to remove 83 plays" in wrong.stderr
    assert "apply cancelled" in wrong.stderr
    right = invoke("--sandbox", "apply", str(spec), input="marvel's agents of s.h.i.e.l.d.\n")
    assert (right.exit_code, "Removed 83" in right.stderr) == (0, True)
