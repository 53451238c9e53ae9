"""The plan view for a terminal: rich renderables that ``Ui`` prints on stdout.

With ``ui.py``, the only module that imports rich: the other renderings are plain
strings. It lays out a :class:`~trakt_plan.view.plan.PlanView` and computes nothing.
Every field is a :class:`~rich.text.Text`, never markup, and goes through
:func:`printable`, so a title from Trakt can neither style the output nor send a
terminal escape sequence.
"""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from trakt_plan.view.plan import GroupView, PlanView

__all__ = ["printable", "render_text"]

# C0 and C1 control characters (ESC, CSI, BEL...): a title holding one could move the
# cursor, retitle the window or hide text. Tabs and newlines are left to the caller.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Terraform marks what a plan destroys with a red "-".
_REMOVED = Text("-", style="red")


def printable(text: object) -> str:
    """``text`` with every control character shown as ``\\xNN`` instead of sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _text(value: object, style: str = "") -> Text:
    return Text(printable(value), style=style)


def render_text(view: PlanView) -> RenderableType:
    """Header, per show/movie a table of the plays to remove and what stays, then the counts."""
    parts: list[RenderableType] = [*_header(view)]
    for group in view.groups:
        parts.extend(_group(group))
    parts.extend(_summary(view))
    return Group(*parts)


def _header(view: PlanView) -> list[RenderableType]:
    header = view.header
    parts: list[RenderableType] = []
    if header.description:
        parts.append(_text(header.description, "bold"))
    about = Table(box=None, pad_edge=False, padding=(0, 1), show_header=False)
    about.add_column(style="dim", no_wrap=True)
    about.add_column(overflow="fold")
    for name, value in (
        ("  account", f"{header.account} on {header.api_base}"),
        ("  planned", header.planned_at),
        ("  plan_id", header.plan_id),
        ("  source", header.source),
        ("  times", header.timezone),
    ):
        about.add_row(name, _text(value))
    parts.extend([about, Text()])
    return parts


def _group(group: GroupView) -> list[RenderableType]:
    parts: list[RenderableType] = [_text(group.heading, "bold")]
    if group.rows:
        table = Table(box=None, pad_edge=False, padding=(0, 1), show_header=True)
        table.add_column("", no_wrap=True)
        table.add_column("ID", justify="right", no_wrap=True)
        table.add_column("Watched at", no_wrap=True)
        table.add_column("Play", overflow="fold")
        table.add_column("Action")
        # A line per rule with its evidence: what a reviewer checks against the history.
        table.add_column("Why")
        for row in group.rows:
            table.add_row(
                _REMOVED,
                _text(row.history_id),
                _text(row.watched_at),
                _text(row.what),
                _text(row.action),
                _text("\n".join(row.why_lines)),
            )
        parts.append(table)
    tail = []
    if group.kept is not None:
        tail.append(f"remove {len(group.rows)}, keep {group.kept}")
    if group.after:
        tail.append(f"after apply: {group.after}")
    if tail:
        parts.append(_text("  " + "; ".join(tail)))
    parts.append(Text())
    return parts


def _summary(view: PlanView) -> list[RenderableType]:
    summary = view.summary
    parts: list[RenderableType] = [_text(summary.line, "bold")]
    parts.append(_text(f"  by action: {summary.actions}"))
    if summary.first_removed is not None:
        span = f"{summary.first_removed} to {summary.last_removed}"
        parts.append(_text(f"  removed plays watched {span}"))
    if summary.spared is not None:
        parts.append(_text(f"  spared: {summary.spared}"))
    if view.rules:
        parts.append(_rules(view))
    return parts


def _rules(view: PlanView) -> Table:
    """Per rule: its scope, the plays in it, those removed and those spared."""
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_header=True)
    table.add_column("  Rule")
    table.add_column("Scope")
    for heading in ("In scope", "Removed", *(("Protect", "Unless") if view.spares else ())):
        table.add_column(heading, justify="right")
    for rule in view.rules:
        spared = (rule.spared_by_protect, rule.spared_by_unless) if view.spares else ()
        table.add_row(
            _text(f"  {rule.name}"),
            _text(rule.scope),
            _text(rule.plays_in_scope),
            _text(rule.deletions),
            *(_text("" if count is None else count) for count in spared),
        )
    return table
