"""Read runtimes and air dates: from the disk cache, else from Trakt, a few at once.

Runtime- and release-based checks need, for the shows and movies they look at, each
episode's runtime and first air time (one seasons read per show, ``extended=full``), the
show's runtime when an episode has none, and each movie's runtime and release date.
:class:`PendingCatalogue` reads only what the cache lacks (everything with ``refresh``),
beside other reads on the same pool, saves what it read, and hands back
:class:`CatalogueReads`, whose :meth:`~CatalogueReads.catalogue` is the planner's value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol, TypeVar

from trakt_plan.catalogcache import CatalogueCache, EpisodeEntry, MovieEntry, ShowEntry
from trakt_plan.catalogue import Catalogue, EpisodeFacts, MovieFacts
from trakt_plan.errors import ApiError, NetworkError
from trakt_plan.trakt.models import CatalogMovie, CatalogSeason, CatalogShow, HistoryItem

__all__ = [
    "CatalogueClient",
    "CatalogueNeeds",
    "CatalogueReads",
    "PendingCatalogue",
    "read_facts",
    "season_ends",
]

# Shows read at once beside the history's own paging (which the client bounds itself).
_WORKERS = 4
_E = TypeVar("_E", ShowEntry, MovieEntry)


class CatalogueClient(Protocol):
    """The catalogue reads of ``TraktClient`` (tests pass small fakes)."""

    def show_seasons(self, ref: str | int) -> list[CatalogSeason]: ...

    def show_details(self, ref: str | int) -> CatalogShow: ...

    def movie_details(self, ref: str | int) -> CatalogMovie: ...


def _show_entry(client: CatalogueClient, show_id: int) -> ShowEntry:
    """A show's episodes with their code, runtime and first air time, and the show's own
    runtime when an episode lacks one (a second read, skipped when none does)."""
    episodes = {
        episode.ids.trakt: EpisodeEntry(
            episode.season,
            episode.number,
            episode.runtime,
            episode.first_aired.isoformat() if episode.first_aired else None,
        )
        for season in client.show_seasons(show_id)
        for episode in season.episodes
        if episode.ids.trakt is not None
    }
    complete = all(entry.runtime for entry in episodes.values())
    runtime = None if complete else client.show_details(show_id).runtime
    return ShowEntry(runtime, episodes)


def _movie_entry(client: CatalogueClient, movie_id: int) -> MovieEntry:
    details = client.movie_details(movie_id)
    released = details.released.isoformat() if details.released else None
    return MovieEntry(details.runtime, released)


@dataclass(frozen=True)
class CatalogueNeeds:
    """The shows and movies whose facts a plan needs, by Trakt id."""

    shows: frozenset[int] = frozenset()
    movies: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.shows or self.movies)

    @classmethod
    def of_history(cls, history: Iterable[HistoryItem], kinds: Collection[str]) -> CatalogueNeeds:
        """The shows (for ``all``/``episodes``) and movies (``all``/``movies``) played."""
        want_shows = bool({"all", "episodes"} & set(kinds))
        want_movies = bool({"all", "movies"} & set(kinds))
        shows: set[int] = set()
        movies: set[int] = set()
        for item in history:
            if want_shows and item.show is not None and item.show.ids.trakt is not None:
                shows.add(item.show.ids.trakt)
            elif want_movies and item.movie is not None and item.movie.ids.trakt is not None:
                movies.add(item.movie.ids.trakt)
        return cls(frozenset(shows), frozenset(movies))


@dataclass(frozen=True)
class CatalogueReads:
    """What one run read: the cached entries by Trakt id, and how many came from Trakt.

    The entries keep what the cache keeps (episode codes too, for "next up");
    :meth:`catalogue` turns them into the value the planner and the detector read.
    """

    shows: dict[int, ShowEntry]
    movies: dict[int, MovieEntry]
    fetched: int = 0

    def catalogue(self) -> Catalogue:
        """The facts as the planner's :class:`Catalogue` (runtimes in minutes, aware UTC)."""
        episodes = {
            episode_id: EpisodeFacts(entry.runtime, _aired(entry.first_aired))
            for show in self.shows.values()
            for episode_id, entry in show.episodes.items()
        }
        movies = {
            movie_id: MovieFacts(
                entry.runtime, date.fromisoformat(entry.released) if entry.released else None
            )
            for movie_id, entry in self.movies.items()
        }
        shows = {show_id: entry.runtime for show_id, entry in self.shows.items()}
        return Catalogue(episodes=episodes, shows=shows, movies=movies)


