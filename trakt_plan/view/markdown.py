"""The plan view as GitHub-flavoured Markdown: for a pull-request comment, a step summary, a mail.

Layout (contract 6.6): the header, the summary line, one table of the shows and movies
(removed, kept, after apply), one table of the rules with their counts, then per show or
movie a collapsible ``<details>`` table of every deletion. GitHub refuses a comment over
65,536 characters, so past :data:`LIMIT` deletion rows are left out, from the last show
backwards, and a line says how many and where the whole list is.

Every field that comes from Trakt or the YAML goes through :func:`cell`: a title cannot
break a table, open a link or inject HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from trakt_plan.labels import plural
from trakt_plan.view.plan import GroupView, PlanView, PlayRow

__all__ = ["LIMIT", "cell", "render_markdown"]

# GitHub's limit for a comment is 65,536 characters; leave room for a bot's own words.
LIMIT = 65_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters that could start Markdown syntax inside a cell: escaped with a backslash.
_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Terraform marks a destroyed resource with "-": so does every removed play here.
REMOVED = "-"


def cell(text: object) -> str:
    """``text`` made safe for a Markdown table cell: one line, no syntax, no HTML."""
    value = _CONTROL.sub(" ", str(text))
    value = "".join(_ENTITIES.get(ch, ch) for ch in value)
    return _SPECIAL.sub(r"\\\1", value)


def render_markdown(view: PlanView) -> str:
    """The whole Markdown document, cut to stay under :data:`LIMIT` characters."""
    head = [*_header(view), *_summary(view), *_groups_table(view), *_rules_table(view)]
    head.extend(_warnings(view))
    details = [_details(group, group.rows) for group in view.groups]
    document = _join(head, details)
    if len(document) <= LIMIT:
        return document
    return _cut(view, head)


def _join(head: Iterable[str], details: Iterable[str], tail: Iterable[str] = ()) -> str:
    blocks = [*head, *(d for d in details if d), *tail]
    return "\n\n".join(blocks) + "\n"


def _header(view: PlanView) -> list[str]:
    header = view.header
    title = header.description or f"Plan {header.source}"
    rows = [(f"**{name}**", cell(value)) for name, value in header.facts]
    table = _table(("", ""), rows, "--")
    return [f"### trakt-plan: {cell(title)}", table]


def _summary(view: PlanView) -> list[str]:
    summary = view.summary
    lines = [f"**{cell(summary.line)}**", f"By action: {summary.actions}."]
    if summary.first_removed is not None:
        lines.append(
            f"Removed plays watched from {summary.first_removed} to {summary.last_removed}."
        )
    if summary.spared is not None:
        lines.append(f"Spared: {summary.spared}.")
    return ["  \n".join(lines)]


def _groups_table(view: PlanView) -> list[str]:
    if not view.groups:
        return []
    rows = [
        (
            cell(group.heading),
            str(len(group.rows)),
            "" if group.kept is None else str(group.kept),
            cell(group.after or ""),
        )
        for group in view.groups
    ]
    return [_table(("show / movie", "removed", "kept", "after apply"), rows, "-::-")]


def _rules_table(view: PlanView) -> list[str]:
    if not view.rules:
        return []
    headings = ("rule", "scope", "plays in scope", "removed")
    spared = ("spared by protect", "spared by unless") if view.spares else ()
    rows = [
        (
            cell(r.name),
            cell(r.scope),
            str(r.plays_in_scope),
            str(r.deletions),
            *((_count(r.spared_by_protect), _count(r.spared_by_unless)) if spared else ()),
        )
        for r in view.rules
    ]
    return ["#### Rules", _table((*headings, *spared), rows, "--::" + ":" * len(spared))]


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _warnings(view: PlanView) -> list[str]:
    return [f"> **Warning:** {cell(warning)}" for warning in view.warnings]


def _details(group: GroupView, rows: tuple[PlayRow, ...], left_out: int = 0) -> str:
    if not rows and not left_out:
        return ""
    table = _table(
        ("", "id", "watched at", "play", "action", "why"),
        [
            (
                REMOVED,
                str(row.history_id),
                row.watched_at,
                cell(row.what),
                cell(row.action),
                # GitHub keeps raw <br> in a cell: one line per rule, each escaped alone.
                "<br>".join(cell(line) for line in row.why_lines),
            )
            for row in rows
        ],
        "-:----",
    )
    more = f"\n\n{plural(left_out, 'more deletion')} not listed here." if left_out else ""
    summary = f"{cell(group.heading)}: {plural(len(group.rows), 'play')} removed"
    return f"<details>\n<summary>{summary}</summary>\n\n{table}{more}\n\n</details>"


def _table(headings: tuple[str, ...], rows: Iterable[tuple[str, ...]], align: str) -> str:
    rule = ["---:" if a == ":" else "---" for a in align]
    lines = [_line(headings), _line(tuple(rule))]
    lines.extend(_line(row) for row in rows)
    return "\n".join(lines)


def _line(values: tuple[str, ...]) -> str:
    return "| " + " | ".join(values) + " |"


def _cut(view: PlanView, head: list[str]) -> str:
    """Leave deletion rows out, last show first, until the document fits under LIMIT."""
    total = sum(len(group.rows) for group in view.groups)
    shown = [len(group.rows) for group in view.groups]
    # Each row costs about the same; start from an estimate, then trim until it fits.
    while True:
        left_out = total - sum(shown)
        note = (
            f"> {plural(left_out, 'deletion')} left out above to stay under GitHub's "
            f"{LIMIT:,}-character limit; every deletion is in the saved plan "
            f"(plan_id {view.header.plan_id}): `trakt-plan show PLANFILE`."
        )
        details = [
            _details(group, group.rows[:count], len(group.rows) - count)
            for group, count in zip(view.groups, shown, strict=True)
        ]
        document = _join(head, details, [note])
        excess = len(document) - LIMIT
        if excess <= 0 or not any(shown):
            return document
        _drop_rows(shown, max(1, excess // 80))


def _drop_rows(shown: list[int], count: int) -> None:
    """Take ``count`` rows off the shown counts, from the last group backwards."""
    for index in range(len(shown) - 1, -1, -1):
        taken = min(shown[index], count)
        shown[index] -= taken
        count -= taken
        if count == 0:
            return
