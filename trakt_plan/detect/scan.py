"""What every accident finder works on: the plays in scope, the catalogue, the day's zone.

A :class:`Scan` hands out each play once: :meth:`Scan.finding` makes a :class:`Finding` of
the plays no earlier finder claimed, so a play appears under one kind only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from trakt_plan.labels import episode_code
from trakt_plan.plays import Play, clip
from trakt_plan.trakt.models import ResolvedScope

__all__ = [
    "BULK_PLAYS",
    "CHAIN_PLAYS",
    "DOUBLE_WITHIN",
    "FLOOD_PLAYS",
    "FLOOD_RATIO",
    "KINDS",
    "RELEASE_PLAYS",
    "Catalogue",
    "Finding",
    "Kind",
    "Scan",
    "describe",
    "local_day",
    "minutes_text",
]

# Nobody watches three episodes in one second; two can be a player reporting twice.
BULK_PLAYS = 3
# Two plays one runtime apart happen in a binge by chance; three to the second do not.
CHAIN_PLAYS = 3
# One episode marked at its air time can be a deliberate mark; two of one show are a tool's.
RELEASE_PLAYS = 2
# Without runtimes: two devices scrobbling one playback report it minutes apart, never hours.
DOUBLE_WITHIN = timedelta(minutes=10)
# A flood day: this many watch plays, and this many times the plays of the median day.
FLOOD_PLAYS = 100
FLOOD_RATIO = 10
_SHOWN_TITLES = 3

Kind = Literal["same_second", "runtime_chain", "at_release", "double_play", "flood", "manual"]
KINDS: tuple[Kind, ...] = (
    "same_second",
    "runtime_chain",
    "at_release",
    "double_play",
    "flood",
    "manual",
)


class Catalogue(Protocol):
    """Runtimes and release dates by Trakt id (the planner's catalogue value has this shape)."""

    def episode_runtime(self, episode_id: int | None, show_id: int | None) -> timedelta | None:
        """The episode's runtime, else its show's, else ``None``."""

    def movie_runtime(self, movie_id: int | None) -> timedelta | None:
        """The movie's runtime, or ``None``."""

    def episode_release(self, episode_id: int | None) -> datetime | None:
        """When the episode first aired, or ``None``."""

    def movie_release(self, movie_id: int | None) -> datetime | None:
        """The movie's release (its date at 00:00:00Z), or ``None``."""


@dataclass(frozen=True)
class Finding:
    """One likely accident: its kind, one sentence of evidence, and the plays that look wrong.

    ``history_ids`` are the plays the finding's ``rule`` removes that no earlier kind
    claimed: every play of a bulk mark, chain, release mark or flood day, every manual
    mark, and for a double play only the repeats (the earlier play is the real one).
    ``subject`` is the show or movie the plays belong to (``None`` when they span several);
    ``rule`` is the plan rule, as its YAML mapping, that removes them.
    """

    kind: Kind
    summary: str
    history_ids: tuple[int, ...]
    first: datetime | None = None
    last: datetime | None = None
    subject: ResolvedScope | None = None
    rule: Mapping[str, Any] = field(default_factory=dict)


def local_day(value: datetime, zone: ZoneInfo) -> date:
    """The calendar day of ``value`` in ``zone``."""
    return value.astimezone(zone).date()


def describe(plays: Sequence[Play], *, titled: bool) -> str:
    """What a group of plays is: ``S06E02..S07E10``, or per title when ``titled``."""
    groups: dict[Hashable, list[Play]] = defaultdict(list)
    for play in plays:
        groups[play.title_key].append(play)
    # Biggest group first; the title breaks ties so the order never depends on input order.
    ordered = sorted(groups.values(), key=lambda group: (-len(group), group[0].title))
    parts = []
    for group in ordered[:_SHOWN_TITLES]:
        codes = sorted({p.code for p in group if p.code is not None})
        span = ""
        if codes:
            span = episode_code(*codes[0])
            if len(codes) > 1:
                span += ".." + episode_code(*codes[-1])
        if not titled:
            parts.append(span or clip(group[0].title))
        elif len(ordered) > 1:
            label = f"{len(group)} of {clip(group[0].title)}"
            parts.append(f"{label} {span}" if span else label)
        else:
            parts.append(f"{clip(group[0].title)} {span}" if span else clip(group[0].title))
    if len(ordered) > _SHOWN_TITLES:
        parts.append(f"and {len(ordered) - _SHOWN_TITLES} more titles")
    return ", ".join(parts)


def minutes_text(delta: timedelta) -> str:
    """A gap as ``42 min``, ``3m05s`` or ``40s``."""
    seconds = int(delta.total_seconds())
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return f"{seconds}s"
    return f"{minutes}m{seconds:02d}s" if seconds else f"{minutes}m"


@dataclass
class Scan:
    """One detection run: the plays in scope and what every finder needs to know about them."""

    plays: list[Play]
    scope: ResolvedScope | None
    catalogue: Catalogue | None
    zone: ZoneInfo
    claimed: set[int] = field(default_factory=set)

    @property
    def titled(self) -> bool:
        return len({p.title_key for p in self.plays}) > 1

    def scope_rule(self) -> dict[str, Any]:
        """The scope key of a rule over the whole scope."""
        if self.scope is None:
            return {"history": "all"}
        return {self.scope.type: self.scope.trakt_id}

    def runtime(self, play: Play) -> timedelta | None:
        item = play.item
        if self.catalogue is None:
            return None
        if item.episode is not None:
            show_id = item.show.ids.trakt if item.show is not None else None
            return self.catalogue.episode_runtime(item.episode.ids.trakt, show_id)
        if item.movie is not None:
            return self.catalogue.movie_runtime(item.movie.ids.trakt)
        return None

    def release(self, play: Play) -> datetime | None:
        item = play.item
        if self.catalogue is None:
            return None
        if item.episode is not None:
            return self.catalogue.episode_release(item.episode.ids.trakt)
        if item.movie is not None:
            return self.catalogue.movie_release(item.movie.ids.trakt)
        return None

    def finding(
        self,
        kind: Kind,
        summary: str,
        plays: Sequence[Play],
        rule: Mapping[str, Any],
    ) -> Finding | None:
        """A finding of the plays no earlier kind claimed (``None`` when none is left)."""
        fresh = [p for p in plays if p.id not in self.claimed]
        if not fresh:
            return None
        self.claimed.update(p.id for p in fresh)
        keys = {p.title_key for p in fresh}
        subject = _subject(fresh[0]) if len(keys) == 1 else None
        return Finding(
            kind,
            summary,
            tuple(p.id for p in fresh),
            fresh[0].item.watched_at,
            fresh[-1].item.watched_at,
            subject,
            rule,
        )


def _subject(play: Play) -> ResolvedScope | None:
    item = play.item
    media = item.show if item.type == "episode" else item.movie
    if media is None or media.ids.trakt is None:
        return None
    return ResolvedScope(
        type="show" if item.type == "episode" else "movie",
        title=media.title,
        year=media.year,
        ids=media.ids,
    )
