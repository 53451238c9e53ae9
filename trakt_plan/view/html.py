"""The HTML rendering of a plan: one self-contained page to review it in a browser.

The page is a Jinja2 template (``templates/plan.html.j2``, autoescaped: every title, rule
name and reason from a plan is text, never markup) over the :class:`PlanView` the other
renderings take, plus a timeline picture per show or movie (:mod:`.timeline`). Nothing on
the page comes from another host, so it opens offline, from a mail or an artifact, and
its Content-Security-Policy forbids any request at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from trakt_plan import __version__
from trakt_plan.labels import plural
from trakt_plan.view.plan import GroupView, PlanView, PlayRow
from trakt_plan.view.timeline import TimelinePlay, render_timeline

__all__ = ["render_html"]

# Deletion tables this short start open; longer ones are one click away.
OPEN_BELOW = 25

_ENVIRONMENT = Environment(
    loader=PackageLoader("trakt_plan.view", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class _Group:
    """A show or movie as the page draws it: its view, its picture and its anchor."""

    view: GroupView
    timeline: Markup
    anchor: str


def render_html(view: PlanView) -> str:
    """The whole page for ``view``: a string of HTML, the same for the same view."""
    template = _ENVIRONMENT.get_template("plan.html.j2")
    header = view.header
    return template.render(
        view=view,
        title=f"trakt-plan: {header.source}",
        header=header.facts,
        summary=_summary_facts(view),
        groups=[_group(group, _zone(header.timezone)) for group in view.groups],
        open_below=OPEN_BELOW,
        version=__version__,
    )


def _summary_facts(view: PlanView) -> list[tuple[str, str | None]]:
    summary = view.summary
    removed_range = (
        f"{summary.first_removed} to {summary.last_removed}" if summary.first_removed else None
    )
    return [
        ("by action", summary.actions if summary.removed else None),
        ("removed from", removed_range),
        ("spared", summary.spared),
        ("plays seen", plural(summary.plays_seen, "play")),
    ]


def _group(group: GroupView, zone: tzinfo) -> _Group:
    plays = [
        *(_play(row, removed=True) for row in group.rows),
        *(_play(row, removed=False) for row in group.kept_rows),
    ]
    picture = render_timeline(plays, title=group.heading, zone=zone)
    # render_timeline escapes every text it writes (ElementTree), so the SVG is safe markup.
    return _Group(view=group, timeline=Markup(picture), anchor=f"{group.kind}-{group.trakt_id}")


def _play(row: PlayRow, *, removed: bool) -> TimelinePlay:
    state = f"removed ({', '.join(row.reasons)})" if removed else "kept"
    label = f"{row.what} · {row.action} · {row.watched_at} · {state}"
    return TimelinePlay(at=row.at, removed=removed, label=label)


def _zone(label: str) -> tzinfo:
    """The header's zone (``Europe/Paris``), or UTC when it names none this machine knows."""
    try:
        return ZoneInfo(label)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
