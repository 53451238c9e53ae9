"""Typed Trakt payloads (``trakt-api.md`` sections 3-6).

Trakt adds fields over time and nulls many of them, so every model ignores
unknown keys and accepts ``None`` where Trakt has sent it. Ids are exact
integers: a float such as ``12345678901234567.0`` is rounded when parsed and would
then name another play, and a quoted id is a different value, so ids take only JSON
integers (strict).
These models do no I/O.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from trakt_plan.labels import episode_code
from trakt_plan.timefmt import format_trakt_time


def _as_utc(value: datetime) -> datetime:
    # Trakt documents every time as UTC: a zone-less value can only mean that.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


# A Trakt timestamp: parsed to aware UTC (pydantic's own ISO parser, which is fast enough
# for 100k plays), written back in Trakt's own format.
TraktTime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(format_trakt_time, return_type=str, when_used="json"),
]


# A history or media id: a JSON integer, never a float, a bool or a string: a float such
# as 12345678901234567.0 was rounded when it was parsed.
TraktId = Annotated[int, Strict()]


class TraktModel(BaseModel):
    """Base of every Trakt payload: tolerant of extra keys, immutable once parsed."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Ids(TraktModel):
    trakt: TraktId | None = None
    slug: str | None = None
    imdb: str | None = None
    tmdb: TraktId | None = None
    tvdb: TraktId | None = None


class Titled(TraktModel):
    """What Trakt's standard show and movie objects share: a title, a year and the ids."""

    title: str | None = None
    year: int | None = None
    ids: Ids = Field(default_factory=Ids)


class Show(Titled):
    """A show as a play or a search hit names it."""


class Movie(Titled):
    """A movie as a play or a search hit names it."""


class Episode(TraktModel):
    season: int
    number: int
    title: str | None = None
    ids: Ids = Field(default_factory=Ids)

    @property
    def code(self) -> str:
        return episode_code(self.season, self.number)


# Validation context key for a dict the caller owns: plays of one read then share one
# Show/Episode/Movie object per distinct media (100k plays of a few hundred shows would
# otherwise hold 100k copies of the same show; frozen models make sharing safe).
MEDIA_CACHE = "trakt_plan.media_cache"


# The only JSON values a media key takes: exact types, as bool and float compare equal to ints.
_PLAIN = frozenset({str, int, type(None)})


def _media_key(field: str | None, value: dict[str, Any]) -> tuple[Any, ...] | None:
    """A hashable key for a raw media object, or None when it is too odd to share safely.

    Every field the models read is in it, so equal keys validate to equal models. ``ids`` stay
    in the order sent: another order only costs a second object, never a wrong one. The field
    keeps a show from sharing a movie's model when their titles, years and ids agree.
    """
    ids = value.get("ids")
    if type(ids) is not dict:
        return None
    head = (value.get("title"), value.get("year"), value.get("season"), value.get("number"))
    # Exact types, checked in C: a bool or float would share an int's model without being one.
    if not (_PLAIN.issuperset(map(type, head)) and _PLAIN.issuperset(map(type, ids.values()))):
        return None
    return (field, *head, *ids.items())


def _shared_media(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    cache = info.context.get(MEDIA_CACHE) if isinstance(info.context, dict) else None
    if cache is None or not isinstance(value, dict):
        return handler(value)
    key = _media_key(info.field_name, value)
    if key is None:
        return handler(value)
    found = cache.get(key)
    if found is None:
        found = cache[key] = handler(value)
    return found


Action = Literal["scrobble", "checkin", "watch"]
MediaType = Literal["movie", "episode"]


class HistoryItem(TraktModel):
    """One play: what ``/sync/history`` returns and what ``/sync/history/remove`` deletes."""

    id: TraktId
    watched_at: TraktTime
    # Trakt may add actions; an unknown one is kept as text rather than refused.
    action: str
    type: MediaType
    movie: Annotated[Movie | None, WrapValidator(_shared_media)] = None
    episode: Annotated[Episode | None, WrapValidator(_shared_media)] = None
    show: Annotated[Show | None, WrapValidator(_shared_media)] = None

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


# Minutes, as Trakt's catalogue gives runtimes (null when unknown).
Minutes = Annotated[int, Field(ge=0)]


class CatalogEpisode(TraktModel):
    """An episode with ``extended=full``: how long it runs and when it first aired."""

    season: int
    number: int
    title: str | None = None
    ids: Ids = Field(default_factory=Ids)
    runtime: Minutes | None = None
    first_aired: TraktTime | None = None


class CatalogSeason(TraktModel):
    """``GET /shows/{id}/seasons?extended=full,episodes``: one season and its episodes."""

    number: int
    ids: Ids = Field(default_factory=Ids)
    first_aired: TraktTime | None = None
    episodes: list[CatalogEpisode] = Field(default_factory=list)


class CatalogShow(Titled):
    """``GET /shows/{id}?extended=full``: the show's runtime, for episodes without their own."""

    runtime: Minutes | None = None
    first_aired: TraktTime | None = None


class CatalogMovie(Titled):
    """``GET /movies/{id}?extended=full``: the movie's runtime and release date."""

    runtime: Minutes | None = None
    released: date | None = None


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
    ids: list[TraktId] = Field(default_factory=list)
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
    trakt_id: TraktId
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
