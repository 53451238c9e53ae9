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
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

from trakt_plan.catalogue import Catalogue
from trakt_plan.errors import ConfigError, ResolveError
from trakt_plan.judges import JUDGED, JUDGES, Context, Judged, LocalDays, Zones, micros
from trakt_plan.labels import episode_code
from trakt_plan.media import media_key
from trakt_plan.spec.conditions import Conditions, TimeOfDay
from trakt_plan.spec.model import PlanSpec, Rule, ScopeRef
from trakt_plan.trakt.models import Episode, HistoryItem, ResolvedScope, Show

__all__ = [
    "Deletion",
    "PlanResult",
    "PlayIndex",
    "RuleOutcome",
    "ShowProgress",
    "build_plan",
    "progress_after",
]


@dataclass(frozen=True)
class Deletion:
    """One play the plan removes, with the names of every rule that chose it (plan order).

    ``evidence`` says, for each rule in ``reasons``, what made it choose the play, in words
    a person can check against the history.
    """

    item: HistoryItem
    reasons: tuple[str, ...]
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule saw and chose; ``resolved`` is ``None`` for ``history:`` scopes.

    Of the plays its ``drop`` chose, ``deletions`` are removed by it, ``spared_by_protect``
    stay because a ``protect`` entry shields them and ``spared_by_unless`` because its own
    ``unless`` matches them (a protected play counts under protect only).

    ``scope`` and ``resolved`` are the rule's first reference; a rule that lists several
    (``show: [a, b]``) has them all in ``scopes`` and ``targets``.
    """

    name: str
    scope: ScopeRef
    resolved: ResolvedScope | None
    plays_in_scope: int
    deletions: int
    scopes: tuple[ScopeRef, ...] = ()
    targets: tuple[ResolvedScope, ...] = ()
    # Plays the rule's drop chose that stay: protected (whatever the unless), else by unless.
    spared_by_protect: int = 0
    spared_by_unless: int = 0


@dataclass(frozen=True)
class ShowProgress:
    """Where a show stands once the plan is applied: the furthest episode still watched."""

    show: Show
    last: Episode | None
    next_code: str | None
    kept: int
    removed: int
    # False when the catalogue did not say how long the last episode's season is: then
    # ``next_code`` is None because the next episode is unknown, not because there is none.
    next_known: bool = True


@dataclass(frozen=True)
class PlanResult:
    """The outcome of a plan: deletions sorted by (watched_at, history id), rules in plan order."""

    deletions: tuple[Deletion, ...]
    rules: tuple[RuleOutcome, ...]
    plays_seen: int
    # Distinct plays some rule's drop chose that no rule removes: shielded by `protect`, or
    # (not protected) kept by the `unless` of every rule that chose them.
    spared_by_protect: int = 0
    spared_by_unless: int = 0

    @property
    def unmatched_rules(self) -> tuple[str, ...]:
        """Names of the rules that chose nothing: reported as likely typos, not errors."""
        return tuple(rule.name for rule in self.rules if rule.deletions == 0)


class _Play:
    """A history item with the keys the conditions need, computed once per play."""

    __slots__ = (
        "action",
        "code",
        "episode_id",
        "id",
        "item",
        "label",
        "media_key",
        "movie_id",
        "second",
        "show_id",
        "us",
    )

    def __init__(self, item: HistoryItem) -> None:
        self.item = item
        self.id = item.id
        self.action = item.action
        self.us: int = micros(item.watched_at)
        # same_timestamp compares whole seconds: Trakt's bulk marks share the second.
        self.second = self.us // 1_000_000
        self.show_id: int | None = None
        self.movie_id: int | None = None
        self.code: tuple[int, int] | None = None
        self.episode_id: int | None = None
        self.label = f"play {item.id}"
        self.media_key: Hashable = media_key(item)
        if item.type == "episode" and item.episode is not None:
            episode = item.episode
            self.code = (episode.season, episode.number)
            self.episode_id = episode.ids.trakt
            self.label = episode_code(episode.season, episode.number)
            self.show_id = item.show.ids.trakt if item.show is not None else None
        elif item.type == "movie" and item.movie is not None:
            self.movie_id = item.movie.ids.trakt
            self.label = item.movie.title or f"movie {item.movie.ids.trakt}"

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.us, self.id)


_SORT_KEY = attrgetter("us", "id")


class PlayIndex:
    """The history sorted by (watched_at, id), indexed once by show and by movie.

    ``build_plan``, ``progress_after`` and ``movies_kept`` take one in place of the history:
    indexing 100k plays costs more than planning over them, so a caller of several indexes once.
    """

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


def _indexed(history: Sequence[HistoryItem] | PlayIndex) -> PlayIndex:
    return history if isinstance(history, PlayIndex) else PlayIndex(history)


def _union(
    index: PlayIndex, scopes: tuple[ScopeRef, ...], resolved: Mapping[ScopeRef, ResolvedScope]
) -> tuple[list[_Play], tuple[ResolvedScope, ...]]:
    """The plays of every scope (sorted, each once) and what each media scope resolved to."""
    parts = [index.scope(scope, resolved) for scope in scopes]
    targets = tuple(target for _plays, target in parts if target is not None)
    if len(parts) == 1:
        return parts[0][0], targets
    # Two references may name one show: its plays count once.
    unique = {p.id: p for plays, _target in parts for p in plays}
    return sorted(unique.values(), key=_SORT_KEY), targets


def _window(plays: list[_Play], start: datetime | None, end: datetime | None) -> list[_Play]:
    """The plays with start <= watched_at < end; ``plays`` is sorted, so this is two bisects."""
    low = 0 if start is None else bisect.bisect_left(plays, micros(start), key=_us)
    high = len(plays) if end is None else bisect.bisect_left(plays, micros(end), key=_us)
    return plays[low:high]


def _us(play: _Play) -> int:
    return play.us


@dataclass(frozen=True)
class _Match:
    """The plays a block of conditions matched, with why (by history id)."""

    plays: list[_Play]
    why: dict[int, str]


def _matching(conditions: Conditions, scope: list[_Play], context: Context) -> _Match:
    """The plays of ``scope`` (sorted) that satisfy every condition listed."""
    # Judged conditions see the whole scope, so they are judged before any filtering.
    judged: list[Judged] = [
        JUDGES[name](getattr(conditions, name), scope, context)
        for name in JUDGED
        if getattr(conditions, name) is not None
    ]
    # One pass per condition is cheaper than a generator per play on large histories.
    result = scope
    for chosen in judged:
        result = [p for p in result if p.id in chosen]
    for test in _play_tests(conditions, context):
        result = [p for p in result if test(p)]
    if judged:
        why = {p.id: "; ".join(chosen[p.id] for chosen in judged) for p in result}
    else:
        plain = _describe(conditions)
        why = dict.fromkeys((p.id for p in result), plain)
    return _Match(list(result), why)


def _describe(conditions: Conditions) -> str:
    """The conditions as the plan writes them, for plays chosen by them alone."""
    data = conditions.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return "matches " + "; ".join(f"{name} {_flow(value)}" for name, value in data.items())


def _flow(value: object) -> str:
    """A dumped value in YAML's flow style, the way a plan writes it inline."""
    if isinstance(value, list):
        return ", ".join(_flow(item) for item in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    return str(value)


def _play_tests(conditions: Conditions, context: Context) -> list[Callable[[_Play], bool]]:
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
        start = micros(conditions.watched_from)
        tests.append(lambda p: p.us >= start)
    if conditions.watched_until is not None:
        end = micros(conditions.watched_until)
        tests.append(lambda p: p.us < end)
    if conditions.action is not None:
        actions = conditions.action
        tests.append(lambda p: p.action in actions)
    if conditions.history_ids is not None:
        ids = conditions.history_ids  # a set of ids, or an inclusive range
        tests.append(lambda p: p.id in ids)
    if conditions.time_of_day is not None:
        tests.append(_time_of_day_test(conditions.time_of_day, context))
    return tests


def _time_of_day_test(window: TimeOfDay, context: Context) -> Callable[[_Play], bool]:
    """Plays whose local time lies in ``window``: start inclusive, end exclusive, wrapping
    midnight when the end comes first (``22:00-02:00``)."""
    local = LocalDays(context.zones.get(window.timezone))
    start = window.start.hour * 60 + window.start.minute
    end = window.end.hour * 60 + window.end.minute
    if start < end:
        return lambda p: start <= local.minute_of_day(p.us) < end
    return lambda p: not end <= local.minute_of_day(p.us) < start


def build_plan(
    spec: PlanSpec,
    resolved: Mapping[ScopeRef, ResolvedScope],
    history: Sequence[HistoryItem] | PlayIndex,
    *,
    timezone: str = "UTC",
    catalogue: Catalogue | None = None,
) -> PlanResult:
    """Compute the plays ``spec`` removes from ``history``.

    ``resolved`` maps every ``show:``/``movie:`` scope of the rules and of ``protect`` to the
    Trakt item it names (see ``trakt_plan.resolve``). ``timezone`` is the account's timezone,
    used by ``repeats: {per: day}`` and ``flood`` unless the condition names its own.
    ``catalogue`` holds the runtimes and release dates that ``runtime_chain``, ``at_release``
    and ``repeats: {within: runtime}`` read (``spec.catalogue_scopes()`` says which); without
    it those conditions match nothing. Relative dates must be resolved first
    (``PlanSpec.resolve_dates``). Raises ``ResolveError`` for a scope missing from
    ``resolved`` and ``ConfigError`` for an unknown timezone or an unresolved date.
    """
    _require_resolved_dates(spec)
    index = _indexed(history)
    context = Context(Zones(timezone), catalogue or Catalogue())
    chosen = _Chosen(protected=_protected(spec, index, resolved, context))
    outcomes = tuple(chosen.add_rule(rule, index, resolved, context) for rule in spec.rules)
    # A play a drop chose that no rule removes stays by protect, else by every chooser's unless.
    spared = chosen.dropped - chosen.plays.keys()
    by_protect = len(spared & chosen.protected)
    return PlanResult(
        deletions=chosen.deletions(),
        rules=outcomes,
        plays_seen=len(index.plays),
        spared_by_protect=by_protect,
        spared_by_unless=len(spared) - by_protect,
    )


@dataclass
class _Chosen:
    """The plays the rules chose so far, with their reasons and evidence by history id."""

    protected: set[int]
    reasons: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    plays: dict[int, _Play] = field(default_factory=dict)
    # Every play a rule's drop chose, spared or not.
    dropped: set[int] = field(default_factory=set)

    def add_rule(
        self,
        rule: Rule,
        index: PlayIndex,
        resolved: Mapping[ScopeRef, ResolvedScope],
        context: Context,
    ) -> RuleOutcome:
        """Judge one rule: its drop, less what `protect` then its `unless` spare."""
        plays, targets = _union(index, rule.scopes, resolved)
        scope = _window(plays, rule.watched_from, rule.watched_until)
        dropped = _matching(rule.drop, scope, context)
        unless: set[int] = set()
        if rule.unless is not None:
            unless = {p.id for p in _matching(rule.unless, scope, context).plays}
        count = by_protect = by_unless = 0
        for play in dropped.plays:
            self.dropped.add(play.id)
            if play.id in self.protected:
                by_protect += 1
            elif play.id in unless:
                by_unless += 1
            else:
                count += 1
                self.reasons[play.id].append(rule.name)
                self.evidence[play.id].append(dropped.why[play.id])
                self.plays[play.id] = play
        return RuleOutcome(
            name=rule.name,
            scope=rule.scope,
            resolved=targets[0] if targets else None,
            plays_in_scope=len(scope),
            deletions=count,
            scopes=rule.scopes,
            targets=targets,
            spared_by_protect=by_protect,
            spared_by_unless=by_unless,
        )

    def deletions(self) -> tuple[Deletion, ...]:
        """The chosen plays in (watched_at, id) order, each with its rules and evidence."""
        return tuple(
            Deletion(
                item=p.item, reasons=tuple(self.reasons[p.id]), evidence=tuple(self.evidence[p.id])
            )
            for p in sorted(self.plays.values(), key=_SORT_KEY)
        )


def _require_resolved_dates(spec: PlanSpec) -> None:
    # A pending `30d ago` stands at year 1: planning with it would pick the wrong window.
    pending = spec.pending_dates()
    if pending:
        raise ConfigError(
            f"the plan's relative dates ({', '.join(pending)}) are not resolved yet; "
            "resolve them with PlanSpec.resolve_dates before planning."
        )


def _protected(
    spec: PlanSpec, index: PlayIndex, resolved: Mapping[ScopeRef, ResolvedScope], context: Context
) -> set[int]:
    """The ids no rule may remove: every ``protect`` entry's scope, or its ``when`` plays."""
    protected: set[int] = set()
    for entry in spec.protect:
        plays, _targets = _union(index, entry.scopes, resolved)
        if entry.when is None:
            protected.update(p.id for p in plays)
        else:
            protected.update(p.id for p in _matching(entry.when, plays, context).plays)
    return protected


def progress_after(
    history: Sequence[HistoryItem] | PlayIndex,
    removed_ids: Collection[int],
    season_ends: Mapping[int, Mapping[int, int]] | None = None,
) -> dict[int, ShowProgress]:
    """Per show trakt id: the furthest regular episode still watched once ``removed_ids`` go.

    ``last`` is the highest (season, number) left with season >= 1 (specials do not move a
    show forward) and ``next_code`` the episode after it, as ``S03E17``. ``season_ends``
    (per show, per season: its last episode number, from the catalogue) moves ``next_code``
    past a season's last episode to the next season's first, or to ``None`` when the show
    has no later episode. A show whose ends do not include the last episode's season gets
    ``next_known=False`` (and no ``next_code``): S03E17 is never guessed, since S03E16 may
    end the season. Only shows with episode plays in ``history`` appear.
    """
    removed = removed_ids if isinstance(removed_ids, set | frozenset) else set(removed_ids)
    by_show: dict[int, list[_Play]] = defaultdict(list)
    shows: dict[int, Show] = {}
    for play in _indexed(history).episodes:
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
        ends = season_ends.get(show_id) if season_ends is not None else None
        next_code, known = _next_code(last, ends) if last is not None else (None, True)
        progress[show_id] = ShowProgress(
            show=shows[show_id],
            last=last,
            next_code=next_code,
            kept=len(kept),
            removed=len(plays) - len(kept),
            next_known=known,
        )
    return progress


def _next_code(last: Episode, ends: Mapping[int, int] | None) -> tuple[str | None, bool]:
    """The episode after ``last`` (None when the show has no later one), and whether
    ``ends`` knew ``last``'s season well enough to say."""
    if ends is None or last.season not in ends:
        return None, False
    if last.number < ends[last.season]:
        return episode_code(last.season, last.number + 1), True
    later = sorted(season for season, end in ends.items() if season > last.season and end)
    return (episode_code(later[0], 1) if later else None), True


def movies_kept(
    history: Sequence[HistoryItem] | PlayIndex, removed_ids: Collection[int]
) -> dict[int, int]:
    """Per movie trakt id that loses plays: how many of its plays stay once ``removed_ids`` go."""
    removed = removed_ids if isinstance(removed_ids, set | frozenset) else set(removed_ids)
    kept: dict[int, int] = defaultdict(int)
    losing: set[int] = set()
    for movie_id, plays in _indexed(history).by_movie.items():
        for play in plays:
            if play.id in removed:
                losing.add(movie_id)
            else:
                kept[movie_id] += 1
    return {movie_id: kept[movie_id] for movie_id in sorted(losing)}