def _aired(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


class PendingCatalogue:
    """Catalogue reads started on a pool; :meth:`collect` waits for them once plays are in."""

    def __init__(
        self,
        client: CatalogueClient,
        cache: CatalogueCache,
        pool: Executor,
        *,
        refresh: bool = False,
    ) -> None:
        self.client, self.cache, self.pool, self.refresh = client, cache, pool, refresh
        self.shows: dict[int, ShowEntry] = {}
        self.movies: dict[int, MovieEntry] = {}
        self.show_reads: dict[int, Future[ShowEntry]] = {}
        self.movie_reads: dict[int, Future[MovieEntry]] = {}

    def start(self, needs: CatalogueNeeds) -> None:
        """Take what the cache has; submit reads for the rest."""
        self._start(needs.shows, self.shows, self.show_reads, self.cache.show, _show_entry)
        self._start(needs.movies, self.movies, self.movie_reads, self.cache.movie, _movie_entry)

    def _start(
        self,
        ids: frozenset[int],
        known: dict[int, _E],
        reads: dict[int, Future[_E]],
        cached: Callable[[int], _E | None],
        read: Callable[[CatalogueClient, int], _E],
    ) -> None:
        """One kind (shows or movies): ``known`` takes the cached ones, ``reads`` the rest."""
        for trakt_id in sorted(ids - known.keys()):
            found = None if self.refresh else cached(trakt_id)
            if found is not None:
                known[trakt_id] = found
            elif trakt_id not in reads:
                reads[trakt_id] = self.pool.submit(read, self.client, trakt_id)

    def collect(self, history: Sequence[HistoryItem], kinds: Collection[str]) -> CatalogueReads:
        """Every fact the plan needs: the history's own shows and movies for ``kinds``, and
        the shows whose cached facts lack an episode played since (read again)."""
        self.start(CatalogueNeeds.of_history(history, kinds))
        for show_id, episode_ids in _played(history).items():
            cached = self.shows.get(show_id)
            if cached is not None and any(e not in cached.episodes for e in episode_ids):
                del self.shows[show_id]
                self.show_reads[show_id] = self.pool.submit(_show_entry, self.client, show_id)
        for show_id, show in self.show_reads.items():
            self.shows[show_id] = show.result()
            self.cache.save_show(show_id, self.shows[show_id])
        for movie_id, movie in self.movie_reads.items():
            self.movies[movie_id] = movie.result()
            self.cache.save_movie(movie_id, self.movies[movie_id])
        fetched = len(self.show_reads) + len(self.movie_reads)
        self.show_reads, self.movie_reads = {}, {}
        return CatalogueReads(self.shows, self.movies, fetched)


def _played(history: Sequence[HistoryItem]) -> dict[int, set[int]]:
    played: dict[int, set[int]] = {}
    for item in history:
        show_id = item.show.ids.trakt if item.show is not None else None
        episode_id = item.episode.ids.trakt if item.episode is not None else None
        if show_id is not None and episode_id is not None:
            played.setdefault(show_id, set()).add(episode_id)
    return played


def season_ends(
    show_ids: Iterable[int],
    history: Sequence[HistoryItem],
    *,
    reads: CatalogueReads | None,
    opener: Callable[[], CatalogueClient] | None,
    refresh: bool = False,
    cache: CatalogueCache | None = None,
) -> dict[int, dict[int, int]]:
    """Per show, per season: the number of its last episode (for "next up").

    From this run's catalogue reads, else the disk cache (unless ``refresh``) when it holds
    every episode ``history`` played of the show, else one seasons read per show through
    ``opener``, saved to the cache; a cached show that lacks a played episode is used only
    when it cannot be read again. Shows none of these can give (no ``opener``: a snapshot
    without a Trakt app; or Trakt not answering) are left out, so their next episode is
    said to be unknown rather than guessed.
    """
    cache = cache or CatalogueCache()
    wanted = frozenset(show_ids)
    played = _played(history)
    entries: dict[int, ShowEntry] = {}
    stale: dict[int, ShowEntry] = {}
    for show_id in sorted(wanted):
        entry = reads.shows.get(show_id) if reads is not None else None
        cached = None if entry is not None or refresh else cache.show(show_id)
        if entry is not None:
            entries[show_id] = entry
        elif cached is not None and played.get(show_id, set()) <= cached.episodes.keys():
            entries[show_id] = cached
        elif cached is not None:
            # Missing an episode played since: out of date, so read again if Trakt answers.
            stale[show_id] = cached
    missing = wanted - entries.keys()
    if missing and opener is not None:
        entries.update(_read_shows(missing, opener, cache))
    entries = {**stale, **entries}
    return {show_id: _last_numbers(entry) for show_id, entry in sorted(entries.items())}


def _read_shows(
    show_ids: frozenset[int], opener: Callable[[], CatalogueClient], cache: CatalogueCache
) -> dict[int, ShowEntry]:
    """The shows read from Trakt and cached; none when a read fails ("next up" is cosmetic:
    a plan is not refused for it)."""
    try:
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            # refresh: the cache was consulted already, and lacked these or was out of date.
            pending = PendingCatalogue(opener(), cache, pool, refresh=True)
            pending.start(CatalogueNeeds(shows=show_ids))
            return pending.collect((), ()).shows
    except (ApiError, NetworkError):
        return {}


def _last_numbers(entry: ShowEntry) -> dict[int, int]:
    seasons: dict[int, int] = {}
    for episode in entry.episodes.values():
        seasons[episode.season] = max(seasons.get(episode.season, 0), episode.number)
    return seasons


def read_facts(
    needs: CatalogueNeeds,
    history: Sequence[HistoryItem],
    *,
    opener: Callable[[], CatalogueClient] | None,
    refresh: bool = False,
    cache: CatalogueCache | None = None,
) -> tuple[CatalogueReads, CatalogueNeeds]:
    """The facts of ``needs`` from the cache, the rest from a client ``opener`` opens.

    Returns the facts and what could not be had (everything the cache lacks when there is
    no ``opener``: no Trakt API app to read it with).
    """
    cache = cache or CatalogueCache()
    shows = {} if refresh else _cached(needs.shows, cache.show)
    movies = {} if refresh else _cached(needs.movies, cache.movie)
    missing = CatalogueNeeds(needs.shows - set(shows), needs.movies - set(movies))
    if not missing or opener is None:
        return CatalogueReads(shows, movies, 0), missing
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pending = PendingCatalogue(opener(), cache, pool, refresh=refresh)
        pending.start(missing)
        reads = pending.collect(history, ())
    both = CatalogueReads({**shows, **reads.shows}, {**movies, **reads.movies}, reads.fetched)
    return both, CatalogueNeeds()


def _cached(ids: Iterable[int], read: Callable[[int], _E | None]) -> dict[int, _E]:
    found = {trakt_id: read(trakt_id) for trakt_id in ids}
    return {trakt_id: entry for trakt_id, entry in found.items() if entry is not None}
