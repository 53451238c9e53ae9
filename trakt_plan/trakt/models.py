"""Typed Trakt payloads (``trakt-api.md`` sections 3-6).

Trakt adds fields over time and nulls many of them, so every model ignores
unknown keys and accepts ``None`` where Trakt has sent it. Ids arrive as numbers
but pydantic's lax mode also takes numeric strings, which some proxies produce.
These models do no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from trakt_plan.timefmt import format_trakt_time, parse_trakt_time


def _to_utc(value: Any) -> Any:
    return parse_trakt_time(value) if isinstance(value, str) else value


# A Trakt timestamp: parsed to aware UTC, written back in Trakt's own format.
TraktTime = Annotated[
    datetime,
    BeforeValidator(_to_utc),
    PlainSerializer(format_trakt_time, return_type=str, when_used="json"),
]


class TraktModel(BaseModel):
    """Base of every Trakt payload: tolerant of extra keys, immutable once parsed."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Ids(TraktModel):
    trakt: int | None = None
    slug: str | None = None
    imdb: str | None = None
    tmdb: int | None = None
    tvdb: int | None = None


class Show(TraktModel):
    title: str | None = None
    year: int | None = None
    ids: Ids = Field(default_factory=Ids)


class Movie(TraktModel):
    title: str | None = None
    year: int | None = None
    ids: Ids = Field(default_factory=Ids)


class Episode(TraktModel):
    season: int
    number: int
    title: str | None = None
    ids: Ids = Field(default_factory=Ids)

    @property
    def code(self) -> str:
        return f"S{self.season:02d}E{self.number:02d}"


Action = Literal["scrobble", "checkin", "watch"]
MediaType = Literal["movie", "episode"]


class HistoryItem(TraktModel):
    """One play: what ``/sync/history`` returns and what ``/sync/history/remove`` deletes."""

    id: int
    watched_at: TraktTime
    # Trakt may add actions; an unknown one is kept as text rather than refused.
    action: str
    type: MediaType
    movie: Movie | None = None
    episode: Episode | None = None
    show: Show | None = None

    @property
    def media_trakt_id(self) -> int | None:
        """The trakt id of the episode or movie played (what an add needs)."""
        media = self.episode if self.type == "episode" else self.movie
        return media.ids.trakt if media is not None else None

    def to_trakt_json(self) -> dict[str, Any]:
        """This play in Trakt's own JSON shape (for `history --json` and snapshots)."""
        data = self.model_dump(mode="json")
        # Trakt sends only the media object of the play's type; nested nulls stay as sent.
        return {key: value for key, value in data.items() if value is not None}


class SearchResult(TraktModel):
    type: str
    score: float | None = None
    show: Show | None = None
    movie: Movie | None = None
    episode: Episode | None = None

    @property
    def media(self) -> Show | Movie | None:
        return self.movie if self.type == "movie" else self.show


class UserIds(TraktModel):
    slug: str | None = None
    uuid: str | None = None


class User(TraktModel):
    username: str
    private: bool | None = None
    name: str | None = None
    vip: bool | None = None
    ids: UserIds = Field(default_factory=UserIds)


class Account(TraktModel):
    timezone: str | None = None
    date_format: str | None = None
    time_24hr: bool | None = None


class UserSettings(TraktModel):
    """``GET /users/settings``: who the token belongs to and their timezone."""

    user: User
    account: Account = Field(default_factory=Account)


class WatchedActivity(TraktModel):
    watched_at: TraktTime | None = None


class LastActivities(TraktModel):
    """``GET /sync/last_activities``; only the watch history parts matter here."""

    all: TraktTime | None = None
    movies: WatchedActivity = Field(default_factory=WatchedActivity)
    episodes: WatchedActivity = Field(default_factory=WatchedActivity)

    def history_marks(self) -> dict[str, str | None]:
        """The timestamps that move when the watch history changes (saved in plans)."""
        return {
            "episodes.watched_at": _fmt(self.episodes.watched_at),
            "movies.watched_at": _fmt(self.movies.watched_at),
        }


def _fmt(value: datetime | None) -> str | None:
    return format_trakt_time(value) if value is not None else None


class Counts(TraktModel):
    movies: int = 0
    episodes: int = 0

    @property
    def total(self) -> int:
        return self.movies + self.episodes


class NotFound(TraktModel):
    # Trakt's live responses sometimes omit `ids` entirely (trakt-api.md 13.2).
    ids: list[int] = Field(default_factory=list)
    movies: list[Any] = Field(default_factory=list)
    episodes: list[Any] = Field(default_factory=list)
    shows: list[Any] = Field(default_factory=list)
    seasons: list[Any] = Field(default_factory=list)


class RemoveResult(TraktModel):
    """``POST /sync/history/remove`` (HTTP 200)."""

    deleted: Counts = Field(default_factory=Counts)
    not_found: NotFound = Field(default_factory=NotFound)


class AddResult(TraktModel):
    """``POST /sync/history`` (HTTP 201)."""

    added: Counts = Field(default_factory=Counts)
    updated: Counts | None = None
    not_found: NotFound = Field(default_factory=NotFound)


class PlayToAdd(TraktModel):
    """A play to (re-)create: the episode or movie trakt id and its original time."""

    type: MediaType
    trakt_id: int
    watched_at: TraktTime


class DeviceCode(TraktModel):
    device_code: str
    user_code: str
    verification_url: str
    expires_in: int
    interval: float


class Token(BaseModel):
    """An OAuth token pair. ``repr`` hides the secrets so they never reach a log."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    token_type: str = "bearer"
    expires_in: int
    created_at: int
    scope: str | None = None

    @property
    def expires_at(self) -> int:
        return self.created_at + self.expires_in


class ResolvedScope(TraktModel):
    """The one show or movie a plan's ``show:``/``movie:`` reference turned out to mean."""

    type: Literal["show", "movie"]
    title: str | None = None
    year: int | None = None
    ids: Ids = Field(default_factory=Ids)

    @property
    def trakt_id(self) -> int:
        if self.ids.trakt is None:
            raise ValueError("a resolved scope always has a trakt id")
        return self.ids.trakt
