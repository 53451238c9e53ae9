"""In-memory stand-ins for Trakt: a catalog and a history behind ``TraktClient``'s reading half."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from trakt_plan.errors import NotFound
from trakt_plan.trakt.models import HistoryItem, Ids, Movie, SearchResult, Show

SHOWS = [
    Show(
        title="Marvel's Agents of S.H.I.E.L.D.",
        year=2013,
        ids=Ids(
            trakt=1394,
            slug="marvel-s-agents-of-s-h-i-e-l-d",
            imdb="tt2364582",
            tvdb=263365,
            tmdb=1403,
        ),
    ),
    Show(title="The Office", year=2005, ids=Ids(trakt=1402, slug="the-office", tvdb=73244)),
    Show(title="The Office", year=2001, ids=Ids(trakt=2279, slug="the-office-2001", tmdb=20526)),
    Show(title="Game of Thrones", year=2011, ids=Ids(trakt=1390, slug="game-of-thrones")),
    Show(title="Dexter", year=2006, ids=Ids(trakt=4242, slug="dexter-2006")),
]
MOVIES = [
    Movie(
        title="TRON: Legacy",
        year=2010,
        ids=Ids(trakt=12601, slug="tron-legacy-2010", imdb="tt1104001", tmdb=20526),
    ),
    Movie(title="Interstellar", year=2014, ids=Ids(trakt=102156, slug="interstellar-2014")),
    # Shares its trakt id with Game of Thrones: ids of shows and movies are separate spaces.
    Movie(title="Heat", year=1995, ids=Ids(trakt=1390, slug="heat-1995")),
]


class FakeTrakt:
    """The reading half of ``TraktClient`` over an in-memory catalog and history."""

    def __init__(self, history: Sequence[HistoryItem] = (), *, has_exact: bool = True) -> None:
        self.history_items = list(history)
        self.has_exact = has_exact
        self.calls: list[tuple[Any, ...]] = []

    def _find(self, catalog: Sequence[Show | Movie], noun: str, ref: str | int) -> Any:
        text = str(ref)
        for media in catalog:
            ids = media.ids
            if text in (str(ids.trakt), ids.slug, ids.imdb):
                return media
        raise NotFound(f"Trakt has no {noun} {text!r}", status=404, endpoint=f"/{noun}s/{text}")

    def show(self, ref: str | int) -> Show:
        self.calls.append(("show", ref))
        found: Show = self._find(SHOWS, "show", ref)
        return found

    def movie(self, ref: str | int) -> Movie:
        self.calls.append(("movie", ref))
        found: Movie = self._find(MOVIES, "movie", ref)
        return found

    def search(
        self, query: str, types: Sequence[str] = ("show", "movie"), *, exact: bool = False
    ) -> list[SearchResult]:
        self.calls.append(("search", query, tuple(types), exact))
        if exact and not self.has_exact:
            raise NotFound("no exact search here", status=404, endpoint="/search/show/exact")
        wanted = query.casefold()
        results = []
        for kind in types:
            for media in SHOWS if kind == "show" else MOVIES:
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
        results = []
        for kind in ("show", "movie"):
            if media_type not in (None, kind):
                continue
            for media in SHOWS if kind == "show" else MOVIES:
                if str(getattr(media.ids, id_type)) == value:
                    results.append(SearchResult.model_validate({"type": kind, kind: media}))
        return results

    def history(
        self,
        *,
        media_type: str | None = None,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[HistoryItem]:
        self.calls.append(("history", media_type, item_id, start_at, end_at))
        items = []
        for item in self.history_items:
            if media_type in ("episodes", "shows") and item.type != "episode":
                continue
            if media_type == "movies" and item.type != "movie":
                continue
            if item_id is not None:
                media = item.show if media_type == "shows" else item.movie
                if media is None or media.ids.trakt != item_id:
                    continue
            # Like Trakt, both ends are inclusive here; the fetch layer must cut end_at off.
            if start_at is not None and item.watched_at < start_at:
                continue
            if end_at is not None and item.watched_at > end_at:
                continue
            items.append(item)
        if on_page is not None:
            on_page(1, 1)
        return sorted(items, key=lambda item: item.watched_at, reverse=True)
