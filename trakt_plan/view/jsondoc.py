"""The plan view as JSON: the saved-plan document itself, plus its ``warnings``.

Scripts read the plan, not a layout of it, so this rendering is the document that
``plan -o`` writes (keys sorted, indented), with a ``warnings`` array: what the other
renderings say beside the tables. A saved plan that records its own ``warnings`` is
printed as it is.
"""

from __future__ import annotations

import json

from trakt_plan.view.plan import PlanView

__all__ = ["render_json"]


def render_json(view: PlanView) -> str:
    """The saved-plan document with a ``warnings`` array, as indented, key-sorted JSON."""
    document = view.document
    if "warnings" not in document:
        document = {**document, "warnings": list(view.warnings)}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
