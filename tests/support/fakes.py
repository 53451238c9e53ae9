"""One Trakt account in memory, behind every client protocol the core calls through.

The way pip-tools tests ``sync`` against a ``FakeRepository``: no socket and no thread. The
account has a history, a catalogue (the shows and movies of :mod:`tests.support.catalog`
and whatever its plays name, with the runtimes and air dates a test gives them) and a search
over that catalogue. Every read is recorded in ``calls``, every write in ``removes`` or
``adds``, and faults are injected per write (``on_remove`` / ``on_add`` hooks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from tests.support.catalog import MOVIES, SHOWS
from tests.support.hooks import AddHook, RemoveHook
from trakt_plan.apply.protocols import ApplyClient, UndoClient
from trakt_plan.catalogplan import PlanFetchClient
from trakt_plan.errors import NotFound as Missing
from trakt_plan.planfile import SavedPlan, make_saved_plan
from trakt_plan.planner import build_plan
from trakt_plan.resolve import ResolveClient
from trakt_plan.spec.load import load_spec_text
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.client import ClientStats
from trakt_plan.trakt.models import (
    Account,
    AddResult,
    CatalogEpisode,
    CatalogMovie,
    CatalogSeason,
    CatalogShow,
    Counts,
    Episode,
    HistoryItem,
    LastActivities,
    Movie,
    NotFound,
    PlayToAdd,
    RemoveResult,
    SearchResult,
    Show,
    User,
    UserSettings,
    WatchedActivity,
)

USERNAME = "fake-user"
API_BASE = "fake:"
_Media = TypeVar("_Media", Show, Movie)


class FakeTrakt:
    """One account: answers like Trakt, records every read and every write."""

    def __init__(
        self, plays: Iterable[HistoryItem] = (), *, timezone: str = "UTC", has_exact: bool = True
    ) -> None:
        self.shows: list[Show] = list(SHOWS)
        self.movies: list[Movie] = list(MOVIES)
        # The catalogue's episodes by trakt id, each with its show (a play or a test adds them).
        self.episodes: dict[int, tuple[Show, CatalogEpisode]] = {}
        # The runtimes and release dates `extended=full` reads give, by show or movie trakt id.
        self.show_facts: dict[int, CatalogShow] = {}
        self.movie_facts: dict[int, CatalogMovie] = {}
        self.plays: dict[int, HistoryItem] = {}
        for play in plays:
            self.plays[play.id] = play
            self._learn(play)
        self.timezone = timezone
        self.has_exact = has_exact
        self.next_id = max(self.plays, default=0) + 1_000
        self.changed = datetime(2026, 1, 1, tzinfo=UTC)
        self.calls: list[tuple[Any, ...]] = []
        self.removes: list[tuple[int, ...]] = []
        self.adds: list[list[PlayToAdd]] = []
        # Counted like TraktClient.stats: one POST per write call (a hook may add retries).
        self.stats = ClientStats()
        self.on_remove: RemoveHook | None = None
        self.on_add: AddHook | None = None

    # ------------------------------------------------------------------ the account

    def user_settings(self) -> UserSettings:
        self.calls.append(("user_settings",))
        return UserSettings(user=User(username=USERNAME), account=Account(timezone=self.timezone))

    def last_activities(self) -> LastActivities:
        self.calls.append(("last_activities",))
        mark = WatchedActivity(watched_at=self.changed)
        return LastActivities(episodes=mark, movies=mark)

    def history(
        self,
        *,
        media_type: str | None = None,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[HistoryItem]:
        """``/sync/history[/TYPE[/ID]]``: both ends of the window inclusive, as on Trakt (the
        fetch layer must cut ``end_at`` off itself), newest first."""
        self.calls.append(("history", media_type, item_id, start_at, end_at))
        if on_page is not None:
            on_page(1, 1)
        found = [
            play
            for play in self.plays.values()
            if _of(play, media_type, item_id)
            and (start_at is None or play.watched_at >= start_at)
            and (end_at is None or play.watched_at <= end_at)
        ]
        return sorted(found, key=lambda p: (p.watched_at, p.id), reverse=True)

    def remove_history(self, ids: Sequence[int]) -> RemoveResult:
        self.removes.append(tuple(ids))
        self.stats.count_request("POST")
        if self.on_remove is not None:
            return self.on_remove(len(self.removes), ids, self.really_remove)
        return self.really_remove(ids)

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult:
        self.adds.append(list(plays))
        self.stats.count_request("POST")
        if self.on_add is not None:
            return self.on_add(len(self.adds), plays, self.really_add)
        return self.really_add(plays)

    # ------------------------------------------------------------------ the catalogue

    def show(self, ref: str | int) -> Show:
        self.calls.append(("show", ref))
        return _find(self.shows, "show", ref)

    def movie(self, ref: str | int) -> Movie:
        self.calls.append(("movie", ref))
        return _find(self.movies, "movie", ref)

    def show_seasons(self, ref: str | int) -> list[CatalogSeason]:
        self.calls.append(("show_seasons", ref))
        show_id = _find(self.shows, "show", ref).ids.trakt
        seasons: dict[int, list[CatalogEpisode]] = {}
        for show, episode in self.episodes.values():
            if show.ids.trakt == show_id:
                seasons.setdefault(episode.season, []).append(episode)
        return [
            CatalogSeason(number=number, episodes=sorted(episodes, key=lambda e: e.number))
            for number, episodes in sorted(seasons.items())
        ]

    def show_details(self, ref: str | int) -> CatalogShow:
        self.calls.append(("show_details", ref))
        show = _find(self.shows, "show", ref)
        return self.show_facts.get(
            show.ids.trakt or 0, CatalogShow.model_validate(show.model_dump())
        )

    def movie_details(self, ref: str | int) -> CatalogMovie:
        self.calls.append(("movie_details", ref))
        movie = _find(self.movies, "movie", ref)
        return self.movie_facts.get(
            movie.ids.trakt or 0, CatalogMovie.model_validate(movie.model_dump())
        )

    def search(
        self, query: str, types: Sequence[str] = ("show", "movie"), *, exact: bool = False
    ) -> list[SearchResult]:
        self.calls.append(("search", query, tuple(types), exact))
        if exact and not self.has_exact:
            raise Missing("no exact search here", status=404, endpoint="/search/show/exact")
        wanted = query.casefold()
        results = []
        for kind in types:
            for media in self.shows if kind == "show" else self.movies:
                title = (media.title or "").casefold()
                # The broad search finds titles sharing any word; the exact one whole titles.
                hit = title == wanted if exact else bool(set(title.split()) & set(wanted.split()))
                if hit:
                    results.append(SearchResult.model_validate({"type": kind, kind: media}))
        return results

    def lookup_id(
        self, id_type: str, value: str, media_type: str | None = None
    ) -> list[SearchResult]:
        self.calls.append(("lookup_id", id_type, value, media_type))
        return [
            SearchResult.model_validate({"type": kind, kind: media})
            for kind in ("show", "movie")
            if media_type in (None, kind)
            for media in (self.shows if kind == "show" else self.movies)
            if str(getattr(media.ids, id_type)) == value
        ]

    def air(self, show: Show, episode: CatalogEpisode) -> None:
        """Put ``episode`` of ``show`` in the catalogue (or replace it: new facts)."""
        if episode.ids.trakt is not None:
            self.episodes[episode.ids.trakt] = (show, episode)

    def _learn(self, play: HistoryItem) -> None:
        """Trakt knows every show, episode and movie a play names."""
        if play.show is not None and _known(self.shows, play.show) is None:
            self.shows.append(play.show)
        if play.movie is not None and _known(self.movies, play.movie) is None:
            self.movies.append(play.movie)
        episode = play.episode
        if play.show is not None and episode is not None and episode.ids.trakt not in self.episodes:
            self.air(play.show, CatalogEpisode.model_validate(episode.model_dump()))

    # ------------------------------------------------------------------ what a write does

    def really_remove(self, ids: Sequence[int]) -> RemoveResult:
        """Remove ``ids`` as Trakt does: the missing ones come back as ``not_found``."""
        gone = [i for i in ids if i not in self.plays]
        removed = [self.plays.pop(i) for i in ids if i in self.plays]
        self.touch()
        return RemoveResult(
            deleted=Counts(
                episodes=sum(p.type == "episode" for p in removed),
                movies=sum(p.type == "movie" for p in removed),
            ),
            not_found=NotFound(ids=gone),
        )

    def really_add(self, plays: Sequence[PlayToAdd]) -> AddResult:
        """Add a new play (new id, ``watch``) of every entry the catalogue knows."""
        episodes, movies = 0, 0
        unknown_episodes: list[dict[str, Any]] = []
        unknown_movies: list[dict[str, Any]] = []
        for play in plays:
            new = self._play_of(play)
            if new is None:
                missing = {"ids": {"trakt": play.trakt_id}}
                (unknown_episodes if play.type == "episode" else unknown_movies).append(missing)
                continue
            self.insert(new, watched_at=play.watched_at)
            episodes += play.type == "episode"
            movies += play.type == "movie"
        self.touch()
        return AddResult(
            added=Counts(episodes=episodes, movies=movies),
            not_found=NotFound(episodes=unknown_episodes, movies=unknown_movies),
        )

    def _play_of(self, play: PlayToAdd) -> HistoryItem | None:
        """A play of what ``play`` names (its id and action are set on insert), if known."""
        data: dict[str, Any] = {
            "id": 0,
            "watched_at": play.watched_at,
            "action": "watch",
            "type": play.type,
        }
        if play.type == "movie":
            movie = next((m for m in self.movies if m.ids.trakt == play.trakt_id), None)
            return None if movie is None else HistoryItem.model_validate({**data, "movie": movie})
        if play.trakt_id not in self.episodes:
            return None
        show, known = self.episodes[play.trakt_id]
        episode = Episode(season=known.season, number=known.number, ids=known.ids)
        return HistoryItem.model_validate({**data, "show": show, "episode": episode})

    def insert(self, template: HistoryItem, *, watched_at: datetime) -> int:
        """A new play of ``template``'s media at ``watched_at`` (another app, or an add)."""
        self.next_id += 1
        self.plays[self.next_id] = template.model_copy(
            update={"id": self.next_id, "watched_at": watched_at, "action": "watch"}
        )
        return self.next_id

    def touch(self) -> None:
        """The history changed: ``last_activities`` moves on."""
        self.changed += timedelta(seconds=1)

    # ------------------------------------------------------------------ looking at it

    def keys(self) -> dict[tuple[int, str], int]:
        """How many plays each (media, watched_at) has: what an exact undo restores."""
        counts: dict[tuple[int, str], int] = {}
        for play in self.plays.values():
            key = (play.media_trakt_id or 0, format_trakt_time(play.watched_at))
            counts[key] = counts.get(key, 0) + 1
        return counts


