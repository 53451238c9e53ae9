"""The planner: which plays a plan removes, and why. A pure function of its inputs.

``build_plan`` takes the validated plan, the shows and movies its references resolved to and
the plays fetched for it, and returns every play to remove with the names of the rules that
chose it. It does no I/O, reads no clock and draws nothing: the same inputs give the same
result, whatever the order of the history or of the rules (apart from the order of each
deletion's ``reasons``, which follows the plan).

How a rule works, in the words of ``docs/plan-language.md``: its *scope* is the plays of a show,
a movie or the history, narrowed by the rule's own ``watched_from`` (inclusive) and
``watched_until`` (exclusive). A play in scope is removed when it matches every condition of
``drop`` and not every condition of ``unless``, and no ``protect`` entry shields it. Conditions
that look at several plays at once (``same_timestamp``, ``burst``, ``repeats``) are judged over
the whole scope, never over plays already filtered by the other conditions.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trakt_plan.errors import ConfigError, ResolveError
from trakt_plan.labels import episode_code
from trakt_plan.media import media_key
from trakt_plan.spec.conditions import Burst, Conditions, Repeats
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import Episode, HistoryItem, ResolvedScope, Show

__all__ = [
    "Deletion",
    "PlanResult",
    "RuleOutcome",
    "ShowProgress",
    "build_plan",
    "progress_after",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US


@dataclass(frozen=True)
class Deletion:
    """One play the plan removes, with the names of every rule that chose it (plan order)."""

    item: HistoryItem
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule saw and chose; ``resolved`` is ``None`` for ``history:`` scopes."""

    name: str
    scope: ScopeRef
    resolved: ResolvedScope | None
    plays_in_scope: int
    deletions: int


@dataclass(frozen=True)
class ShowProgress:
    """Where a show stands once the plan is applied: the furthest episode still watched."""

    show: Show
    last: Episode | None
    next_code: str | None
    kept: int
    removed: int


@dataclass(frozen=True)
class PlanResult:
    """The outcome of a plan: deletions sorted by (watched_at, history id), rules in plan order."""

    deletions: tuple[Deletion, ...]
    rules: tuple[RuleOutcome, ...]
    plays_seen: int

    @property
    def unmatched_rules(self) -> tuple[str, ...]:
        """Names of the rules that chose nothing: reported as likely typos, not errors."""
        return tuple(rule.name for rule in self.rules if rule.deletions == 0)


class _Play:
    """A history item with the keys the conditions need, computed once per play."""

    __slots__ = ("code", "id", "item", "media_key", "movie_id", "second", "show_id", "us")

    def __init__(self, item: HistoryItem) -> None:
        self.item = item
        self.id = item.id
        self.us: int = _micros(item.watched_at)
        # same_timestamp compares whole seconds: Trakt's bulk marks share the second.
        self.second = self.us // 1_000_000
        self.show_id: int | None = None
        self.movie_id: int | None = None
        self.code: tuple[int, int] | None = None
        self.media_key: Hashable = media_key(item)
        if item.type == "episode" and item.episode is not None:
            self.code = (item.episode.season, item.episode.number)
            self.show_id = item.show.ids.trakt if item.show is not None else None
        elif item.type == "movie" and item.movie is not None:
            self.movie_id = item.movie.ids.trakt

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.us, self.id)


_SORT_KEY = attrgetter("us", "id")


def _micros(value: datetime) -> int:
    if value.tzinfo is None:
        # The plan language documents zone-less times as UTC.
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


