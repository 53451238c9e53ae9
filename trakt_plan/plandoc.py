"""The parts of a saved plan: its header blocks, rules, deletions, summary and kept plays.

Frozen pydantic models with unknown keys refused (a saved plan is a contract); the whole
document, :class:`~trakt_plan.planfile.SavedPlan`, is assembled in :mod:`trakt_plan.planfile`.
No I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trakt_plan.labels import episode_code, title_year
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope

__all__ = [
    "EpisodeRef",
    "HistoryScope",
    "KeptGroup",
    "KeptPlay",
    "MediaRef",
    "MediaScope",
    "Observed",
    "PlanAccount",
    "PlanSource",
    "PlannedDeletion",
    "RuleScope",
    "SavedProgress",
    "SavedResolution",
    "SavedRule",
    "SavedSpec",
    "ScopeIds",
    "Summary",
]


class _Frozen(BaseModel):
    # A saved plan is a contract: unknown keys mean another format, not something to ignore.
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanSource(_Frozen):
    """The plan YAML the saved plan was computed from."""

    path: str
    sha256: str


class PlanAccount(_Frozen):
    """The Trakt account and API the plan was made against; apply refuses any other."""

    username: str
    api_base: str


class Observed(_Frozen):
    """When the history was read, and its ``/sync/last_activities`` marks at that time."""

    fetched_at: str
    last_activities: dict[str, str | None]
    # The zone days were counted in, and where it came from (plans saved before had none).
    timezone: str | None = None


class ScopeIds(Ids):
    """A scope's ids as saved: Trakt's ids, with unknown keys refused like the rest of the plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class MediaScope(_Frozen):
    """A ``show:``/``movie:`` scope as it resolved: the Trakt item a rule looked at."""

    type: Literal["show", "movie"]
    title: str | None
    year: int | None
    ids: ScopeIds

    # The same fields as ResolvedScope: each converts to the other through its plain data.
    @classmethod
    def from_resolved(cls, resolved: ResolvedScope) -> MediaScope:
        return cls.model_validate(resolved.model_dump())

    def to_resolved(self) -> ResolvedScope:
        return ResolvedScope.model_validate(self.model_dump())


class HistoryScope(_Frozen):
    """A ``history:`` scope: the whole history, its episode plays or its movie plays."""

    type: Literal["history"]
    which: Literal["all", "episodes", "movies"]


RuleScope = Annotated[MediaScope | HistoryScope, Field(discriminator="type")]


class SavedRule(_Frozen):
    """One rule of the plan: its scope, how many plays it saw and how many it chose."""

    name: str
    scope: RuleScope
    plays_in_scope: int
    deletions: int
    # A rule over several shows or movies (`show: [a, b]`): the ones after `scope`.
    more_scopes: tuple[MediaScope, ...] = ()
    # Plays its drop chose that stay: shielded by `protect`, else kept by its `unless`
    # (plans saved before these were counted have None).
    spared_by_protect: int | None = None
    spared_by_unless: int | None = None


class SavedResolution(_Frozen):
    """One reference of the spec (as written) and the Trakt item it resolved to."""

    kind: Literal["show", "movie"]
    ref: str
    year: int | None
    resolved: MediaScope


class SavedSpec(_Frozen):
    """The validated plan (JSON) and its resolved references: enough to plan again."""

    plan: dict[str, Any]
    resolved: tuple[SavedResolution, ...]


class MediaRef(_Frozen):
    """A show or movie as a deletion names it."""

    title: str | None
    year: int | None
    trakt: int | None


class EpisodeRef(_Frozen):
    season: int
    number: int
    trakt: int | None


