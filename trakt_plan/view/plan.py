"""The plan view: what a person reviews before apply, as one value built from a saved plan.

:func:`plan_view` reads nothing but the :class:`~trakt_plan.planfile.SavedPlan`, so the
plan printed by ``plan`` and by ``show PLANFILE`` cannot differ. Renderings (text,
JSON, Markdown, HTML) take the :class:`PlanView` and only lay it out: every count,
label and time string they show is computed here, once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trakt_plan.labels import episode_code, play_time, plural, title_year
from trakt_plan.plandoc import HistoryScope, KeptPlay, MediaScope, SavedProgress, SavedRule
from trakt_plan.planfile import PlannedDeletion, SavedPlan
from trakt_plan.timefmt import parse_trakt_time

__all__ = [
    "GroupView",
    "PlanHeader",
    "PlanSummary",
    "PlanView",
    "PlayRow",
    "RuleCount",
    "plan_view",
]

GroupKind = Literal["show", "movie", "other"]


@dataclass(frozen=True)
class PlanHeader:
    """Which plan this is: its description, account, when it was made and from what."""

    description: str | None
    account: str
    api_base: str
    planned_at: str
    plan_id: str
    source: str
    # The zone every time of the view is shown in (times without a Z), and where it came from.
    timezone: str

    @property
    def facts(self) -> tuple[tuple[str, str], ...]:
        """The header as (label, value) pairs, in the order every rendering lists them."""
        return (
            ("account", f"{self.account} on {self.api_base}"),
            ("planned at", self.planned_at),
            ("plan_id", self.plan_id),
            ("source", self.source),
            ("times in", self.timezone),
        )


@dataclass(frozen=True)
class RuleCount:
    """One rule: what it looked at, the plays in it and how many it chose."""

    name: str
    plays_in_scope: int
    deletions: int
    # Every show or movie the rule names, or its history scope: "Friends (1994), Lost (2004)".
    scope: str = ""
    # Plays its drop chose that stay, by `protect` and by its `unless` (None: not recorded).
    spared_by_protect: int | None = None
    spared_by_unless: int | None = None


@dataclass(frozen=True)
class PlayRow:
    """One play to remove, as every rendering lists it."""

    history_id: int
    # As shown: in the header's time zone (``2025-11-16 20:02:03``), or UTC (``...Z``).
    watched_at: str
    what: str
    action: str
    reasons: tuple[str, ...]
    # The instant itself (aware UTC), for renderings that place plays in time.
    at: datetime
    # For a play a `repeats` rule removes: the play of the same episode or movie it keeps.
    keeps: str | None = None
    # Per rule in `reasons`, the planner's words for why it chose the play (plans saved
    # before evidence was recorded have none).
    evidence: tuple[str, ...] = ()

    @property
    def why_lines(self) -> tuple[str, ...]:
        """Each rule with its evidence, then the play kept: ``aos-bulk: 22 plays share the
        second 2025-11-17 01:02:03Z``, ``keeps 10000000032 at 16:00:00``."""
        if len(self.evidence) == len(self.reasons) and self.evidence:
            lines = [f"{r}: {e}" for r, e in zip(self.reasons, self.evidence, strict=True)]
        else:
            lines = [", ".join(self.reasons)] if self.reasons else []
        if self.keeps:
            lines.append(f"keeps {self.keeps}")
        return tuple(lines)

    @property
    def why(self) -> str:
        """:attr:`why_lines` on one line, ``; `` between them."""
        return "; ".join(self.why_lines)


@dataclass(frozen=True)
class GroupView:
    """One show or movie of a plan: the plays to remove and what stays."""

    kind: GroupKind
    trakt_id: int
    title: str
    rows: tuple[PlayRow, ...]
    kept: int | None = None
    after: str | None = None
    # The plays that stay (plans that record them), in time order: for timelines.
    kept_rows: tuple[PlayRow, ...] = ()

    @property
    def heading(self) -> str:
        """``Agents of S.H.I.E.L.D. (2013) · show 1394``."""
        return f"{self.title} · {self.kind} {self.trakt_id}"


@dataclass(frozen=True)
class PlanSummary:
    """The counts a reviewer checks first."""

    plays_seen: int
    removed: int
    shows: int
    movies: int
    # Removed plays per action, every action listed even at 0 ("460 watch · 0 scrobble").
    by_action: tuple[tuple[str, int], ...]
    first_removed: str | None
    last_removed: str | None
    # Distinct plays a drop chose that stay, by `protect` and by `unless` (None: not recorded).
    spared_by_protect: int | None = None
    spared_by_unless: int | None = None

    @property
    def line(self) -> str:
        """``Plan: remove 22 plays of 1 show (120 plays seen).``"""
        seen = plural(self.plays_seen, "play")
        if not self.removed:
            return f"Plan: nothing to remove ({seen} seen)."
        where = " and ".join(
            part
            for part in (
                plural(self.shows, "show") if self.shows else "",
                plural(self.movies, "movie") if self.movies else "",
            )
            if part
        )
        return f"Plan: remove {plural(self.removed, 'play')} of {where} ({seen} seen)."

    @property
    def spared(self) -> str | None:
        """``3 by protect, 12 by unless``; None for plans saved before spares were counted."""
        if self.spared_by_protect is None or self.spared_by_unless is None:
            return None
        return f"{self.spared_by_protect} by protect, {self.spared_by_unless} by unless"

    @property
    def actions(self) -> str:
        """``460 watch · 0 scrobble · 0 checkin``."""
        return " · ".join(f"{count} {action}" for action, count in self.by_action)


@dataclass(frozen=True)
class PlanView:
    """Everything a rendering of a plan shows, in the order it shows it."""

    header: PlanHeader
    summary: PlanSummary
    rules: tuple[RuleCount, ...]
    groups: tuple[GroupView, ...]
    warnings: tuple[str, ...]
    # The saved-plan document itself (JSON types): the JSON rendering prints it, since
    # scripts read the plan, not a layout of it.
    document: dict[str, Any]

    @property
    def spares(self) -> bool:
        """Whether the plan counted what `protect` and `unless` spared (older plans did not)."""
        return self.summary.spared is not None


_ACTIONS = ("watch", "scrobble", "checkin")


class _Clock:
    """Shows the plan's Trakt timestamps in the zone its days were counted in."""

    def __init__(self, saved: SavedPlan) -> None:
        # Recorded as "America/New_York (the account's settings)"; older plans have none.
        recorded = saved.observed.timezone or ""
        name = recorded.split(" (", 1)[0]
        self.zone: ZoneInfo | None = None
        self.label = recorded or "UTC"
        if name and name != "UTC":
            try:
                self.zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                self.label = f"UTC ({name} is unknown here)"

    def show(self, value: str) -> str:
        return play_time(parse_trakt_time(value), self.zone)


