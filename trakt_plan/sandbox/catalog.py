"""The emulated Trakt catalog: shows with their seasons and episodes, movies, and their JSON.

Episodes are not stored one by one. A show records how many episodes each season has,
and an episode's ids follow from its position (``trakt-api.md`` puts no rule on real
ids, so the emulator picks one that is easy to reason about in tests):

* episode trakt id = show trakt id * 100000 + season * 100 + number (S03E16 of show
  1394 is 139400316);
* season trakt id = show trakt id * 1000 + season.

This keeps a catalog of tens of thousands of episodes small on disk and quick to build.
The catalog never changes once a state is loaded, so it needs no lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from trakt_plan.timefmt import format_trakt_time, parse_trakt_time

EPISODE_ID_FACTOR = 100_000
SEASON_ID_FACTOR = 1_000
# External ids of episodes and seasons are derived from the trakt id with offsets that
# keep them unique per type and easy to map back.
EPISODE_TVDB_OFFSET = 5_000_000_000
EPISODE_TMDB_OFFSET = 2_000_000_000
SEASON_TVDB_OFFSET = 600_000_000
SEASON_TMDB_OFFSET = 300_000_000
# A fixed "last updated" keeps full objects byte-identical from run to run.
CATALOG_UPDATED_AT = "2025-01-01T00:00:00.000Z"

ID_TYPES = ("trakt", "imdb", "tmdb", "tvdb")
_SEASON_KEYED = ("seasons", "premieres", "runtimes")
_T = TypeVar("_T")


@dataclass
class ShowRecord:
    """One show of the catalog, with what ``?extended=full`` reveals about it."""

    trakt: int
    slug: str
    title: str
    year: int | None
    imdb: str | None
    tvdb: int | None
    tmdb: int | None
    # Season number -> number of episodes; season 0 holds the specials.
    seasons: dict[int, int]
    first_aired: str
    network: str = ""
    runtime: int = 45
    status: str = "ended"
    overview: str = ""
    genres: list[str] = field(default_factory=list)
    certification: str | None = "TV-14"
    country: str = "us"
    airs_day: str = "Sunday"
    airs_time: str = "21:00"
    airs_timezone: str = "America/New_York"
    rating: float = 8.0
    votes: int = 1000
    language: str = "en"
    # Season number -> the local date (airs_timezone) of its first episode; the others
    # follow a week apart at airs_time. Seasons not listed get made-up dates.
    premieres: dict[int, str] = field(default_factory=dict)
    # Season number -> each episode's runtime in minutes (None: unknown, the show's applies).
    runtimes: dict[int, list[int | None]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in _SEASON_KEYED:
            data[key] = {str(number): value for number, value in data[key].items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShowRecord:
        values = dict(data)
        for key in _SEASON_KEYED:
            values[key] = {int(number): value for number, value in data.get(key, {}).items()}
        return cls(**values)

    @property
    def aired_episodes(self) -> int:
        return sum(count for number, count in self.seasons.items() if number > 0)


@dataclass
class MovieRecord:
    """One movie of the catalog."""

    trakt: int
    slug: str
    title: str
    year: int | None
    imdb: str | None
    tmdb: int | None
    released: str  # YYYY-MM-DD
    runtime: int = 110
    overview: str = ""
    tagline: str = ""
    genres: list[str] = field(default_factory=list)
    certification: str | None = "PG-13"
    rating: float = 7.5
    votes: int = 1000
    language: str = "en"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MovieRecord:
        return cls(**data)


@dataclass(frozen=True)
class EpisodeRef:
    """An episode, located by its show and position."""

    show: ShowRecord
    season: int
    number: int

    @property
    def trakt(self) -> int:
        return self.show.trakt * EPISODE_ID_FACTOR + self.season * 100 + self.number

    @property
    def title(self) -> str:
        return f"Episode {self.number}"

    @property
    def first_aired(self) -> str:
        """The season's premiere plus a week per episode, at the show's local air time.

        Without a listed premiere, a plausible date: seasons a year apart, episodes a week
        apart from the show's first air date.
        """
        show = self.show
        premiere = show.premieres.get(self.season)
        if premiere is not None:
            day = date.fromisoformat(premiere) + timedelta(weeks=self.number - 1)
            hour, minute = (int(part) for part in show.airs_time.split(":"))
            local = datetime(day.year, day.month, day.day, hour, minute)
            return format_trakt_time(local.replace(tzinfo=ZoneInfo(show.airs_timezone)))
        pilot = parse_trakt_time(show.first_aired)
        if self.season == 0:
            aired = pilot + timedelta(days=30 + 7 * (self.number - 1))
        else:
            aired = pilot + timedelta(days=364 * (self.season - 1) + 7 * (self.number - 1))
        return format_trakt_time(aired)

    @property
    def runtime(self) -> int | None:
        """Minutes, as listed for the episode (None when the catalogue does not know)."""
        listed = self.show.runtimes.get(self.season)
        if listed is None:
            return self.show.runtime
        return listed[self.number - 1] if self.number <= len(listed) else None


@dataclass(frozen=True)
class SeasonRef:
    show: ShowRecord
    number: int

    @property
    def trakt(self) -> int:
        return self.show.trakt * SEASON_ID_FACTOR + self.number


_R = TypeVar("_R", ShowRecord, MovieRecord)


class _Index(Generic[_R]):
    """One kind of record by trakt id (``records``) and by ``type:value`` for its other ids."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self.records: dict[int, _R] = {}
        self._keys: dict[str, _R] = {}

    def add(self, record: _R) -> None:
        if record.trakt in self.records:
            raise ValueError(f"duplicate {self.noun} trakt id {record.trakt}")
        self.records[record.trakt] = record
        self._keys[f"slug:{record.slug}"] = record
        for id_type in ("imdb", "tvdb", "tmdb"):
            # Movies have no tvdb id; an empty imdb id is no id.
            value = getattr(record, id_type, None)
            if value is not None and value != "":
                self._keys[f"{id_type}:{value}"] = record

    def get(self, id_type: str, value: Any) -> _R | None:
        """The record whose ``id_type`` id (trakt, slug, imdb, tvdb or tmdb) is ``value``."""
        if id_type == "trakt":
            return self.records.get(_as_int(value))
        return self._keys.get(f"{id_type}:{value}")

    def find(self, ref: str | int) -> _R | None:
        """By trakt id, slug or IMDB id (what ``GET /shows/{id}`` and ``/movies/{id}`` accept)."""
        text = str(ref).strip()
        if text.isdigit():
            return self.records.get(int(text))
        return self.get("imdb" if text.startswith("tt") else "slug", text)


