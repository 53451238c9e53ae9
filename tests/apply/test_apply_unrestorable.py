"""Plays Trakt sent without an episode or movie trakt id: warned, refused, explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.catalog import episode_play, movie_nights
from tests.support.fakes import API_BASE, FakeTrakt, plan_for
from trakt_plan.apply.engine import apply_plan
from trakt_plan.apply.undo import undo_plan
from trakt_plan.errors import UnsafePlanError

BULK = "2025-11-17T01:02:03.000Z"
BULK_YAML = "version: 1\nrules:\n  - {name: bulk, history: all, drop: {same_timestamp: 3}}\n"


def _fake() -> FakeTrakt:
    """A bulk mark of three plays in one second; the third came without its episode's id."""
    orphan = episode_play(203, BULK, "S01E03", missing_id=True)
    bulk = [episode_play(201, BULK, "S01E01"), episode_play(202, BULK, "S01E02"), orphan]
    return FakeTrakt([*movie_nights(40), *bulk])


def test_the_saved_plan_warns_about_plays_undo_could_not_add_back() -> None:
    """At plan time the saved plan carries a warning naming the play without a media id."""
    assert plan_for(_fake(), BULK_YAML).warnings == (
        "1 planned play (203) came from Trakt without an episode or movie trakt id: apply can "
        "remove it, but undo could never add it back. apply refuses such plays unless given "
        "--allow-unrestorable.",
    )


def test_apply_refuses_a_play_undo_could_not_restore_unless_allowed(tmp_path: Path) -> None:
    """Regression: such plays were deleted and could never come back; now refused by default."""
    fake = _fake()
    plan = plan_for(fake, BULK_YAML)
    journal = tmp_path / "p.plan.json.journal"
    with pytest.raises(UnsafePlanError, match=r"1 planned play \(203\) came from Trakt without"):
        apply_plan(plan, fake, journal_path=journal, api_base=API_BASE, confirm=lambda p: True)
    assert fake.removes == []
    report = apply_plan(
        plan,
        fake,
        journal_path=journal,
        api_base=API_BASE,
        confirm=lambda p: True,
        allow_unrestorable=True,
    )
    assert report.removed == 3


def test_undo_blames_the_missing_id_not_trakt(tmp_path: Path) -> None:
    """Regression: undo said Trakt no longer knew the episode; the cause is the missing id."""
    fake = _fake()
    plan = plan_for(fake, BULK_YAML)
    journal = tmp_path / "p.plan.json.journal"
    ok = lambda *_: True  # noqa: E731
    apply_plan(
        plan, fake, journal_path=journal, api_base=API_BASE, confirm=ok, allow_unrestorable=True
    )
    said: list[str] = []
    report = undo_plan(journal, fake, confirm=ok, api_base=API_BASE, notify=said.append)
    assert (report.restored, report.failed) == (2, 1)
    assert said[-1] == (
        "1 play could not be restored: Trakt had sent them without an episode or movie trakt "
        "id, so there is nothing to add them back by (their history ids and times are in the "
        "undo journal)."
    )
