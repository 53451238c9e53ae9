"""The plan view for a terminal: rich renderables that ``Ui`` prints on stdout.

With ``ui.py``, the only module that imports rich: the other renderings are plain
strings. It lays out a :class:`~trakt_plan.view.plan.PlanView` and computes nothing.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from trakt_plan.view.plan import GroupView, PlanView


def render_text(view: PlanView) -> RenderableType:
    """Per show/movie a table of the plays to remove and what stays, then the summary line."""
    parts: list[RenderableType] = []
    for group in view.groups:
        parts.extend(_group(group))
    parts.append(Text(view.summary.line, style="bold"))
    return Group(*parts)


def _group(group: GroupView) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(group.heading, style="bold")]
    if group.rows:
        table = Table(box=None, pad_edge=False, padding=(0, 1))
        table.add_column("ID", justify="right", no_wrap=True)
        table.add_column("Watched at", no_wrap=True)
        table.add_column("Play", overflow="fold")
        table.add_column("Action")
        table.add_column("Reasons", overflow="fold")
        for row in group.rows:
            table.add_row(
                str(row.history_id),
                row.watched_at,
                escape(row.what),
                row.action,
                escape(", ".join(row.reasons)),
            )
        parts.append(table)
    tail = []
    if group.kept is not None:
        tail.append(f"remove {len(group.rows)}, keep {group.kept}")
    if group.after:
        tail.append(f"after apply: {group.after}")
    if tail:
        parts.append(Text("  " + "; ".join(tail)))
    parts.append(Text())
    return parts