def _of(play: HistoryItem, media_type: str | None, item_id: int | None) -> bool:
    """Whether ``/sync/history/MEDIA_TYPE/ITEM_ID`` lists ``play`` (a show's lists its
    episodes' plays)."""
    if media_type is None:
        return True
    if play.type != ("movie" if media_type == "movies" else "episode"):
        return False
    media = {"shows": play.show, "episodes": play.episode, "movies": play.movie}[media_type]
    return item_id is None or (media is not None and media.ids.trakt == item_id)


def _known(catalog: Sequence[_Media], media: _Media) -> _Media | None:
    return next((known for known in catalog if known.ids.trakt == media.ids.trakt), None)


def _find(catalog: Sequence[_Media], noun: str, ref: str | int) -> _Media:
    """The show or movie whose trakt id, slug or IMDB id is ``ref``; else Trakt's 404."""
    text = str(ref)
    for media in catalog:
        if text in (str(media.ids.trakt), media.ids.slug, media.ids.imdb):
            return media
    raise Missing(f"Trakt has no {noun} {text!r}", status=404, endpoint=f"/{noun}s/{text}")


def plan_for(fake: FakeTrakt, yaml_text: str) -> SavedPlan:
    """What `trakt-plan plan` saves for ``yaml_text`` over the fake's history (no network)."""
    spec = load_spec_text(yaml_text, "plan.yaml")
    history = sorted(fake.plays.values(), key=lambda p: (p.watched_at, p.id), reverse=True)
    result = build_plan(spec, {}, history, timezone="UTC")
    now = parse_trakt_time("2026-01-02T00:00:00.000Z")
    return make_saved_plan(
        result,
        spec=spec,
        resolved={},
        source_path="plan.yaml",
        source_text=yaml_text,
        username=USERNAME,
        api_base=API_BASE,
        last_activities=fake.last_activities().history_marks(),
        fetched_at=now,
        created_at=now,
        history=history,
    )


class _TraktClient(ApplyClient, UndoClient, PlanFetchClient, ResolveClient, Protocol):
    """Every client protocol of the core at once."""


# The gate's mypy --strict reads tests/support: a protocol method the fake lacks, or answers
# with another signature, fails there, not as a puzzling test failure at run time.
SPEAKS_EVERY_PROTOCOL: type[_TraktClient] = FakeTrakt
