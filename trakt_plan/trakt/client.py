"""The Trakt API client: typed endpoints over one injected ``httpx.Client``.

Only this package (``trakt_plan.trakt``) speaks HTTP. The parts of the client:

- this module: the endpoints, each a typed method;
- :mod:`~trakt_plan.trakt.paging`: whole-history reads, paged concurrently and
  checked complete (a partial history is never returned);
- :mod:`~trakt_plan.trakt.sender`: one call sent with pacing, retries and back-off
  (its docstring lists which failures are retried);
- :mod:`~trakt_plan.trakt.pacing`: the GET window and one write a second;
- :mod:`~trakt_plan.trakt.statuses`: Trakt's refusals as errors a person can act on;
- :mod:`~trakt_plan.trakt.decoding` and :mod:`~trakt_plan.trakt.wire`: bodies to
  models, headers, and how a failed exchange is worded.

The client knows nothing about plans or journals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from trakt_plan.errors import NotFound
from trakt_plan.settings import DEFAULT_READ_CONCURRENCY
from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt.decoding import (
    decode_json,
    shape_problem,
    unreadable,
    validate,
    validate_model,
)
from trakt_plan.trakt.models import (
    AddResult,
    CatalogMovie,
    CatalogSeason,
    CatalogShow,
    HistoryItem,
    LastActivities,
    Movie,
    PlayToAdd,
    RemoveResult,
    SearchResult,
    Show,
    UserSettings,
)
from trakt_plan.trakt.paging import PAGE_LIMIT, HistoryPager
from trakt_plan.trakt.sender import ClientStats, RetryPolicy, Sender
from trakt_plan.trakt.wire import USER_AGENT, trakt_headers

__all__ = [
    "PAGE_LIMIT",
    "USER_AGENT",
    "ClientStats",
    "RetryPolicy",
    "TraktClient",
    "escape_query",
    "trakt_headers",
]

_LUCENE_SPECIALS = frozenset('+-&|!(){}[]^"~*?:/\\')
_HISTORY_TYPES = {
    "movie": "movies",
    "movies": "movies",
    "show": "shows",
    "shows": "shows",
    "season": "seasons",
    "seasons": "seasons",
    "episode": "episodes",
    "episodes": "episodes",
}

_SEARCH_RESULTS: TypeAdapter[list[SearchResult]] = TypeAdapter(list[SearchResult])
_SEASONS: TypeAdapter[list[CatalogSeason]] = TypeAdapter(list[CatalogSeason])

_M = TypeVar("_M", bound=BaseModel)


def escape_query(text: str) -> str:
    """Backslash-escape the Lucene operators Trakt's text search would otherwise interpret."""
    return "".join("\\" + char if char in _LUCENE_SPECIALS else char for char in text)