class _Index:
    """The history sorted by (watched_at, id), indexed once by show and by movie."""

    def __init__(self, history: Sequence[HistoryItem]) -> None:
        unique: dict[int, _Play] = {}
        for item in history:
            play = _Play(item)
            known = unique.get(play.id)
            # A read may return a play twice; keep one, chosen independently of input order.
            if known is None or play.sort_key < known.sort_key:
                unique[play.id] = play
        self.plays = sorted(unique.values(), key=_SORT_KEY)
        self.episodes: list[_Play] = []
        self.movies: list[_Play] = []
        self.by_show: dict[int, list[_Play]] = defaultdict(list)
        self.by_movie: dict[int, list[_Play]] = defaultdict(list)
        for play in self.plays:
            if play.code is not None:
                self.episodes.append(play)
                if play.show_id is not None:
                    self.by_show[play.show_id].append(play)
            elif play.item.type == "movie":
                self.movies.append(play)
                if play.movie_id is not None:
                    self.by_movie[play.movie_id].append(play)

    def scope(
        self, scope: ScopeRef, resolved: Mapping[ScopeRef, ResolvedScope]
    ) -> tuple[list[_Play], ResolvedScope | None]:
        if scope.kind == "history":
            if scope.ref == "episodes":
                return self.episodes, None
            if scope.ref == "movies":
                return self.movies, None
            return self.plays, None
        target = resolved.get(scope)
        if target is None:
            raise ResolveError(
                f"the {scope.kind} {scope.ref!r} was not resolved to a Trakt {scope.kind}; "
                "resolve the plan's scopes before planning it."
            )
        if target.type != scope.kind:
            raise ResolveError(
                f"the {scope.kind} {scope.ref!r} resolved to a {target.type} "
                f"({target.title}); use {target.type}: for it."
            )
        table = self.by_show if scope.kind == "show" else self.by_movie
        return table.get(target.trakt_id, []), target


def _window(plays: list[_Play], start: datetime | None, end: datetime | None) -> list[_Play]:
    """The plays with start <= watched_at < end; ``plays`` is sorted, so this is two bisects."""
    low = 0 if start is None else bisect.bisect_left(plays, _micros(start), key=_us)
    high = len(plays) if end is None else bisect.bisect_left(plays, _micros(end), key=_us)
    return plays[low:high]


def _us(play: _Play) -> int:
    return play.us


class _Zones:
    """ZoneInfo lookups, cached, with a clear error for a name the tz database lacks."""

    def __init__(self, account_timezone: str) -> None:
        self.account = account_timezone
        self._cache: dict[str, ZoneInfo] = {}

    def get(self, name: str | None) -> ZoneInfo:
        key = name or self.account
        zone = self._cache.get(key)
        if zone is None:
            try:
                zone = ZoneInfo(key)
            except (ZoneInfoNotFoundError, ValueError):
                origin = "the plan's timezone" if name else "the Trakt account's timezone"
                raise ConfigError(
                    f"{origin} {key!r} is not a known IANA timezone (like Europe/Berlin); "
                    "set `timezone:` on the repeats condition to one that is."
                ) from None
            self._cache[key] = zone
        return zone


def _matching(conditions: Conditions, scope: list[_Play], zones: _Zones) -> list[_Play]:
    """The plays of ``scope`` (sorted) that satisfy every condition listed."""
    # Scope-wide conditions see the whole scope, so they are judged before any filtering.
    wide = [_WIDE[name](getattr(conditions, name), scope, zones) for name in conditions.scope_wide]
    # One pass per condition is cheaper than a generator per play on large histories.
    result = scope
    for chosen in wide:
        result = [p for p in result if p.id in chosen]
    for test in _play_tests(conditions):
        result = [p for p in result if test(p)]
    return list(result)


def _play_tests(conditions: Conditions) -> list[Callable[[_Play], bool]]:
    """One test per condition that looks at a play alone."""
    tests: list[Callable[[_Play], bool]] = []
    if conditions.after is not None:
        after = conditions.after.key
        tests.append(lambda p: p.code is not None and p.code > after)
    if conditions.before is not None:
        before = conditions.before.key
        tests.append(lambda p: p.code is not None and p.code < before)
    if conditions.seasons is not None:
        seasons = conditions.seasons
        tests.append(lambda p: p.code is not None and p.code[0] in seasons)
    if conditions.episodes is not None:
        ranges = conditions.episodes
        tests.append(lambda p: p.code is not None and any(r.contains(p.code) for r in ranges))
    if conditions.watched_from is not None:
        start = _micros(conditions.watched_from)
        tests.append(lambda p: p.us >= start)
    if conditions.watched_until is not None:
        end = _micros(conditions.watched_until)
        tests.append(lambda p: p.us < end)
    if conditions.action is not None:
        actions = conditions.action
        tests.append(lambda p: p.item.action in actions)
    if conditions.history_ids is not None:
        ids = conditions.history_ids
        tests.append(lambda p: p.id in ids)
    return tests


