"""Journals have a lifecycle: apply, undo, plan again, apply: the documented loop just works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.catalog import episode_play, movie_nights
from tests.support.cli import invoke
from tests.support.fakes import FakeTrakt, plan_for
from trakt_plan.apply.journal import Journal, journal_path_for, read_journal
from trakt_plan.apply.lifecycle import apply_journal_for, archive_path, save_plan
from trakt_plan.apply.records import new_header
from trakt_plan.errors import JournalError
from trakt_plan.planfile import SavedPlan

SEED = Path(__file__).resolve().parents[2] / "plans" / "aos-cleanup.yaml"


def _run(*args: str) -> tuple[int, str]:
    """One trakt-plan command against the sandbox: its exit code and what it said on stderr."""
    run = invoke("--sandbox", *args)
    return run.exit_code, run.stderr


def test_apply_undo_plan_again_apply_just_works(tmp_path: Path) -> None:
    """Regression: the loop dead-ended on "journal belongs to another plan" after undo."""
    spec = tmp_path / "aos.yaml"
    spec.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    plan = tmp_path / "aos.plan.json"
    assert _run("apply", str(spec), "--yes")[0] == 0
    first_id = json.loads(plan.read_text(encoding="utf-8"))["plan_id"]
    code, said = _run("undo", str(spec), "--yes")
    assert (code, "Restored 22" in said) == (0, True)
    code, said = _run("plan", str(spec), "-o", str(plan))
    assert (code, f"archived as {archive_path(plan, first_id)}" in said) == (0, True)
    code, said = _run("apply", str(plan), "--yes")
    assert (code, "Removed 22" in said) == (0, True)
    archived = archive_path(plan, first_id)
    assert read_journal(journal_path_for(archived)).plan_id == first_id
    assert json.loads(archived.read_text(encoding="utf-8"))["plan_id"] == first_id


def test_undo_of_the_yaml_finds_the_plan_apply_saved_beside_it(tmp_path: Path) -> None:
    """Regression: `undo X.yaml` after `apply X.yaml` said nothing was applied."""
    assert apply_journal_for(tmp_path / "x.yaml") == tmp_path / "x.plan.json.journal"
    assert apply_journal_for(tmp_path / "x.plan.json") == tmp_path / "x.plan.json.journal"
    assert apply_journal_for(tmp_path / "x.plan.json.journal") == tmp_path / "x.plan.json.journal"


def _fake_plan(first: int) -> SavedPlan:
    bulk = [episode_play(first + n, "2025-11-17T01:02:03.000Z", f"S01E0{n}") for n in range(1, 4)]
    fake = FakeTrakt([*movie_nights(40), *bulk])
    return plan_for(fake, "version: 1\nrules:\n  - {name: b, history: all, drop: {all: true}}\n")


def _saved_with_an_apply_begun(path: Path, plan: SavedPlan) -> Path:
    """``plan`` saved at ``path``, and the header of an apply journal that went no further."""
    save_plan(path, plan, notify=lambda m: None)
    with Journal(journal_path_for(path)) as journal:
        journal.append(
            new_header(plan_id=plan.plan_id, kind="apply", username="u", api_base="x", total=3)
        )
    return path


def test_a_new_plan_never_replaces_a_plan_with_an_unfinished_apply(tmp_path: Path) -> None:
    """A plan whose apply is unfinished keeps its file: the new plan is refused, not written."""
    old, new = _fake_plan(100), _fake_plan(200)
    path = _saved_with_an_apply_begun(tmp_path / "p.plan.json", old)
    before = path.read_bytes()
    with pytest.raises(JournalError, match="has an unfinished apply"):
        save_plan(path, new, notify=lambda m: None)
    assert path.read_bytes() == before


def test_the_same_plan_saved_again_keeps_the_reviewed_file(tmp_path: Path) -> None:
    """Saving a plan with the same plan_id over its applied file keeps the file as reviewed."""
    old = _fake_plan(100)
    path = _saved_with_an_apply_begun(tmp_path / "p.plan.json", old)
    before = path.read_bytes()
    said: list[str] = []
    again = old.model_copy(update={"created_at": "2030-01-01T00:00:00.000Z"})
    assert save_plan(path, again, notify=said.append) == old
    assert (path.read_bytes(), said) == (
        before,
        [f"{path} already holds this plan and its journal; kept as it is."],
    )
