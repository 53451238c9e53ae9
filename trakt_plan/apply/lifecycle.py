"""Which files belong to which apply: saved plans, their journals, and archived ones.

A saved plan that has a journal is never overwritten: the journal records what was sent
for *that* plan. When a new plan is saved to the same path, a finished apply (and its
finished undo, if any) gives way: the old plan and its journals are archived under
``PLANFILE.<plan id>`` (``…journal``, ``…undo.journal`` beside it), where ``undo`` still
finds them. An unfinished apply or undo refuses the new plan instead. So the documented
loop ``apply`` → ``undo`` → ``plan`` again → ``apply`` just works. No network here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from trakt_plan.apply.journal import journal_path_for, read_journal, undo_journal_path
from trakt_plan.errors import JournalError
from trakt_plan.planfile import SavedPlan, read_saved_plan, write_saved_plan

__all__ = ["apply_journal_for", "archive_path", "save_plan", "saved_plan_path_for"]

_SPEC_SUFFIXES = {".yaml", ".yml"}


def saved_plan_path_for(spec_path: Path) -> Path:
    """Where ``apply PLAN.yaml`` saves the plan it makes: ``PLAN.plan.json`` beside it."""
    return Path(spec_path).with_suffix(".plan.json")


def apply_journal_for(target: Path) -> Path:
    """The apply journal ``undo TARGET`` means: the journal itself, a saved plan's journal,
    or, for a plan YAML, the journal of the plan ``apply PLAN.yaml`` saved beside it."""
    target = Path(target)
    if target.suffix == ".journal":
        return target
    if target.suffix.lower() in _SPEC_SUFFIXES:
        return journal_path_for(saved_plan_path_for(target))
    return journal_path_for(target)


def archive_path(plan_path: Path, plan_id: str) -> Path:
    """Where a finished plan is archived: ``PLANFILE.<first 12 of its plan id>``."""
    return plan_path.with_name(f"{plan_path.name}.{plan_id[:12]}")


def _refuse(plan_path: Path, what: str) -> JournalError:
    return JournalError(
        f"{plan_path} has {what}, and its journal records what was sent for that plan, so a "
        f"new plan cannot replace it. Finish it first (run the same command again), or save "
        "the new plan to another file with -o."
    )


def _archive(plan_path: Path, plan_id: str, notify: Callable[[str], None]) -> None:
    archive = archive_path(plan_path, plan_id)
    moves = [
        (plan_path, archive),
        (journal_path_for(plan_path), journal_path_for(archive)),
        (
            undo_journal_path(journal_path_for(plan_path)),
            undo_journal_path(journal_path_for(archive)),
        ),
    ]
    if any(target.exists() for _, target in moves):
        raise JournalError(
            f"cannot archive {plan_path} as {archive}: that name is taken. Move the old files "
            "away by hand, or save the new plan to another file with -o."
        )
    # The journals first: a plan file without its journal would look never applied.
    for source, target in reversed(moves):
        if source.exists():
            os.replace(source, target)
    notify(
        f"{plan_path} held a finished apply; it and its journals are archived as {archive} "
        f"(undo it with: trakt-plan undo {archive})."
    )


def save_plan(plan_path: Path, plan: SavedPlan, *, notify: Callable[[str], None]) -> SavedPlan:
    """Write ``plan`` to ``plan_path`` unless a journal there forbids it; return the plan there.

    The same plan (same ``plan_id``) already applied or applying there is kept as it is, so
    its journal still matches it; another plan's finished apply is archived first; another
    plan's unfinished apply or undo is refused with a :class:`JournalError`.
    """
    plan_path = Path(plan_path)
    applied = read_journal(journal_path_for(plan_path))
    if applied.exists:
        if applied.plan_id == plan.plan_id and plan_path.exists():
            notify(f"{plan_path} already holds this plan and its journal; kept as it is.")
            return read_saved_plan(plan_path)
        undone = read_journal(undo_journal_path(applied.path))
        if not applied.is_complete:
            raise _refuse(plan_path, "an unfinished apply")
        if undone.exists and not undone.is_complete:
            raise _refuse(plan_path, "an unfinished undo")
        _archive(plan_path, str(applied.plan_id), notify)
    write_saved_plan(plan_path, plan)
    return plan