def _same_timestamp(plays: int, scope: list[_Play], zones: _Zones) -> set[int]:
    return _runs(scope, plays=plays, within_us=None)


def _burst(burst: Burst, scope: list[_Play], zones: _Zones) -> set[int]:
    return _runs(scope, plays=burst.plays, within_us=burst.within // _MICROSECOND)


def _repeats_of(repeats: Repeats, scope: list[_Play], zones: _Zones) -> set[int]:
    zone = zones.get(repeats.timezone) if repeats.per == "day" else None
    within_us = None if repeats.within is None else repeats.within // _MICROSECOND
    return _repeats(scope, keep=repeats.keep, within_us=within_us, zone=zone)


# Each judge takes its condition's value, the scope and the zones; Any: values differ in type.
_WideJudge = Callable[[Any, list[_Play], _Zones], set[int]]
# How each scope-wide condition (spec.conditions.SCOPE_WIDE) picks its plays from a scope.
_WIDE: dict[str, _WideJudge] = {
    "same_timestamp": _same_timestamp,
    "burst": _burst,
    "repeats": _repeats_of,
}


def _runs(scope: list[_Play], *, plays: int, within_us: int | None) -> set[int]:
    """Ids of plays in runs of at least ``plays`` plays, each close to the previous one.

    ``within_us=None`` means "the same second" (``same_timestamp``); otherwise consecutive
    plays (in (watched_at, id) order) at most ``within_us`` apart form a run.
    """
    chosen: set[int] = set()
    if within_us is None:
        counts = Counter(p.second for p in scope)
        return {p.id for p in scope if counts[p.second] >= plays}
    run: list[_Play] = []
    for play in scope:
        if run and play.us - run[-1].us > within_us:
            if len(run) >= plays:
                chosen.update(p.id for p in run)
            run = []
        run.append(play)
    if len(run) >= plays:
        chosen.update(p.id for p in run)
    return chosen


class _LocalDays:
    """Calendar day numbers in a zone for UTC microsecond times, with offsets cached per hour.

    Converting every play with ``astimezone`` dominates large plans; a zone's offset only
    changes at transitions, so an hour whose two ends share an offset shares it throughout.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._offsets: dict[int, int | None] = {}

    def _offset(self, us: int) -> int:
        utc = _EPOCH + us * _MICROSECOND
        offset = self.zone.utcoffset(utc.astimezone(self.zone)) or timedelta(0)
        return offset // _MICROSECOND

    def __call__(self, us: int) -> int:
        hour = us // _HOUR_US
        if hour not in self._offsets:
            start = self._offset(hour * _HOUR_US)
            end = self._offset((hour + 1) * _HOUR_US - 1)
            self._offsets[hour] = start if start == end else None
        offset = self._offsets[hour]
        if offset is None:
            offset = self._offset(us)
        return (us + offset) // _DAY_US


def _repeats(
    scope: list[_Play], *, keep: str, within_us: int | None, zone: ZoneInfo | None
) -> set[int]:
    """Ids of the repeat plays of each episode or movie (all but the kept ones)."""
    groups: dict[Hashable, list[_Play]] = defaultdict(list)
    local_day = _LocalDays(zone) if zone is not None else None
    for play in scope:
        key: Hashable = play.media_key
        if local_day is not None:
            key = (key, local_day(play.us))
        groups[key].append(play)
    chosen: set[int] = set()
    for group in groups.values():
        ordered = group if keep == "first" else group[::-1]
        kept = ordered[0]
        for play in ordered[1:]:
            if within_us is None or abs(play.us - kept.us) <= within_us:
                chosen.add(play.id)
            else:
                # Too far from the kept play: a separate viewing, which becomes the new anchor.
                kept = play
    return chosen


def build_plan(
    spec: PlanSpec,
    resolved: Mapping[ScopeRef, ResolvedScope],
    history: Sequence[HistoryItem],
    *,
    timezone: str = "UTC",
) -> PlanResult:
    """Compute the plays ``spec`` removes from ``history``.

    ``resolved`` maps every ``show:``/``movie:`` scope of the rules and of ``protect`` to the
    Trakt item it names (see ``trakt_plan.resolve``). ``timezone`` is the account's timezone,
    used by ``repeats: {per: day}`` unless the condition names its own. Raises
    ``ResolveError`` for a scope missing from ``resolved`` and ``ConfigError`` for an unknown
    timezone.
    """
    index = _Index(history)
    zones = _Zones(timezone)

    protected: set[int] = set()
    for entry in spec.protect:
        plays, _target = index.scope(entry.scope, resolved)
        if entry.when is None:
            protected.update(p.id for p in plays)
        else:
            protected.update(p.id for p in _matching(entry.when, plays, zones))

    reasons: dict[int, list[str]] = defaultdict(list)
    chosen_plays: dict[int, _Play] = {}
    outcomes: list[RuleOutcome] = []
    for rule in spec.rules:
        plays, target = index.scope(rule.scope, resolved)
        scope = _window(plays, rule.watched_from, rule.watched_until)
        dropped = _matching(rule.drop, scope, zones)
        spared: set[int] = set()
        if rule.unless is not None:
            spared = {p.id for p in _matching(rule.unless, scope, zones)}
        count = 0
        for play in dropped:
            if play.id in spared or play.id in protected:
                continue
            count += 1
            reasons[play.id].append(rule.name)
            chosen_plays[play.id] = play
        outcomes.append(
            RuleOutcome(
                name=rule.name,
                scope=rule.scope,
                resolved=target,
                plays_in_scope=len(scope),
                deletions=count,
            )
        )

    ordered = sorted(chosen_plays.values(), key=_SORT_KEY)
    deletions = tuple(Deletion(item=p.item, reasons=tuple(reasons[p.id])) for p in ordered)
    return PlanResult(deletions=deletions, rules=tuple(outcomes), plays_seen=len(index.plays))


def progress_after(
    history: Sequence[HistoryItem], removed_ids: Collection[int]
) -> dict[int, ShowProgress]:
    """Per show trakt id: the furthest regular episode still watched once ``removed_ids`` go.

    ``last`` is the highest (season, number) left with season >= 1 (specials do not move a
    show forward) and ``next_code`` the episode after it in the same season, as ``S03E17``.
    Only shows with episode plays in ``history`` appear.
    """
    removed = removed_ids if isinstance(removed_ids, set | frozenset) else set(removed_ids)
    by_show: dict[int, list[_Play]] = defaultdict(list)
    shows: dict[int, Show] = {}
    for play in _Index(history).episodes:
        if play.show_id is not None and play.item.show is not None:
            by_show[play.show_id].append(play)
            # The latest play's copy of the show wins: plays come in time order.
            shows[play.show_id] = play.item.show
    progress: dict[int, ShowProgress] = {}
    for show_id, plays in by_show.items():
        kept = [p for p in plays if p.id not in removed]
        regular = [p for p in kept if p.code is not None and p.code[0] >= 1]
        # Several plays may share the furthest code; the latest one's episode object is used.
        furthest = max(regular, key=lambda p: (p.code, p.sort_key), default=None)
        last = furthest.item.episode if furthest is not None else None
        next_code = None
        if last is not None:
            next_code = episode_code(last.season, last.number + 1)
        progress[show_id] = ShowProgress(
            show=shows[show_id],
            last=last,
            next_code=next_code,
            kept=len(kept),
            removed=len(plays) - len(kept),
        )
    return progress


def movies_kept(history: Sequence[HistoryItem], removed_ids: Collection[int]) -> dict[int, int]:
    """Per movie trakt id that loses plays: how many of its plays stay once ``removed_ids`` go."""
    removed = removed_ids if isinstance(removed_ids, set | frozenset) else set(removed_ids)
    kept: dict[int, int] = defaultdict(int)
    losing: set[int] = set()
    for movie_id, plays in _Index(history).by_movie.items():
        for play in plays:
            if play.id in removed:
                losing.add(movie_id)
            else:
                kept[movie_id] += 1
    return {movie_id: kept[movie_id] for movie_id in sorted(losing)}