def plan_view(saved: SavedPlan) -> PlanView:
    """Per show/movie: the plays to remove, what stays and what the account looks like after."""
    clock = _Clock(saved)
    return PlanView(
        header=PlanHeader(
            description=_description(saved),
            account=saved.account.username,
            api_base=saved.account.api_base,
            planned_at=clock.show(saved.created_at),
            plan_id=saved.plan_id,
            source=saved.source.path,
            timezone=clock.label,
        ),
        summary=_summary(saved, clock),
        rules=tuple(_rule(rule) for rule in saved.rules),
        groups=_groups(saved, clock),
        warnings=tuple(saved.notes()),
        # Only what the plan holds: keys added since an older plan was saved stay out of it,
        # so the printed document still verifies against its checksum.
        document=saved.model_dump(mode="json", exclude_unset=True),
    )


def _description(saved: SavedPlan) -> str | None:
    value = saved.spec.plan.get("description")
    return value.strip() or None if isinstance(value, str) else None


def _rule(rule: SavedRule) -> RuleCount:
    scopes = (rule.scope, *rule.more_scopes)
    return RuleCount(
        name=rule.name,
        plays_in_scope=rule.plays_in_scope,
        deletions=rule.deletions,
        scope=", ".join(_scope_label(scope) for scope in scopes),
        spared_by_protect=rule.spared_by_protect,
        spared_by_unless=rule.spared_by_unless,
    )


def _scope_label(scope: MediaScope | HistoryScope) -> str:
    """``Friends (1994)``, or ``history: all`` as the plan writes a history scope."""
    if isinstance(scope, HistoryScope):
        return f"history: {scope.which}"
    untitled = f"{scope.type} {scope.ids.trakt}"
    return title_year(scope.title, scope.year, untitled=untitled)


def _group_key(deletion: PlannedDeletion) -> tuple[GroupKind, int]:
    # A play whose media has no trakt id (Trakt sends nulls at times) groups under 0.
    if deletion.show is not None:
        return ("show", deletion.show.trakt or 0)
    if deletion.movie is not None:
        return ("movie", deletion.movie.trakt or 0)
    return ("other", 0)


def _title_of(deletion: PlannedDeletion) -> str:
    media = deletion.show if deletion.show is not None else deletion.movie
    return "?" if media is None else title_year(media.title, media.year, untitled="?")


def _row(deletion: PlannedDeletion, clock: _Clock, keeps: str | None = None) -> PlayRow:
    episode = deletion.episode
    return PlayRow(
        history_id=deletion.history_id,
        watched_at=clock.show(deletion.watched_at),
        what=episode_code(episode.season, episode.number) if episode is not None else "movie",
        action=deletion.action,
        reasons=deletion.reasons,
        at=parse_trakt_time(deletion.watched_at),
        keeps=keeps,
        evidence=deletion.evidence,
    )