class PlannedDeletion(_Frozen):
    """One play to remove, whole enough to show it, journal it and add it back."""

    history_id: int
    watched_at: str
    action: str
    type: Literal["episode", "movie"]
    show: MediaRef | None
    episode: EpisodeRef | None
    movie: MediaRef | None
    reasons: tuple[str, ...]
    # Per rule in `reasons`, what made it choose the play; plans saved before it have none.
    evidence: tuple[str, ...] = ()

    @field_validator("watched_at")
    @classmethod
    def _trakt_time(cls, value: str) -> str:
        try:
            parsed = parse_trakt_time(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a Trakt timestamp") from None
        # Only Trakt's own spelling keeps the sort order and the plan_id stable.
        if format_trakt_time(parsed) != value:
            raise ValueError(f"{value!r} is not in Trakt's format (2025-11-17T01:02:03.000Z)")
        return value

    @classmethod
    def from_item(
        cls, item: HistoryItem, reasons: Sequence[str], evidence: Sequence[str] = ()
    ) -> PlannedDeletion:
        """The deletion of ``item``, chosen by the rules named in ``reasons`` (``evidence``:
        what made each rule choose it)."""
        show = item.show if item.type == "episode" else None
        episode = item.episode if item.type == "episode" else None
        movie = item.movie if item.type == "movie" else None
        return cls(
            history_id=item.id,
            watched_at=format_trakt_time(item.watched_at),
            action=item.action,
            type=item.type,
            show=(
                MediaRef(title=show.title, year=show.year, trakt=show.ids.trakt)
                if show is not None
                else None
            ),
            episode=(
                EpisodeRef(season=episode.season, number=episode.number, trakt=episode.ids.trakt)
                if episode is not None
                else None
            ),
            movie=(
                MediaRef(title=movie.title, year=movie.year, trakt=movie.ids.trakt)
                if movie is not None
                else None
            ),
            reasons=tuple(reasons),
            evidence=tuple(evidence),
        )

    def to_history_item(self) -> HistoryItem:
        """The play as a ``HistoryItem`` (ids reduced to trakt ids, which is all a re-add needs)."""
        data: dict[str, Any] = {
            "id": self.history_id,
            "watched_at": self.watched_at,
            "action": self.action,
            "type": self.type,
        }
        if self.show is not None:
            data["show"] = {
                "title": self.show.title,
                "year": self.show.year,
                "ids": {"trakt": self.show.trakt},
            }
        if self.episode is not None:
            data["episode"] = {
                "season": self.episode.season,
                "number": self.episode.number,
                "ids": {"trakt": self.episode.trakt},
            }
        if self.movie is not None:
            data["movie"] = {
                "title": self.movie.title,
                "year": self.movie.year,
                "ids": {"trakt": self.movie.trakt},
            }
        return HistoryItem.model_validate(data)

    @property
    def media_trakt(self) -> int | None:
        """The trakt id of the episode or movie played: what undo adds the play back by."""
        media = self.episode if self.type == "episode" else self.movie
        return media.trakt if media is not None else None

    @property
    def label(self) -> str:
        """``Show (2013) S03E16`` or ``Movie (2010)``: how people recognise the play."""
        if self.type == "episode":
            title = title_year(self.show.title, self.show.year) if self.show else "unknown show"
            if self.episode is not None:
                return f"{title} {episode_code(self.episode.season, self.episode.number)}"
            return title
        return title_year(self.movie.title, self.movie.year) if self.movie else "unknown movie"


class SavedProgress(_Frozen):
    """Where a show with deletions stands after apply: ``last``/``next`` are codes (S03E16)."""

    title: str | None
    year: int | None
    last: str | None
    next: str | None
    kept: int
    removed: int
    # False when the season lengths could not be read: ``next`` is None as it is unknown.
    next_known: bool = True


class Summary(_Frozen):
    """Counts for a quick review: plays read, plays to remove, removals per show or movie.

    ``progress`` (keyed by show trakt id) records, for each show that loses plays, its last
    and next episode once the plan is applied, so ``show PLANFILE`` can say so offline.
    """

    plays_seen: int
    deletions: int
    by_show: dict[str, int]
    progress: dict[int, SavedProgress] = Field(default_factory=dict)
    # Per movie trakt id that loses plays: the plays of it that stay.
    movies_kept: dict[int, int] = Field(default_factory=dict)
    # Distinct plays a rule's drop chose that no rule removes, by protect or else by unless
    # (None in plans saved before they were counted).
    spared_by_protect: int | None = None
    spared_by_unless: int | None = None


class KeptPlay(_Frozen):
    """A play the plan keeps, compactly: enough to draw it on a timeline and count it.

    ``episode`` is the code (``S01E02``) of an episode play, ``None`` for a movie play;
    ``trakt`` the trakt id of the episode or movie played.
    """

    history_id: int
    watched_at: str
    action: str
    episode: str | None = None
    trakt: int | None = None


class KeptGroup(_Frozen):
    """The kept plays of one show or movie that loses plays, in (watched_at, id) order."""

    type: Literal["show", "movie"]
    trakt: int | None
    plays: tuple[KeptPlay, ...]
