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
from typing import Any, TypeVar
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


class Catalog:
    """Shows and movies with every index the API routes look them up by."""

    def __init__(self, shows: list[ShowRecord], movies: list[MovieRecord]) -> None:
        self.shows: dict[int, ShowRecord] = {}
        self.movies: dict[int, MovieRecord] = {}
        self._show_keys: dict[str, ShowRecord] = {}
        self._movie_keys: dict[str, MovieRecord] = {}
        for show in shows:
            self.add_show(show)
        for movie in movies:
            self.add_movie(movie)

    # -- building ---------------------------------------------------------------------

    def add_show(self, show: ShowRecord) -> None:
        if show.trakt in self.shows:
            raise ValueError(f"duplicate show trakt id {show.trakt}")
        if any(number > 999 or count > 99 for number, count in show.seasons.items()):
            raise ValueError(f"show {show.trakt}: seasons must be < 1000 and hold < 100 episodes")
        self.shows[show.trakt] = show
        self._show_keys[f"slug:{show.slug}"] = show
        if show.imdb:
            self._show_keys[f"imdb:{show.imdb}"] = show
        if show.tvdb is not None:
            self._show_keys[f"tvdb:{show.tvdb}"] = show
        if show.tmdb is not None:
            self._show_keys[f"tmdb:{show.tmdb}"] = show

    def add_movie(self, movie: MovieRecord) -> None:
        if movie.trakt in self.movies:
            raise ValueError(f"duplicate movie trakt id {movie.trakt}")
        self.movies[movie.trakt] = movie
        self._movie_keys[f"slug:{movie.slug}"] = movie
        if movie.imdb:
            self._movie_keys[f"imdb:{movie.imdb}"] = movie
        if movie.tmdb is not None:
            self._movie_keys[f"tmdb:{movie.tmdb}"] = movie

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
        text = str(ref).strip()
        if text.isdigit():
            return self.shows.get(int(text))
        if text.startswith("tt"):
            return self._show_keys.get(f"imdb:{text}")
        return self._show_keys.get(f"slug:{text}")

    def find_movie(self, ref: str | int) -> MovieRecord | None:
        """A movie by trakt id, slug or IMDB id."""
        text = str(ref).strip()
        if text.isdigit():
            return self.movies.get(int(text))
        if text.startswith("tt"):
            return self._movie_keys.get(f"imdb:{text}")
        return self._movie_keys.get(f"slug:{text}")

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
            found: ShowRecord | MovieRecord | None
            if kind == "movie":
                if key == "trakt":
                    found = self.movies.get(_as_int(value))
                else:
                    found = self._movie_keys.get(f"{key}:{value}")
            elif key == "trakt":
                found = self.shows.get(_as_int(value))
            else:
                found = self._show_keys.get(f"{key}:{value}")
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
            movie = (
                self.movies.get(number)
                if id_type == "trakt"
                else self._movie_keys.get(f"{id_type}:{value}")
            )
            if movie is not None:
                hits.append(("movie", movie))
        if "show" in wanted:
            show = (
                self.shows.get(number)
                if id_type == "trakt"
                else self._show_keys.get(f"{id_type}:{value}")
            )
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
        data: dict[str, Any] = {
            "title": show.title,
            "year": show.year,
            "ids": {
                "trakt": show.trakt,
                "slug": show.slug,
                "tvdb": show.tvdb,
                "imdb": show.imdb,
                "tmdb": show.tmdb,
                "tvrage": None,
            },
        }
        if full:
            data.update(
                overview=show.overview,
                first_aired=show.first_aired,
                airs={"day": show.airs_day, "time": show.airs_time, "timezone": show.airs_timezone},
                runtime=show.runtime,
                certification=show.certification,
                network=show.network,
                country=show.country,
                trailer=None,
                homepage=None,
                status=show.status,
                rating=show.rating,
                votes=show.votes,
                updated_at=CATALOG_UPDATED_AT,
                language=show.language,
                available_translations=[show.language],
                genres=list(show.genres),
                aired_episodes=show.aired_episodes,
            )
        return data

    def movie_json(self, movie: MovieRecord, *, full: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": movie.title,
            "year": movie.year,
            "ids": {
                "trakt": movie.trakt,
                "slug": movie.slug,
                "imdb": movie.imdb,
                "tmdb": movie.tmdb,
            },
        }
        if full:
            data.update(
                tagline=movie.tagline,
                overview=movie.overview,
                released=movie.released,
                runtime=movie.runtime,
                trailer=None,
                homepage=None,
                rating=movie.rating,
                votes=movie.votes,
                updated_at=CATALOG_UPDATED_AT,
                language=movie.language,
                available_translations=[movie.language],
                genres=list(movie.genres),
                certification=movie.certification,
            )
        return data

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
