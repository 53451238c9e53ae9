"""A timeline picture of one show's or movie's plays: inline SVG for the HTML review page.

Time runs left to right. Plays that fall in the same column (a few pixels of time) stack:
kept plays upward from the axis as filled circles, removed plays downward as crosses, so the
two differ by shape, colour and side, not by colour alone. A same-second mark or a flood is a
tall column, a back-to-back chain a run of evenly spaced marks when the range is short, and a
column taller than the picture says its count. Every drawn mark carries a ``<title>`` (a
browser tooltip) naming the play.

Why a small helper built on ``xml.etree`` rather than a plotting library: the picture is a dot
plot with a date axis, about a hundred lines of geometry; matplotlib (with numpy, tens of MB)
writes random element ids unless told otherwise and draws text as paths, and the lighter SVG
charting libraries (pygal, plotly, altair) lean on JavaScript loaded from another host for
tooltips, which a self-contained page cannot do. ``ElementTree`` escapes every title and label,
and the output is the same bytes for the same plays: coordinates are rounded, marks sorted, and
nothing reads the clock.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

__all__ = ["TimelinePlay", "render_timeline"]

WIDTH = 760
PLOT_LEFT = 16
PLOT_RIGHT = WIDTH - 16
STEP = 8  # pixels per mark: one column of time, one row of a stack
MAX_STACK = 8  # marks drawn per column and side; more is said as a count
LANE = STEP * (MAX_STACK + 2)
TOP = 34  # room for the legend
AXIS_Y = TOP + LANE
HEIGHT = AXIS_Y + LANE + 26
KEPT_COLOUR = "#1f6fb2"
REMOVED_COLOUR = "#c0392b"
TEXT_COLOUR = "#333333"
GRID_COLOUR = "#dddddd"

_HOUR = 3600
_DAY = 86400
# Tick spacings tried in order, finest first; months and years step on the calendar.
_SECOND_STEPS = (
    60,
    300,
    900,
    _HOUR,
    3 * _HOUR,
    6 * _HOUR,
    12 * _HOUR,
    _DAY,
    2 * _DAY,
    7 * _DAY,
    14 * _DAY,
)
_MONTH_STEPS = (1, 3, 6, 12, 24, 60, 120)
_MAX_TICKS = 7


@dataclass(frozen=True, order=True)
class TimelinePlay:
    """One play to draw: when (an aware datetime), whether the plan removes it, its tooltip."""

    at: datetime
    removed: bool
    label: str


def render_timeline(plays: Iterable[TimelinePlay], *, title: str, zone: tzinfo = UTC) -> str:
    """The SVG element (a string, no XML declaration) for ``plays``; axis dates in ``zone``."""
    ordered = sorted(plays)
    removed = sum(play.removed for play in ordered)
    summary = f"{title}: {len(ordered)} plays, {removed} removed, {len(ordered) - removed} kept"
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "role": "img",
            "class": "timeline",
            "font-family": "sans-serif",
            "font-size": "11",
        },
    )
    ET.SubElement(svg, "title").text = summary
    _draw_legend(svg, removed, len(ordered) - removed)
    if ordered:
        start, end = _span(ordered)
        _draw_axis(svg, start, end, zone)
        _draw_marks(svg, ordered, start, end)
    else:
        _text(svg, WIDTH / 2, AXIS_Y, "no plays", anchor="middle")
    return ET.tostring(svg, encoding="unicode")


def _span(plays: Sequence[TimelinePlay]) -> tuple[datetime, datetime]:
    """The drawn range: the plays' range, widened to an hour so one instant is not a point."""
    first, last = plays[0].at, plays[-1].at
    if last - first < timedelta(hours=1):
        middle = first + (last - first) / 2
        return middle - timedelta(minutes=30), middle + timedelta(minutes=30)
    return first, last


def _x(at: datetime, start: datetime, end: datetime) -> float:
    share = (at - start) / (end - start)
    return PLOT_LEFT + STEP / 2 + share * (PLOT_RIGHT - PLOT_LEFT - STEP)


def _column(at: datetime, start: datetime, end: datetime) -> int:
    return math.floor((_x(at, start, end) - PLOT_LEFT) / STEP)


def _draw_marks(
    svg: ET.Element, plays: Sequence[TimelinePlay], start: datetime, end: datetime
) -> None:
    """Stack each column's plays by side; past MAX_STACK, draw the count instead of more marks."""
    stacks: dict[tuple[int, bool], list[TimelinePlay]] = {}
    for play in plays:
        stacks.setdefault((_column(play.at, start, end), play.removed), []).append(play)
    for (column, removed), stack in sorted(stacks.items()):
        x = PLOT_LEFT + column * STEP + STEP / 2
        direction = 1 if removed else -1
        drawn = stack if len(stack) <= MAX_STACK else stack[: MAX_STACK - 1]
        for row, play in enumerate(drawn):
            y = AXIS_Y + direction * (row + 0.5 + 0.25) * STEP
            _mark(svg, x, y, play)
        if len(drawn) < len(stack):
            y = AXIS_Y + direction * (MAX_STACK - 0.25) * STEP
            _count(svg, x, y, stack, removed)