class Catalog:
    """Shows and movies with every index the API routes look them up by."""

    def __init__(self, shows: list[ShowRecord], movies: list[MovieRecord]) -> None:
        self._shows: _Index[ShowRecord] = _Index("show")
        self._movies: _Index[MovieRecord] = _Index("movie")
        self.shows = self._shows.records
        self.movies = self._movies.records
        for show in shows:
            self.add_show(show)
        for movie in movies:
            self.add_movie(movie)

    # -- building ---------------------------------------------------------------------

    def add_show(self, show: ShowRecord) -> None:
        if any(number > 999 or count > 99 for number, count in show.seasons.items()):
            raise ValueError(f"show {show.trakt}: seasons must be < 1000 and hold < 100 episodes")
        self._shows.add(show)

    def add_movie(self, movie: MovieRecord) -> None:
        self._movies.add(movie)

    def to_json(self) -> dict[str, Any]:
        return {
            "shows": [show.to_json() for show in self.shows.values()],
            "movies": [movie.to_json() for movie in self.movies.values()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        return cls(
            [ShowRecord.from_json(item) for item in data["shows"]],
            [MovieRecord.from_json(item) for item in data["movies"]],
        )

    # -- lookups ----------------------------------------------------------------------

    def find_show(self, ref: str | int) -> ShowRecord | None:
        """A show by trakt id, slug or IMDB id (what ``GET /shows/{id}`` accepts)."""
        return self._shows.find(ref)

    def find_movie(self, ref: str | int) -> MovieRecord | None:
        """A movie by trakt id, slug or IMDB id."""
        return self._movies.find(ref)

    def episode(self, trakt_id: int) -> EpisodeRef | None:
        show = self.shows.get(trakt_id // EPISODE_ID_FACTOR)
        if show is None:
            return None
        rest = trakt_id % EPISODE_ID_FACTOR
        return self.episode_at(show, rest // 100, rest % 100)

    def episode_at(self, show: ShowRecord, season: int, number: int) -> EpisodeRef | None:
        count = show.seasons.get(season)
        if count is None or not 1 <= number <= count:
            return None
        return EpisodeRef(show, season, number)

    def season(self, trakt_id: int) -> SeasonRef | None:
        show = self.shows.get(trakt_id // SEASON_ID_FACTOR)
        number = trakt_id % SEASON_ID_FACTOR
        if show is None or number not in show.seasons:
            return None
        return SeasonRef(show, number)

    def episodes_of(self, show: ShowRecord, season: int | None = None) -> list[EpisodeRef]:
        """Every episode of a show (specials excluded) or of one season, in order."""
        numbers = [season] if season is not None else sorted(n for n in show.seasons if n > 0)
        return [
            EpisodeRef(show, number, episode)
            for number in numbers
            for episode in range(1, show.seasons.get(number, 0) + 1)
        ]

    def all_episodes(self) -> list[EpisodeRef]:
        return [
            EpisodeRef(show, number, episode)
            for show in self.shows.values()
            for number in sorted(show.seasons)
            for episode in range(1, show.seasons[number] + 1)
        ]

    def resolve_ids(self, kind: str, ids: dict[str, Any]) -> ShowRecord | MovieRecord | None:
        """A movie or show named by an ``ids`` object of a sync request."""
        for key in ("trakt", "slug", "imdb", "tmdb", "tvdb"):
            value = ids.get(key)
            if value is None or value == "":
                continue
            index: _Index[ShowRecord] | _Index[MovieRecord]
            index = self._movies if kind == "movie" else self._shows
            found = index.get(key, value)
            if found is not None:
                return found
        return None

    def resolve_episode_ids(self, ids: dict[str, Any]) -> EpisodeRef | None:
        """An episode named by an ``ids`` object (trakt, tvdb or tmdb)."""
        return _by_offset_ids(ids, (EPISODE_TVDB_OFFSET, EPISODE_TMDB_OFFSET), self.episode)

    def resolve_season_ids(self, ids: dict[str, Any]) -> SeasonRef | None:
        return _by_offset_ids(ids, (SEASON_TVDB_OFFSET, SEASON_TMDB_OFFSET), self.season)

    def lookup(
        self, id_type: str, value: str, media_type: str | None
    ) -> list[tuple[str, ShowRecord | MovieRecord | EpisodeRef]]:
        """``GET /search/{id_type}/{id}``: everything that carries that external id."""
        hits: list[tuple[str, ShowRecord | MovieRecord | EpisodeRef]] = []
        wanted = {media_type} if media_type else {"movie", "show", "episode"}
        number = _as_int(value)
        if "movie" in wanted and id_type != "tvdb":
            movie = self._movies.get(id_type, value)
            if movie is not None:
                hits.append(("movie", movie))
        if "show" in wanted:
            show = self._shows.get(id_type, value)
            if show is not None:
                hits.append(("show", show))
        if "episode" in wanted and id_type != "imdb":
            offset = {"trakt": 0, "tvdb": EPISODE_TVDB_OFFSET, "tmdb": EPISODE_TMDB_OFFSET}[id_type]
            episode = self.episode(number - offset) if number > offset else None
            if episode is not None:
                hits.append(("episode", episode))
        return hits

    # -- JSON shapes (trakt-api.md 3.4 and the recorded bodies) ----------------------

    def show_json(self, show: ShowRecord, *, full: bool = False) -> dict[str, Any]:
        return _record_json(show, _SHOW_IDS, _SHOW_FULL if full else ())

    def movie_json(self, movie: MovieRecord, *, full: bool = False) -> dict[str, Any]:
        return _record_json(movie, _MOVIE_IDS, _MOVIE_FULL if full else ())

    def episode_json(self, episode: EpisodeRef, *, full: bool = False) -> dict[str, Any]:
        trakt = episode.trakt
        data: dict[str, Any] = {
            "season": episode.season,
            "number": episode.number,
            "title": episode.title,
            "ids": {
                "trakt": trakt,
                "tvdb": trakt + EPISODE_TVDB_OFFSET,
                "imdb": None,
                "tmdb": trakt + EPISODE_TMDB_OFFSET,
                "tvrage": None,
            },
        }
        if full:
            data.update(
                number_abs=None,
                overview=f"{episode.show.title}, {episode.title} of season {episode.season}.",
                rating=episode.show.rating,
                votes=episode.show.votes // 10,
                comment_count=0,
                first_aired=episode.first_aired,
                updated_at=CATALOG_UPDATED_AT,
                available_translations=[episode.show.language],
                runtime=episode.runtime,
                episode_type="standard",
            )
        return data

    def season_json(self, season: SeasonRef, *, full: bool = False) -> dict[str, Any]:
        trakt = season.trakt
        data: dict[str, Any] = {
            "number": season.number,
            "ids": {
                "trakt": trakt,
                "tvdb": trakt + SEASON_TVDB_OFFSET,
                "tmdb": trakt + SEASON_TMDB_OFFSET,
            },
        }
        if full:
            show = season.show
            episodes = self.episodes_of(show, season.number)
            data.update(
                rating=show.rating,
                votes=show.votes // 5,
                episode_count=len(episodes),
                aired_episodes=len(episodes),
                title="Specials" if season.number == 0 else f"Season {season.number}",
                overview=None,
                first_aired=episodes[0].first_aired if episodes else None,
                updated_at=CATALOG_UPDATED_AT,
                network=show.network,
            )
        return data

    def released_at(self, kind: str, media_id: int) -> str | None:
        """What ``"watched_at": "released"`` means for this item (None if unknown)."""
        if kind == "episode":
            episode = self.episode(media_id)
            return episode.first_aired if episode is not None else None
        movie = self.movies.get(media_id)
        if movie is None:
            return None
        day = date.fromisoformat(movie.released)
        return format_trakt_time(datetime(day.year, day.month, day.day, tzinfo=UTC))


# The keys of a show's and a movie's JSON, in Trakt's order: the ids, and what
# ``?extended=full`` adds. Each is the record's attribute of that name, unless _DERIVED has it.
_SHOW_IDS = ("trakt", "slug", "tvdb", "imdb", "tmdb", "tvrage")
_MOVIE_IDS = ("trakt", "slug", "imdb", "tmdb")
# What Trakt's full show and movie objects both carry, in that order.
_RATED = ("rating", "votes", "updated_at", "language", "available_translations", "genres")
_SHOW_FULL = (
    "overview",
    "first_aired",
    "airs",
    "runtime",
    "certification",
    "network",
    "country",
    "trailer",
    "homepage",
    "status",
    *_RATED,
    "aired_episodes",
)
_MOVIE_FULL = (
    "tagline",
    "overview",
    "released",
    "runtime",
    "trailer",
    "homepage",
    *_RATED,
    "certification",
)
# Keys no record stores: the same for every item, or worked out from the record.
_DERIVED: dict[str, Callable[[Any], Any]] = {
    "tvrage": lambda record: None,
    "trailer": lambda record: None,
    "homepage": lambda record: None,
    "updated_at": lambda record: CATALOG_UPDATED_AT,
    "available_translations": lambda record: [record.language],
    "genres": lambda record: list(record.genres),
    "airs": lambda show: {
        "day": show.airs_day,
        "time": show.airs_time,
        "timezone": show.airs_timezone,
    },
}


def _record_json(
    record: ShowRecord | MovieRecord, ids: tuple[str, ...], full: tuple[str, ...]
) -> dict[str, Any]:
    """A show's or movie's JSON: title, year and ``ids``, then the ``full`` keys."""
    data: dict[str, Any] = {"title": record.title, "year": record.year}
    data["ids"] = _fields(record, ids)
    data.update(_fields(record, full))
    return data


def _fields(record: ShowRecord | MovieRecord, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: _DERIVED[key](record) if key in _DERIVED else getattr(record, key) for key in keys}


def _by_offset_ids(
    ids: dict[str, Any], offsets: tuple[int, int], find: Callable[[int], _T | None]
) -> _T | None:
    """What ``find`` knows by the trakt id, or the tvdb/tmdb id (trakt id + its offset)."""
    tvdb, tmdb = offsets
    for key, offset in (("trakt", 0), ("tvdb", tvdb), ("tmdb", tmdb)):
        value = _as_int(ids.get(key))
        if value > offset:
            found = find(value - offset)
            if found is not None:
                return found
    return None


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return -1


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """Trakt-like slug: lower case, runs of other characters become one dash."""
    return _SLUG_DROP.sub("-", title.lower()).strip("-")
