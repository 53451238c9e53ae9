"""The plan view as JSON: the saved-plan document itself, plus its ``warnings``.

Scripts read the plan, not a layout of it, so this rendering is the document that
``plan -o`` writes (keys sorted, indented), with a ``warnings`` array: what the other
renderings say beside the tables. Those include the ``warnings`` a saved plan records
itself (plays undo could not restore), so the array replaces the document's own.
"""

from __future__ import annotations

import json

from trakt_plan.view.plan import PlanView

__all__ = ["render_json"]


def render_json(view: PlanView) -> str:
    """The saved-plan document with a ``warnings`` array, as indented, key-sorted JSON."""
    document = {**view.document, "warnings": list(view.warnings)}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