def _mark(svg: ET.Element, x: float, y: float, play: TimelinePlay) -> None:
    radius = STEP / 2 - 1
    if play.removed:
        d = (
            f"M{_n(x - radius)} {_n(y - radius)}L{_n(x + radius)} {_n(y + radius)}"
            f"M{_n(x - radius)} {_n(y + radius)}L{_n(x + radius)} {_n(y - radius)}"
        )
        attrs = {"class": "removed", "d": d, "stroke": REMOVED_COLOUR, "stroke-width": "1.6"}
        mark = ET.SubElement(svg, "path", attrs)
    else:
        attrs = {"class": "kept", "cx": _n(x), "cy": _n(y), "r": _n(radius - 0.5)}
        mark = ET.SubElement(svg, "circle", {**attrs, "fill": KEPT_COLOUR})
    ET.SubElement(mark, "title").text = play.label


def _count(
    svg: ET.Element, x: float, y: float, stack: Sequence[TimelinePlay], removed: bool
) -> None:
    word = "removed" if removed else "kept"
    colour = REMOVED_COLOUR if removed else KEPT_COLOUR
    label = _text(svg, x, y + 4, str(len(stack)), anchor="middle", colour=colour, bold=True)
    label.set("class", f"count {word}")
    first, last = stack[0].at, stack[-1].at
    tip = f"{len(stack)} {word} plays, {_utc(first)} to {_utc(last)}"
    ET.SubElement(label, "title").text = tip


def _draw_legend(svg: ET.Element, removed: int, kept: int) -> None:
    ET.SubElement(svg, "circle", {"cx": "20", "cy": "14", "r": "3", "fill": KEPT_COLOUR})
    _text(svg, 28, 18, f"kept ({kept})")
    d = "M117 11L123 17M117 17L123 11"
    ET.SubElement(svg, "path", {"d": d, "stroke": REMOVED_COLOUR, "stroke-width": "1.6"})
    _text(svg, 128, 18, f"removed ({removed})")


def _draw_axis(svg: ET.Element, start: datetime, end: datetime, zone: tzinfo) -> None:
    line = {"x1": str(PLOT_LEFT), "x2": str(PLOT_RIGHT), "y1": str(AXIS_Y), "y2": str(AXIS_Y)}
    ET.SubElement(svg, "line", {**line, "stroke": TEXT_COLOUR, "stroke-width": "1"})
    ticks, fine = _ticks(start, end, zone)
    for tick in ticks:
        x = _n(_x(tick, start, end))
        grid = {"x1": x, "x2": x, "y1": str(TOP), "y2": str(AXIS_Y + LANE)}
        ET.SubElement(svg, "line", {**grid, "stroke": GRID_COLOUR, "stroke-width": "1"})
        shown = tick.astimezone(zone)
        text = shown.strftime("%Y-%m-%d %H:%M" if fine else "%Y-%m-%d")
        # A label centred on a tick near an edge would be cut off: align it inwards there.
        anchor = "start" if float(x) < 60 else "end" if float(x) > WIDTH - 60 else "middle"
        _text(svg, float(x), HEIGHT - 8, text, anchor=anchor).set("class", "tick")


def _ticks(start: datetime, end: datetime, zone: tzinfo) -> tuple[list[datetime], bool]:
    """Round instants between start and end (at most _MAX_TICKS), and whether they need hours."""
    seconds = (end - start).total_seconds()
    for step in _SECOND_STEPS:
        if seconds / step <= _MAX_TICKS:
            return _second_ticks(start, end, zone, step), step < _DAY
    months = seconds / (30 * _DAY)
    step = next((m for m in _MONTH_STEPS if months / m <= _MAX_TICKS), _MONTH_STEPS[-1])
    return _month_ticks(start, end, zone, step), False


def _second_ticks(start: datetime, end: datetime, zone: tzinfo, step: int) -> list[datetime]:
    local = start.astimezone(zone)
    # Align on the local day so day ticks fall at local midnight, hour ticks on the hour.
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = math.ceil((local - day).total_seconds() / step) * step
    tick = day + timedelta(seconds=offset)
    ticks = []
    while tick <= end:
        ticks.append(tick)
        tick += timedelta(seconds=step)
    return ticks


def _month_ticks(start: datetime, end: datetime, zone: tzinfo, step: int) -> list[datetime]:
    local = start.astimezone(zone)
    index = local.year * 12 + local.month - 1
    index = math.ceil(index / step) * step
    ticks: list[datetime] = []
    while True:
        tick = datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)
        if tick > end:
            return ticks
        if tick >= start:
            ticks.append(tick)
        index += step


def _text(
    svg: ET.Element,
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    colour: str = TEXT_COLOUR,
    bold: bool = False,
) -> ET.Element:
    attrs = {"x": _n(x), "y": _n(y), "fill": colour, "text-anchor": anchor}
    if bold:
        attrs["font-weight"] = "bold"
    element = ET.SubElement(svg, "text", attrs)
    element.text = text
    return element


def _n(value: float) -> str:
    """A coordinate with one decimal at most: stable text for the same picture."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
