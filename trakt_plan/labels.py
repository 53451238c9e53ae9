"""How counts, titles and episodes are written for people, in one place.

Every message, table and rendering says ``3 plays``, ``Agents of S.H.I.E.L.D. (2013)``
and ``S03E16`` the same way because they all come from here. A leaf module: it
imports nothing from the package, so every layer may use it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 play``, ``3 plays``; ``many`` for a noun with its own plural (``entries``)."""
    return f"{count} {noun_for(count, noun, many)}"


def noun_for(count: int, noun: str, many: str | None = None) -> str:
    """The noun alone, agreeing with ``count``: ``play`` or ``plays``."""
    if count == 1:
        return noun
    return many if many is not None else f"{noun}s"


def episode_code(season: int, number: int) -> str:
    """``S03E16``: the way Trakt's own pages and the plan language name an episode."""
    return f"S{season:02d}E{number:02d}"


def title_year(title: str | None, year: int | None, *, untitled: str = "untitled") -> str:
    """``Agents of S.H.I.E.L.D. (2013)``, or the title alone when the year is unknown."""
    name = title if title else untitled
    return f"{name} ({year})" if year is not None else name


def play_time(value: datetime, zone: tzinfo | None = None) -> str:
    """``2025-11-20 10:11:12Z`` (UTC, as section 1 of the spec shows a play's time), or the
    wall-clock time in ``zone`` without a ``Z``: ``2025-11-20 05:11:12`` (the caller names
    the zone once, beside the times)."""
    if zone is None:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