def _kept_row(play: KeptPlay, clock: _Clock) -> PlayRow:
    return PlayRow(
        history_id=play.history_id,
        watched_at=clock.show(play.watched_at),
        what=play.episode or "movie",
        action=play.action,
        reasons=(),
        at=parse_trakt_time(play.watched_at),
    )


def _keeps(play: KeptPlay, deletion: PlannedDeletion, clock: _Clock) -> str:
    """``10000000032 at 16:00:00``: the date too when it is not the removed play's."""
    when, removed = clock.show(play.watched_at), clock.show(deletion.watched_at)
    same_day = when[:10] == removed[:10]
    return f"{play.history_id} at {when[11:] if same_day else when}"


def _repeats_rules(saved: SavedPlan) -> frozenset[str]:
    """The names of the rules whose `drop:` has a `repeats:` condition."""
    rules = saved.spec.plan.get("rules", [])
    return frozenset(
        str(rule.get("name"))
        for rule in rules
        if isinstance(rule, dict)
        and isinstance(rule.get("drop"), dict)
        and "repeats" in rule["drop"]
    )


def _kept_play_of(deletion: PlannedDeletion, kept: Sequence[KeptPlay]) -> KeptPlay | None:
    """The kept play of the same episode or movie nearest in time: the one `repeats` kept."""
    media = deletion.episode if deletion.episode is not None else deletion.movie
    code = (
        episode_code(deletion.episode.season, deletion.episode.number)
        if deletion.episode is not None
        else None
    )
    trakt = media.trakt if media is not None else None
    same = [p for p in kept if (p.trakt == trakt if trakt is not None else p.episode == code)]
    at = parse_trakt_time(deletion.watched_at)
    return min(same, key=lambda p: abs(parse_trakt_time(p.watched_at) - at), default=None)


def _groups(saved: SavedPlan, clock: _Clock) -> tuple[GroupView, ...]:
    grouped: dict[tuple[GroupKind, int], list[PlannedDeletion]] = defaultdict(list)
    for deletion in saved.deletions:
        grouped[_group_key(deletion)].append(deletion)
    ordered = sorted(
        grouped.items(), key=lambda kv: (kv[0][0], _title_of(kv[1][0]).lower(), kv[0][1])
    )
    return tuple(_group(saved, clock, kind, trakt_id, rows) for (kind, trakt_id), rows in ordered)


def _group(
    saved: SavedPlan,
    clock: _Clock,
    kind: GroupKind,
    trakt_id: int,
    deletions: Sequence[PlannedDeletion],
) -> GroupView:
    kept: int | None = None
    after: str | None = None
    if kind == "movie":
        kept = saved.summary.movies_kept.get(trakt_id)
    state = saved.summary.progress.get(trakt_id) if kind == "show" else None
    if state is not None:
        kept = state.kept
        after = f"last {state.last or 'none'}, next {_upcoming(state)}"
    kept_plays = next(
        (g.plays for g in saved.kept if g.type == kind and (g.trakt or 0) == trakt_id), ()
    )
    repeats = _repeats_rules(saved)
    rows = []
    for deletion in deletions:
        keeps = None
        if repeats.intersection(deletion.reasons):
            play = _kept_play_of(deletion, kept_plays)
            keeps = _keeps(play, deletion, clock) if play else None
        rows.append(_row(deletion, clock, keeps))
    return GroupView(
        kind=kind,
        trakt_id=trakt_id,
        title=_title_of(deletions[0]),
        rows=tuple(rows),
        kept=kept,
        after=after,
        kept_rows=tuple(_kept_row(play, clock) for play in kept_plays),
    )


def _upcoming(state: SavedProgress) -> str:
    """What Trakt shows next up once the plan is applied, never a guessed episode."""
    if state.last is None:
        return "S01E01"
    if not state.next_known:
        return "unknown (season lengths not read)"
    # No next with a last episode: the catalogue knows no later episode.
    return state.next or "none aired yet"


def _summary(saved: SavedPlan, clock: _Clock) -> PlanSummary:
    deletions = saved.deletions
    actions = Counter(d.action for d in deletions)
    # The usual three always, so a reviewer sees "0 scrobble"; any other action after them.
    order = [*_ACTIONS, *sorted(set(actions) - set(_ACTIONS))]
    return PlanSummary(
        plays_seen=saved.summary.plays_seen,
        removed=len(deletions),
        shows=len({d.show.trakt for d in deletions if d.show is not None}),
        movies=len({d.movie.trakt for d in deletions if d.movie is not None}),
        by_action=tuple((action, actions[action]) for action in order),
        # Deletions are sorted by watched_at, so the range is the first and the last.
        first_removed=clock.show(deletions[0].watched_at) if deletions else None,
        last_removed=clock.show(deletions[-1].watched_at) if deletions else None,
        spared_by_protect=saved.summary.spared_by_protect,
        spared_by_unless=saved.summary.spared_by_unless,
    )
