"""The plan view as JSON: the saved-plan document itself.

Scripts read the plan, not a layout of it, so this rendering is the document that
``plan -o`` writes (keys sorted, indented), checksum and all: saved to a file it applies
as it is. Its ``warnings`` array already holds what the other renderings say beside the
tables (``SavedPlan.notes``), since ``make_saved_plan`` records them there.
"""

from __future__ import annotations

import json

from trakt_plan.view.plan import PlanView

__all__ = ["render_json"]


def render_json(view: PlanView) -> str:
    """The saved-plan document, with its ``warnings``, as indented, key-sorted JSON."""
    document = {**view.document, "warnings": list(view.warnings)}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
