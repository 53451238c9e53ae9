"""How each condition that needs more than the play itself picks plays, and says why.

A *judge* takes a condition's value, the plays of a scope (sorted by watched_at, then
history id) and the :class:`Context`, and returns the ids it picks, each with one sentence
a person can check against the history ("one runtime (42 min) after S02E03, 14 plays back
to back"). Scope-wide judges (``spec.conditions.SCOPE_WIDE``) look at the other plays of
the scope; ``at_release`` looks at the catalogue. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trakt_plan.catalogue import Catalogue
from trakt_plan.errors import ConfigError
from trakt_plan.spec.accidents import AtRelease, Flood, RuntimeChain
from trakt_plan.spec.conditions import RUNTIME, Burst, Repeats
from trakt_plan.spec.values import format_duration

__all__ = ["JUDGED", "JUDGES", "Context", "Judged", "LocalDays", "Play", "Zones", "micros"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_SECOND_US = 1_000_000
_MINUTE_US = 60 * _SECOND_US
_HOUR_US = 60 * _MINUTE_US
_DAY_US = 24 * _HOUR_US

# Which play `prefer: scrobble` keeps: real playback first, then a check-in.
_PREFERENCE = {"scrobble": 0, "checkin": 1}

Judged = dict[int, str]
"""Picked history ids, each with the sentence that says why."""


class Play(Protocol):
    """What a judge reads of a play (the planner's indexed play); judges never write it."""

    id: int
    us: int
    second: int
    code: tuple[int, int] | None
    show_id: int | None
    movie_id: int | None
    episode_id: int | None
    action: str
    media_key: Hashable
    label: str


def micros(value: datetime) -> int:
    """Microseconds since the epoch of an aware (or, by the plan language, UTC) datetime."""
    if value.tzinfo is None:
        # The plan language documents zone-less times as UTC.
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // MICROSECOND


def _when(us: int) -> str:
    return (EPOCH + us * MICROSECOND).strftime("%Y-%m-%d %H:%M:%SZ")


def _minutes(us: int) -> str:
    return f"{us // _MINUTE_US} min"


class Zones:
    """ZoneInfo lookups, cached, with a clear error for a name the tz database lacks."""

    def __init__(self, account_timezone: str) -> None:
        self.account = account_timezone
        self._cache: dict[str, ZoneInfo] = {}

    def get(self, name: str | None) -> ZoneInfo:
        """The zone ``name``, or the account's when ``name`` is None."""
        key = name or self.account
        zone = self._cache.get(key)
        if zone is None:
            try:
                zone = ZoneInfo(key)
            except (ZoneInfoNotFoundError, ValueError):
                origin = "the plan's timezone" if name else "the Trakt account's timezone"
                raise ConfigError(
                    f"{origin} {key!r} is not a known IANA timezone (like Europe/Berlin); "
                    "set `timezone:` on the condition to one that is."
                ) from None
            self._cache[key] = zone
        return zone


class LocalDays:
    """Calendar day numbers in a zone for UTC microsecond times, with offsets cached per hour.

    A day starts at ``day_starts`` local time (midnight by default: ``05:00`` puts late-night
    viewing on the evening before). Converting every play with ``astimezone`` dominates large
    plans; a zone's offset only changes at transitions, so an hour whose two ends share an
    offset shares it throughout.
    """

    def __init__(self, zone: ZoneInfo, day_starts: time | None = None) -> None:
        self.zone = zone
        self._shift = 0
        if day_starts is not None:
            self._shift = (day_starts.hour * 60 + day_starts.minute) * _MINUTE_US
        self._offsets: dict[int, int | None] = {}

    def _offset(self, us: int) -> int:
        utc = EPOCH + us * MICROSECOND
        offset = self.zone.utcoffset(utc.astimezone(self.zone)) or timedelta(0)
        return offset // MICROSECOND

    def local(self, us: int) -> int:
        """The local wall-clock time of ``us``, as microseconds since the local epoch."""
        hour = us // _HOUR_US
        if hour not in self._offsets:
            start = self._offset(hour * _HOUR_US)
            end = self._offset((hour + 1) * _HOUR_US - 1)
            self._offsets[hour] = start if start == end else None
        offset = self._offsets[hour]
        if offset is None:
            offset = self._offset(us)
        return us + offset

    def __call__(self, us: int) -> int:
        return (self.local(us) - self._shift) // _DAY_US

    def minute_of_day(self, us: int) -> int:
        """The local time of ``us`` as minutes after midnight."""
        return (self.local(us) % _DAY_US) // _MINUTE_US

    @staticmethod
    def date_of(day: int) -> str:
        """The calendar date of a day number, as ``2026-07-14``."""
        return (EPOCH + timedelta(days=day)).date().isoformat()


@dataclass
class Context:
    """What judges need besides the plays: time zones and the catalogue."""

    zones: Zones
    catalogue: Catalogue = field(default_factory=Catalogue)

    def runtime_us(self, play: Play) -> int | None:
        """The play's episode or movie runtime in microseconds, or None when unknown."""
        if play.code is not None:
            runtime = self.catalogue.episode_runtime(play.episode_id, play.show_id)
        else:
            runtime = self.catalogue.movie_runtime(play.movie_id)
        return None if runtime is None else runtime // MICROSECOND

    def release_us(self, play: Play) -> int | None:
        """When the play's episode aired or its movie was released, or None when unknown."""
        if play.code is not None:
            release = self.catalogue.episode_release(play.episode_id)
        else:
            release = self.catalogue.movie_release(play.movie_id)
        return None if release is None else micros(release)


# --------------------------------------------------------------------- scope-wide judges


def _same_timestamp(plays: int, scope: Sequence[Play], context: Context) -> Judged:
    counts = Counter(p.second for p in scope)
    return {
        p.id: f"{counts[p.second]} plays share the second {_when(p.second * _SECOND_US)}"
        for p in scope
        if counts[p.second] >= plays
    }


def _burst(burst: Burst, scope: Sequence[Play], context: Context) -> Judged:
    within_us = burst.within // MICROSECOND
    chosen: Judged = {}
    for run in _runs(scope, lambda a, b: b.us - a.us <= within_us):
        if len(run) >= burst.plays:
            why = (
                f"one of {len(run)} plays from {_when(run[0].us)} to {_when(run[-1].us)}, "
                f"each within {format_duration(burst.within)} of the previous"
            )
            chosen.update(dict.fromkeys((p.id for p in run), why))
    return chosen


def _runs(plays: Sequence[Play], linked: Callable[[Play, Play], bool]) -> list[list[Play]]:
    """``plays`` cut into maximal runs whose neighbours are all ``linked``."""
    runs: list[list[Play]] = []
    for play in plays:
        if runs and linked(runs[-1][-1], play):
            runs[-1].append(play)
        else:
            runs.append([play])
    return runs


def _runtime_chain(chain: RuntimeChain, scope: Sequence[Play], context: Context) -> Judged:
    tolerance_us = chain.tolerance // MICROSECOND
    by_show: dict[int, list[Play]] = defaultdict(list)
    for play in scope:
        if play.code is not None and play.show_id is not None:
            by_show[play.show_id].append(play)

    def link(a: Play, b: Play) -> int | None:
        """The runtime that separates ``a`` and ``b`` (of either episode), if one does."""
        runtimes = (context.runtime_us(a), context.runtime_us(b))
        if None in runtimes:
            return None  # a play with no runtime ends a chain
        gap = b.us - a.us
        return next((r for r in runtimes if r is not None and abs(gap - r) <= tolerance_us), None)

    chosen: Judged = {}
    for plays in by_show.values():
        for run in _runs(plays, lambda a, b: link(a, b) is not None):
            if len(run) >= chain.plays:
                chosen.update(_chain_evidence(run, link))
    return chosen


def _chain_evidence(run: list[Play], link: Callable[[Play, Play], int | None]) -> Judged:
    size = f"{len(run)} plays back to back"
    why = {}
    for index, play in enumerate(run):
        if index == 0:
            runtime = link(play, run[1]) or 0
            why[play.id] = f"one runtime ({_minutes(runtime)}) before {run[1].label}, {size}"
        else:
            runtime = link(run[index - 1], play) or 0
            why[play.id] = f"one runtime ({_minutes(runtime)}) after {run[index - 1].label}, {size}"
    return why


def _flood(flood: Flood, scope: Sequence[Play], context: Context) -> Judged:
    zone = context.zones.get(flood.timezone)
    local_day = LocalDays(zone, flood.day_starts)
    days = [local_day(p.us) for p in scope]
    counts = Counter(days)
    starts = "" if flood.day_starts is None else f" from {flood.day_starts:%H:%M}"
    return {
        p.id: f"one of {counts[day]} plays on {LocalDays.date_of(day)}{starts} ({zone.key})"
        for p, day in zip(scope, days, strict=True)
        if counts[day] >= flood.plays
    }


def _at_release(at_release: AtRelease, scope: Sequence[Play], context: Context) -> Judged:
    within_us = at_release.within // MICROSECOND
    chosen: Judged = {}
    for play in scope:
        release = context.release_us(play)
        if release is None or abs(play.us - release) > within_us:
            continue
        gap = play.us - release
        offset = format_duration(timedelta(seconds=abs(gap) // _SECOND_US))
        when = "at" if gap == 0 else f"{offset} {'after' if gap > 0 else 'before'}"
        chosen[play.id] = f"{when} the release of {play.label} ({_when(release)})"
    return chosen


def _repeats(repeats: Repeats, scope: Sequence[Play], context: Context) -> Judged:
    """The repeat plays of each episode or movie (all but the kept one of each window)."""
    local_day = None
    if repeats.per:
        local_day = LocalDays(context.zones.get(repeats.timezone), repeats.day_starts)
    groups: dict[Hashable, list[Play]] = defaultdict(list)
    for play in scope:
        key: Hashable = play.media_key
        if local_day is not None:
            key = (key, local_day(play.us))
        groups[key].append(play)
    chosen: Judged = {}
    for group in groups.values():
        ordered = group if repeats.keep == "first" else group[::-1]
        for window in _windows(ordered, repeats, context):
            kept = _kept(window, repeats)
            why = f"a repeat of {kept.label}, whose play at {_when(kept.us)} ({kept.action}) stays"
            chosen.update({p.id: why for p in window if p is not kept})
    return chosen


def _windows(ordered: list[Play], repeats: Repeats, context: Context) -> list[list[Play]]:
    """Plays close enough to the first of their window to be its repeats; a play further
    away is another viewing and starts the next window."""
    if repeats.within is None:
        return [ordered]
    if repeats.within == RUNTIME or isinstance(repeats.within, str):
        runtime = context.runtime_us(ordered[0])
        if runtime is None:
            return []  # no runtime: never a runtime-based repeat

        def close(anchor: Play, play: Play) -> bool:
            return abs(play.us - anchor.us) < runtime
    else:
        within_us = repeats.within // MICROSECOND

        def close(anchor: Play, play: Play) -> bool:
            return abs(play.us - anchor.us) <= within_us

    windows: list[list[Play]] = []
    for play in ordered:
        if windows and close(windows[-1][0], play):
            windows[-1].append(play)
        else:
            windows.append([play])
    return windows


def _kept(window: list[Play], repeats: Repeats) -> Play:
    if repeats.prefer is None:
        return window[0]
    # min() keeps the first of equals: the earliest (or latest) of the preferred action.
    return min(window, key=lambda p: _PREFERENCE.get(p.action, len(_PREFERENCE)))


_Judge = Callable[[Any, Sequence[Play], Context], Judged]
# Every judge by condition name; the planner runs them over the whole scope, before the
# conditions that look at one play alone.
JUDGES: dict[str, _Judge] = {
    "same_timestamp": _same_timestamp,
    "burst": _burst,
    "repeats": _repeats,
    "runtime_chain": _runtime_chain,
    "flood": _flood,
    "at_release": _at_release,
}
JUDGED: tuple[str, ...] = tuple(JUDGES)