class TraktClient:
    """Typed access to the Trakt endpoints trakt-plan uses.

    ``http`` is the only network seam: tests pass an ``httpx.Client`` over a
    ``MockTransport`` or aimed at the loopback emulator. The client owns it from
    then on and closes it in :meth:`close`. ``auth`` (a
    :class:`~trakt_plan.trakt.auth.TraktAuth` or ``StaticTokenAuth``) adds the
    bearer token and refreshes it. ``sleep`` and ``clock`` are injectable so that
    tests never wait for real; they must agree (a fake ``sleep`` should advance a
    fake ``clock``), because rate limiting sleeps until the clock says so.

    Every method is safe to call from several threads; ``history`` itself fetches
    pages on up to ``concurrency`` threads, and at most ``concurrency`` GETs are in
    flight at once over all threads (reads of several histories included). A GET
    answered 429 pauses every GET for its Retry-After.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_base: str,
        client_id: str,
        auth: httpx.Auth | None = None,
        concurrency: int = DEFAULT_READ_CONCURRENCY,
        write_interval: float = 1.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        get_limit: tuple[int, float] = (1000, 300.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._sender = Sender(
            http,
            api_base=api_base.rstrip("/"),
            headers=trakt_headers(client_id),
            auth=auth,
            retry=retry if retry is not None else RetryPolicy(),
            write_interval=write_interval,
            get_limit=get_limit,
            gets_in_flight=concurrency,
            sleep=sleep,
            clock=clock,
        )
        self._pager = HistoryPager(self._sender, concurrency=concurrency)
        self.stats: ClientStats = self._sender.stats

    @classmethod
    def open(
        cls,
        *,
        api_base: str,
        client_id: str,
        auth: httpx.Auth | None = None,
        timeout: float = 30.0,
        **kw: Any,
    ) -> TraktClient:
        """Build a client with its own ``httpx.Client`` (the CLI's way in)."""
        http = httpx.Client(timeout=timeout)
        try:
            return cls(http, api_base=api_base, client_id=client_id, auth=auth, **kw)
        except BaseException:
            http.close()
            raise

    def close(self) -> None:
        """Close the underlying ``httpx.Client`` and its connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- account

    def user_settings(self) -> UserSettings:
        """``GET /users/settings``: who the token belongs to, and their timezone."""
        return self._get_model(UserSettings, "/users/settings")

    def last_activities(self) -> LastActivities:
        """``GET /sync/last_activities``: cheap "has the history changed?" check."""
        return self._get_model(LastActivities, "/sync/last_activities")

    # ------------------------------------------------------------ search, ids

    def search(
        self,
        query: str,
        types: Sequence[str] = ("show", "movie"),
        *,
        exact: bool = False,
        limit: int = 50,
    ) -> list[SearchResult]:
        """Search titles.

        ``exact=True`` asks ``/search/{type}/exact`` once per type and merges the
        answers (de-duplicated on type and Trakt id; a 404 there means no exact
        match for that type); otherwise one broad
        ``/search/{types}`` call is made with Lucene operators escaped, so a
        title such as ``Marvel's Agents of S.H.I.E.L.D.`` or ``9-1-1`` is taken
        literally.
        """
        if not types:
            raise ValueError("search needs at least one type")
        if not exact:
            path = f"/search/{quote(','.join(types), safe=',')}"
            params: dict[str, str | int] = {"query": escape_query(query), "limit": limit}
            response = self._sender.send("GET", path, params=params)
            return validate(_SEARCH_RESULTS, response, f"GET {path}")
        results: list[SearchResult] = []
        seen: set[tuple[str, int | None]] = set()
        for media_type in types:
            for result in self._exact_matches(query, media_type):
                media = result.media
                key = (result.type, media.ids.trakt if media is not None else None)
                if key[1] is not None and key in seen:
                    continue
                seen.add(key)
                results.append(result)
        return results

    def _exact_matches(self, query: str, media_type: str) -> list[SearchResult]:
        path = f"/search/{quote(media_type, safe='')}/exact"
        try:
            response = self._sender.send("GET", path, params={"query": query})
        except NotFound:
            # Trakt answers "no title is exactly this" with a 404, not an empty list.
            return []
        return validate(_SEARCH_RESULTS, response, f"GET {path}")

    def lookup_id(
        self, id_type: str, value: str, media_type: str | None = None
    ) -> list[SearchResult]:
        """``GET /search/{id_type}/{id}``: find media by a trakt/imdb/tmdb/tvdb id.

        Trakt answers an unknown id with an empty list, not a 404.
        ``media_type`` disambiguates TMDB and TVDB ids, which collide across types.
        """
        path = f"/search/{quote(id_type, safe='')}/{quote(str(value), safe='')}"
        params: dict[str, str | int] | None = {"type": media_type} if media_type else None
        response = self._sender.send("GET", path, params=params)
        return validate(_SEARCH_RESULTS, response, f"GET {path}")

    def show(self, ref: str | int) -> Show:
        """``GET /shows/{id}`` by Trakt id, slug or IMDB id; an unknown one raises ``NotFound``."""
        return self._summary(Show, "show", "/shows", ref)

    def movie(self, ref: str | int) -> Movie:
        """``GET /movies/{id}`` by Trakt id, slug or IMDB id; an unknown one raises ``NotFound``."""
        return self._summary(Movie, "movie", "/movies", ref)

    # -------------------------------------------------------------- catalogue

    def show_seasons(self, ref: str | int) -> list[CatalogSeason]:
        """``GET /shows/{id}/seasons?extended=full,episodes``: every episode's runtime and
        first airing, in one call per show (specials are season 0)."""
        path = f"/shows/{quote(str(ref), safe='')}/seasons"
        response = self._found("show", ref, path, {"extended": "full,episodes"})
        return validate(_SEASONS, response, f"GET {path}")

    def show_details(self, ref: str | int) -> CatalogShow:
        """``GET /shows/{id}?extended=full``: the show's runtime, for episodes without one."""
        path = f"/shows/{quote(str(ref), safe='')}"
        response = self._found("show", ref, path, {"extended": "full"})
        return validate_model(CatalogShow, response, f"GET {path}")

    def movie_details(self, ref: str | int) -> CatalogMovie:
        """``GET /movies/{id}?extended=full``: the movie's runtime and release date."""
        path = f"/movies/{quote(str(ref), safe='')}"
        response = self._found("movie", ref, path, {"extended": "full"})
        return validate_model(CatalogMovie, response, f"GET {path}")

    def _summary(self, model: type[_M], noun: str, prefix: str, ref: str | int) -> _M:
        path = f"{prefix}/{quote(str(ref), safe='')}"
        return validate_model(model, self._found(noun, ref, path), f"GET {path}")

    def _found(
        self, noun: str, ref: str | int, path: str, params: dict[str, str | int] | None = None
    ) -> httpx.Response:
        """``GET path``, with a 404 worded as the unknown show or movie it means."""
        try:
            return self._sender.send("GET", path, params=params)
        except NotFound as exc:
            raise NotFound(
                f"Trakt has no {noun} with the id or slug {str(ref)!r} (GET {path} answered 404).",
                status=404,
                endpoint=exc.endpoint,
            ) from None

    # ---------------------------------------------------------------- history

    def history(
        self,
        *,
        media_type: str | None = None,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[HistoryItem]:
        """Every play in scope, newest first (Trakt's order), or an error: never a partial list.

        ``media_type`` is ``movies``, ``shows``, ``seasons`` or ``episodes``
        (singular accepted); ``item_id`` (a Trakt id) narrows to one item of that
        type. ``start_at``/``end_at`` bound ``watched_at``. Page 1 tells how many
        pages there are; pages 2..N are then fetched concurrently, so N pages cost
        exactly N requests. ``on_page(done, total)`` is called on the calling
        thread after each page (again from 1 if the read restarts). How the read
        is checked complete: :mod:`trakt_plan.trakt.paging`. A play seen on two
        pages is returned once.
        """
        path = "/sync/history"
        if media_type is not None:
            plural = _HISTORY_TYPES.get(media_type)
            if plural is None:
                raise ValueError(f"unknown history type {media_type!r}")
            path += f"/{plural}"
        if item_id is not None:
            if media_type is None:
                raise ValueError("item_id needs a media_type")
            path += f"/{int(item_id)}"
        params: dict[str, str | int] = {"limit": PAGE_LIMIT}
        if start_at is not None:
            params["start_at"] = format_trakt_time(start_at)
        if end_at is not None:
            params["end_at"] = format_trakt_time(end_at)
        return self._pager.read(path, params, on_page)

    # ----------------------------------------------------------------- writes

    def remove_history(self, ids: Sequence[int]) -> RemoveResult:
        """``POST /sync/history/remove`` with ``{"ids": [...]}``: delete exactly those plays.

        Idempotent (an id already gone comes back in ``not_found.ids``), so
        server errors and dropped connections are retried. An answer without
        ``not_found`` reports nothing missing; an answer that is not JSON raises
        :class:`~trakt_plan.errors.ApiError` (the batch's outcome is then unknown,
        and nothing is guessed). An empty ``ids`` sends nothing.
        """
        if not ids:
            return RemoveResult()
        body = {"ids": [int(history_id) for history_id in ids]}
        endpoint = "POST /sync/history/remove"
        response = self._sender.send("POST", "/sync/history/remove", body=body)
        data = decode_json(response, endpoint)
        if isinstance(data, dict) and isinstance(data.get("not_found"), dict | None):
            # A null `not_found` (or a null list in it) reports nothing missing, like an absent one.
            not_found = data.get("not_found") or {}
            data = {**data, "not_found": {k: v for k, v in not_found.items() if v is not None}}
        try:
            return RemoveResult.model_validate(data)
        except ValidationError as exc:
            raise unreadable(endpoint, shape_problem(exc)) from None

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult:
        """``POST /sync/history``: re-create plays at their original ``watched_at``.

        Trakt does not de-duplicate adds, so this is never re-sent once it may
        have reached Trakt: a dropped connection, timeout or 5xx (a 524, say) after
        sending means the add may still land, and raises
        :class:`~trakt_plan.errors.WriteOutcomeUnknown`, whose ``recheck_after``
        says how long to wait before a re-read can tell. 429s and connect errors
        (nothing sent) are retried. An empty ``plays`` sends nothing.
        """
        if not plays:
            return AddResult()
        body: dict[str, list[dict[str, Any]]] = {"movies": [], "episodes": []}
        for play in plays:
            key = "movies" if play.type == "movie" else "episodes"
            body[key].append(
                {"ids": {"trakt": play.trakt_id}, "watched_at": format_trakt_time(play.watched_at)}
            )
        response = self._sender.send("POST", "/sync/history", body=body, idempotent=False)
        return validate_model(AddResult, response, "POST /sync/history")

    # --------------------------------------------------------------- plumbing

    def _get_model(self, model: type[_M], path: str) -> _M:
        response = self._sender.send("GET", path)
        return validate_model(model, response, f"GET {path}")
