"""The Trakt API client: typed endpoints over one injected ``httpx.Client``.

This module and :mod:`trakt_plan.trakt.auth` are the only places that speak HTTP.
Everything Trakt-specific about the wire lives here: the required headers, paging
driven by ``X-Pagination-Page-Count``, client-side rate limiting (the GET window
and one write per ``write_interval``), retries for 429/5xx/dropped connections,
and the translation of every failure into an :mod:`trakt_plan.errors` class with
a message a person can act on. The client knows nothing about plans or journals.

Which failures are retried::

    429                          wait Retry-After, then send again (any verb)
    5xx, 52x, drops, timeouts    back off and send again, except for add_history,
                                 which raises WriteOutcomeUnknown (Trakt does not
                                 de-duplicate adds, so a blind re-send could double plays)
    connect errors               nothing was sent: retried for every verb
    401                          the auth refreshes once and re-sends; then AuthError
    403 420 423 426 404 4xx      never retried: each raises its own ApiError subclass

History pages are checked as well, because a play missing from a read can turn
into a wrong deletion: a page or play count that changes between pages restarts
the whole read once, an empty or short page in the middle is asked for once
more, and what still disagrees raises ApiError. A partial history is never
returned.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from trakt_plan import __version__
from trakt_plan.errors import (
    AccountLimitExceeded,
    AccountLocked,
    ApiError,
    AuthError,
    Forbidden,
    NetworkError,
    NotFound,
    RateLimited,
    VipRequired,
    WriteOutcomeUnknown,
)
from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt.models import (
    MEDIA_CACHE,
    AddResult,
    HistoryItem,
    LastActivities,
    Movie,
    PlayToAdd,
    RemoveResult,
    SearchResult,
    Show,
    UserSettings,
)

__all__ = [
    "PAGE_LIMIT",
    "USER_AGENT",
    "ClientStats",
    "RetryPolicy",
    "TraktClient",
    "escape_query",
    "trakt_headers",
]

USER_AGENT = f"trakt-plan/{__version__}"
# Trakt clamps every page to 250 items since mid-2026; asking for it keeps requests minimal.
PAGE_LIMIT = 250
# A Retry-After longer than this is not a rate limit worth sitting through in a CLI.
_MAX_RETRY_AFTER = 900.0
# Even a Retry-After of 0 waits this long, so a misbehaving server cannot make us hot-loop.
_MIN_RETRY_AFTER = 0.1
# Trakt caps a history at 100,000 plays; even at 10 a page that is far below this.
_MAX_PAGES = 100_000
# Beyond any count a pagination header could honestly carry.
_MAX_HEADER_COUNT = 1_000_000_000
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
# Exceptions raised before a single byte of the request left this machine.
_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)

_HISTORY_PAGE: TypeAdapter[list[HistoryItem]] = TypeAdapter(list[HistoryItem])
_SEARCH_RESULTS: TypeAdapter[list[SearchResult]] = TypeAdapter(list[SearchResult])

_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")

_log = logging.getLogger(__name__)


def trakt_headers(client_id: str) -> dict[str, str]:
    """The headers Trakt wants on every call (the auth adds ``Authorization``)."""
    return {
        "trakt-api-version": "2",
        "trakt-api-key": client_id,
        # Cloudflare answers requests without a User-Agent with an HTML 403.
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


def escape_query(text: str) -> str:
    """Backslash-escape the Lucene operators Trakt's text search would otherwise interpret."""
    return "".join("\\" + char if char in _LUCENE_SPECIALS else char for char in text)


@dataclass
class RetryPolicy:
    """How hard the client tries before giving up.

    ``attempts`` bounds the tries for server errors and dropped connections (with
    capped, fully jittered exponential backoff from ``base_delay`` up to
    ``max_delay``); ``max_rate_limit_waits`` bounds how many 429s in a row are
    waited out before :class:`~trakt_plan.errors.RateLimited` is raised.
    """

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_rate_limit_waits: int = 30


@dataclass
class ClientStats:
    """What the client did, for progress output and tests; safe to update from many threads."""

    requests: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    retries: int = 0
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count_request(self, method: str) -> None:
        """One HTTP request was sent (retries included)."""
        with self._lock:
            self.requests[method] += 1

    def count_page(self) -> None:
        """One history page was read and parsed."""
        with self._lock:
            self.pages += 1

    def count_retry(self, *, rate_limited: bool = False) -> None:
        """A request is about to be sent again, after a 429 when ``rate_limited``."""
        with self._lock:
            self.retries += 1
            if rate_limited:
                self.rate_limited += 1


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
    pages on up to ``concurrency`` threads.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_base: str,
        client_id: str,
        auth: httpx.Auth | None = None,
        concurrency: int = 4,
        write_interval: float = 1.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        get_limit: tuple[int, float] = (1000, 300.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if get_limit[0] < 1 or get_limit[1] < 0:
            raise ValueError("get_limit must be (calls >= 1, seconds >= 0)")
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._headers = trakt_headers(client_id)
        self._auth = auth
        self._concurrency = concurrency
        self._write_interval = write_interval
        self._retry = retry if retry is not None else RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._get_limit = get_limit
        # Slot number -> when that GET started, or finished once it has.
        self._get_marks: dict[int, float] = {}
        self._get_slots = itertools.count()
        self._get_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._last_write: float | None = None
        self._locked: AccountLocked | None = None
        self._random = random.Random()
        self.stats = ClientStats()
        # Plays of every read share one object per show/episode/movie (see MEDIA_CACHE).
        self._media_cache: dict[tuple[Any, ...], Any] = {}

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

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
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
            response = self._send(
                "GET", path, params={"query": escape_query(query), "limit": limit}
            )
            return self._validate(_SEARCH_RESULTS, response, f"GET {path}")
        results: list[SearchResult] = []
        seen: set[tuple[str, int | None]] = set()
        for media_type in types:
            path = f"/search/{quote(media_type, safe='')}/exact"
            try:
                response = self._send("GET", path, params={"query": query})
            except NotFound:
                # Trakt answers "no title is exactly this" with a 404, not an empty list.
                continue
            for result in self._validate(_SEARCH_RESULTS, response, f"GET {path}"):
                media = result.media
                key = (result.type, media.ids.trakt if media is not None else None)
                if key[1] is not None and key in seen:
                    continue
                seen.add(key)
                results.append(result)
        return results

    def lookup_id(
        self, id_type: str, value: str, media_type: str | None = None
    ) -> list[SearchResult]:
        """``GET /search/{id_type}/{id}``: find media by a trakt/imdb/tmdb/tvdb id.

        Trakt answers an unknown id with an empty list, not a 404.
        ``media_type`` disambiguates TMDB and TVDB ids, which collide across types.
        """
        path = f"/search/{quote(id_type, safe='')}/{quote(str(value), safe='')}"
        params: dict[str, str | int] | None = {"type": media_type} if media_type else None
        response = self._send("GET", path, params=params)
        return self._validate(_SEARCH_RESULTS, response, f"GET {path}")

    def show(self, ref: str | int) -> Show:
        """``GET /shows/{id}`` by Trakt id, slug or IMDB id; an unknown one raises ``NotFound``."""
        return self._summary(Show, "show", "/shows", ref)

    def movie(self, ref: str | int) -> Movie:
        """``GET /movies/{id}`` by Trakt id, slug or IMDB id; an unknown one raises ``NotFound``."""
        return self._summary(Movie, "movie", "/movies", ref)

    def _summary(self, model: type[_M], noun: str, prefix: str, ref: str | int) -> _M:
        path = f"{prefix}/{quote(str(ref), safe='')}"
        try:
            return self._get_model(model, path)
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
        thread after each page (again from 1 if the read restarts).

        A missing play can create a deletion (a ``repeats`` chain re-anchors on the
        next play), so the read is checked: every page must carry the page and play
        counts of page 1, and every page but the last must be full. A page that is
        empty or short is asked for once more; counts that change mean the history
        moved while it was paged, and the whole read starts over once. When
        ``X-Pagination-Item-Count`` is sent, exactly that many distinct plays must
        arrive. A play seen on two pages is returned once.
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
        endpoint = f"GET {path}"
        try:
            return self._read_history(path, params, on_page)
        except _HistoryMoved as moved:
            _log.debug(
                "%s: %s while paging; reading the history again from page 1", endpoint, moved
            )
        try:
            return self._read_history(path, params, on_page)
        except _HistoryMoved as moved:
            raise ApiError(
                f"The Trakt history kept changing while it was read ({endpoint}: {moved}, twice "
                "in a row). A plan built on a half-read history could delete the wrong plays, so "
                "trakt-plan stopped. Another app or a scrobbler may be writing to the account; "
                "try again in a minute.",
                endpoint=endpoint,
            ) from None

    def _read_history(
        self,
        path: str,
        params: dict[str, str | int],
        on_page: Callable[[int, int], None] | None,
    ) -> list[HistoryItem]:
        """One complete pass over the pages; raises ``_HistoryMoved`` when they disagree."""
        first, paging = self._first_page(path, params)
        total = paging.pages
        if on_page is not None:
            on_page(1, total)
        pages: list[list[HistoryItem]] = [first] + [[] for _ in range(total - 1)]
        if total > 1:
            self._fetch_later_pages(path, params, paging, pages, on_page)
        items: list[HistoryItem] = []
        seen: set[int] = set()
        for page in pages:
            for item in page:
                if item.id not in seen:
                    seen.add(item.id)
                    items.append(item)
        if paging.items is not None and len(items) != paging.items:
            raise _HistoryMoved(
                f"Trakt announced {paging.items} plays but sent {len(items)} distinct ones"
            )
        return items

    def _first_page(
        self, path: str, params: dict[str, str | int]
    ) -> tuple[list[HistoryItem], _Paging]:
        """Page 1 and the paging it announces; asked for twice if it is empty or short."""
        problem = ""
        announced: _Paging | None = None
        for _ in range(2):
            response = self._send("GET", path, params={**params, "page": 1})
            endpoint = f"GET {path} (page 1)"
            paging = self._paging(response, endpoint, None)
            if announced is not None:
                _check_unmoved(announced, paging)
            items = self._parse_page(response, endpoint)
            self.stats.count_page()
            # Without X-Pagination-Limit, a full first page is the best measure of a page.
            paging = paging.sized(len(items))
            problem = _page_problem(1, items, paging, paging.page)
            if not problem:
                return items, paging
            announced = paging
            _log.debug("GET %s: %s; asking for it again", path, problem)
        raise self._incomplete(path, problem)

    def _fetch_later_pages(
        self,
        path: str,
        params: dict[str, str | int],
        paging: _Paging,
        pages: list[list[HistoryItem]],
        on_page: Callable[[int, int], None] | None,
    ) -> None:
        """Fill ``pages[1:]`` concurrently; the first failure stops the rest and is raised."""
        total = paging.pages

        def fetch(page: int) -> list[HistoryItem]:
            problem = ""
            for _ in range(2):
                response = self._send("GET", path, params={**params, "page": page})
                endpoint = f"GET {path} (page {page})"
                served = self._paging(response, endpoint, paging.limit)
                _check_unmoved(paging, served)
                items = self._parse_page(response, endpoint)
                self.stats.count_page()
                problem = _page_problem(page, items, paging, served.page)
                if not problem:
                    return items
                _log.debug("GET %s: %s; asking for it again", path, problem)
            raise self._incomplete(path, problem)

        workers = min(self._concurrency, total - 1)
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trakt-page")
        try:
            futures: dict[Future[list[HistoryItem]], int] = {
                executor.submit(fetch, page): page for page in range(2, total + 1)
            }
            done_count = 1
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    # .result() re-raises the first failure here, on the calling thread; the
                    # pages still queued are cancelled below, so a restart starts clean.
                    pages[futures[future] - 1] = future.result()
                    done_count += 1
                    if on_page is not None:
                        on_page(done_count, total)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def _paging(self, response: httpx.Response, endpoint: str, limit: int | None) -> _Paging:
        """The pagination headers; a response without them holds everything there is."""
        pages = self._count_header(response, "X-Pagination-Page-Count", endpoint)
        items = self._count_header(response, "X-Pagination-Item-Count", endpoint)
        page_limit = self._count_header(response, "X-Pagination-Limit", endpoint)
        page = self._count_header(response, "X-Pagination-Page", endpoint)
        return _Paging(
            pages=max(pages, 1) if pages is not None else 1,
            items=items,
            limit=page_limit if page_limit is not None else limit,
            page=page,
        )

    def _count_header(self, response: httpx.Response, name: str, endpoint: str) -> int | None:
        raw = response.headers.get(name)
        if raw is None:
            return None
        try:
            value = int(raw.strip())
            if not 0 <= value <= _MAX_HEADER_COUNT:
                raise ValueError(value)
        except ValueError:
            raise self._unreadable(endpoint, f"its {name} is not a sensible number") from None
        if name == "X-Pagination-Page-Count" and value > _MAX_PAGES:
            raise self._unreadable(endpoint, f"its {name} is not a sensible number")
        return value

    def _parse_page(self, response: httpx.Response, endpoint: str) -> list[HistoryItem]:
        items = self._validate(
            _HISTORY_PAGE, response, endpoint, context={MEDIA_CACHE: self._media_cache}
        )
        for index, item in enumerate(items):
            missing = _missing_media(item)
            if missing:
                # Such a play cannot be grouped with its rewatches, which is as good as missing.
                raise self._unreadable(
                    endpoint, f"item {index} is a play of type {item.type} without `{missing}`"
                )
        return items

    def _incomplete(self, path: str, problem: str) -> ApiError:
        return ApiError(
            f"Trakt sent an incomplete history for GET {path}: {problem}, twice in a row. "
            "A plan built on a history with holes could delete the wrong plays, so trakt-plan "
            "stopped; try again later.",
            endpoint=f"GET {path}",
        )

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
        response = self._send("POST", "/sync/history/remove", body=body)
        data = self._decode(response, endpoint)
        if isinstance(data, dict) and isinstance(data.get("not_found"), dict | None):
            # A null `not_found` (or a null list in it) reports nothing missing, like an absent one.
            not_found = data.get("not_found") or {}
            data = {**data, "not_found": {k: v for k, v in not_found.items() if v is not None}}
        try:
            return RemoveResult.model_validate(data)
        except ValidationError as exc:
            raise self._unreadable(endpoint, _shape_problem(exc)) from None

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult:
        """``POST /sync/history``: re-create plays at their original ``watched_at``.

        Trakt does not de-duplicate adds, so this is never re-sent once it may
        have reached Trakt: a dropped connection, timeout or 5xx after sending
        raises :class:`~trakt_plan.errors.WriteOutcomeUnknown` and the caller must
        re-read the history first. 429s and connect errors (nothing sent) are
        retried. An empty ``plays`` sends nothing.
        """
        if not plays:
            return AddResult()
        body: dict[str, list[dict[str, Any]]] = {"movies": [], "episodes": []}
        for play in plays:
            key = "movies" if play.type == "movie" else "episodes"
            body[key].append(
                {"ids": {"trakt": play.trakt_id}, "watched_at": format_trakt_time(play.watched_at)}
            )
        response = self._send("POST", "/sync/history", body=body, idempotent=False)
        return self._validate_model(AddResult, response, "POST /sync/history")

    # --------------------------------------------------------------- plumbing

    def _get_model(self, model: type[_M], path: str) -> _M:
        response = self._send("GET", path)
        return self._validate_model(model, response, f"GET {path}")

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        body: Any = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """Send one call with pacing and retries; return a 2xx response or raise."""
        if method == "GET":
            return self._send_with_retries(method, path, params, body, idempotent)
        # One write at a time: Trakt allows one a second per user anyway.
        with self._write_lock:
            return self._send_with_retries(method, path, params, body, idempotent)

    def _send_with_retries(
        self,
        method: str,
        path: str,
        params: dict[str, str | int] | None,
        body: Any,
        idempotent: bool,
    ) -> httpx.Response:
        endpoint = f"{method} {path}"
        headers = dict(self._headers)
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        failures = 0
        rate_limit_waits = 0
        while True:
            if self._locked is not None:
                raise AccountLocked(
                    self._locked.message, status=self._locked.status, endpoint=self._locked.endpoint
                )
            slot: int | None = None
            if method == "GET":
                slot = self._throttle_get()
            else:
                self._pace_write()
            request = self._http.build_request(
                method, self._api_base + path, params=params, headers=headers, content=content
            )
            self.stats.count_request(method)
            try:
                response = self._attempt(request, slot)
            except _TRANSIENT as exc:
                if not idempotent and not isinstance(exc, _NOTHING_SENT):
                    raise self._outcome_unknown(endpoint, _describe(exc)) from None
                failures += 1
                if failures >= self._retry.attempts:
                    raise NetworkError(
                        f"Could not get an answer from Trakt for {endpoint} after {failures} "
                        f"attempts ({_describe(exc)}). Check the network connection and try "
                        "again; Trakt's status page is https://status.trakt.tv."
                    ) from None
                self._back_off(failures)
                continue
            except httpx.HTTPError as exc:
                raise NetworkError(
                    f"The request {endpoint} to {self._api_base} failed ({_describe(exc)})."
                ) from None

            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 429:
                rate_limit_waits += 1
                if rate_limit_waits > self._retry.max_rate_limit_waits:
                    raise RateLimited(
                        f"Trakt kept answering {endpoint} with 429 (rate limit exceeded) after "
                        f"{rate_limit_waits - 1} waits. Another app or script may be using the "
                        "same account; wait a few minutes and try again.",
                        status=429,
                        endpoint=endpoint,
                    )
                delay = _retry_after(response.headers.get("Retry-After"))
                if delay > _MAX_RETRY_AFTER:
                    raise RateLimited(
                        f"Trakt answered {endpoint} with 429 and asks to wait {delay:.0f} s before "
                        "trying again; try again later.",
                        status=429,
                        endpoint=endpoint,
                    )
                self.stats.count_retry(rate_limited=True)
                self._sleep(delay)
                continue
            if status >= 500:
                if not idempotent:
                    raise self._outcome_unknown(endpoint, f"HTTP {status}")
                failures += 1
                if failures >= self._retry.attempts:
                    raise ApiError(
                        f"Trakt's servers kept failing on {endpoint} (HTTP {status} after "
                        f"{failures} attempts{_error_message_header(response)}). Trakt may be "
                        "down or overloaded; try again later (https://status.trakt.tv).",
                        status=status,
                        endpoint=endpoint,
                    )
                self._back_off(failures)
                continue
            raise self._status_error(response, endpoint)

    def _throttle_get(self) -> int:
        """Keep GETs within Trakt's sliding window by waiting, never by earning a 429.

        Each GET holds a slot from its start; once answered, the slot is re-stamped
        with the time of the answer. Trakt counts a request when it arrives, which is
        after we start it but before we have the answer, so counting from the answer
        keeps network jitter from squeezing one request too many into a window.
        """
        limit, window = self._get_limit
        while True:
            with self._get_lock:
                now = self._clock()
                marks = self._get_marks
                for slot, mark in list(marks.items()):
                    if mark <= now - window:
                        del marks[slot]
                if len(marks) < limit:
                    slot = next(self._get_slots)
                    marks[slot] = now
                    return slot
                delay = min(marks.values()) + window - now
            self._sleep(delay)

    def _attempt(self, request: httpx.Request, get_slot: int | None) -> httpx.Response:
        try:
            if self._auth is None:
                return self._http.send(request)
            return self._http.send(request, auth=self._auth)
        finally:
            if get_slot is None:
                self._last_write = self._clock()
            else:
                with self._get_lock:
                    if get_slot in self._get_marks:
                        self._get_marks[get_slot] = self._clock()

    def _pace_write(self) -> None:
        """Keep writes ``write_interval`` apart (Trakt allows one a second); caller holds the lock.

        The interval counts from the end of the previous write, not its start: Trakt
        measures on arrival, and a slower first request (a new connection, say) would
        otherwise let two writes land less than a second apart and earn a 429.
        """
        if self._last_write is not None:
            delay = self._last_write + self._write_interval - self._clock()
            if delay > 0:
                self._sleep(delay)

    def _back_off(self, failures: int) -> None:
        self.stats.count_retry()
        ceiling = min(self._retry.max_delay, self._retry.base_delay * 2 ** (failures - 1))
        self._sleep(self._random.uniform(0, ceiling))

    def _outcome_unknown(self, endpoint: str, reason: str) -> WriteOutcomeUnknown:
        return WriteOutcomeUnknown(
            f"{endpoint} was sent but no usable answer came back ({reason}), so it is unknown "
            "whether Trakt added the plays. Trakt does not de-duplicate adds, so trakt-plan will "
            "not send them again blindly: re-read the history before adding them again."
        )

    def _status_error(self, response: httpx.Response, endpoint: str) -> Exception:
        status = response.status_code
        headers = response.headers
        if status == 401:
            if self._auth is None:
                return AuthError(
                    f"Trakt needs a login for {endpoint} (HTTP 401). Run `trakt-plan login` "
                    "first, or set TRAKT_ACCESS_TOKEN."
                )
            return AuthError(
                f"Trakt rejected the login for {endpoint} (HTTP 401), even after refreshing "
                "the token. Run `trakt-plan login` to sign in again."
            )
        if status == 403:
            if _looks_like_html(response):
                message = (
                    f"Trakt blocked the request {endpoint} (HTTP 403 with an HTML page, which "
                    "is what Cloudflare in front of Trakt sends). This happens when a request "
                    "has no proper User-Agent or comes from a flagged network: if you use a VPN, "
                    "proxy or cloud server, try again from another connection."
                )
            else:
                message = (
                    f"Trakt refused {endpoint} (HTTP 403): the API key (client id) is not valid "
                    "or the API app was removed. Since July 2026 only Trakt VIP members can "
                    "create API apps, and some apps of free accounts disappeared; check the app "
                    "at https://app.trakt.tv/settings/apps and set TRAKT_CLIENT_ID to the "
                    "client id of a working one."
                )
            return Forbidden(message, status=status, endpoint=endpoint)
        if status == 404:
            return NotFound(
                f"Trakt has no record for {endpoint} (HTTP 404).", status=status, endpoint=endpoint
            )
        if status == 420:
            limit = headers.get("X-Account-Limit")
            upgrade = headers.get("X-Upgrade-URL")
            vip = headers.get("X-VIP-User", "").strip().lower() == "true"
            message = f"Trakt refused {endpoint} (HTTP 420): an account limit was reached"
            message += f" (limit: {limit})." if limit else "."
            if upgrade and not vip:
                message += f" Trakt VIP raises the limits: {upgrade}"
            return AccountLimitExceeded(message, status=status, endpoint=endpoint)
        if status == 423:
            deactivated = headers.get("X-Account-Deactivated", "").strip().lower() == "true"
            state = "deactivated" if deactivated else "locked"
            locked = AccountLocked(
                f"Trakt says this account is {state} (HTTP 423 on {endpoint}). Only Trakt "
                "support can fix this (https://trakt.tv/support); trakt-plan will send nothing "
                "else to this account.",
                status=status,
                endpoint=endpoint,
            )
            # Remembered so that no further call reaches a locked account.
            self._locked = locked
            return locked
        if status == 426:
            upgrade = headers.get("X-Upgrade-URL") or "https://trakt.tv/vip"
            return VipRequired(
                f"{endpoint} needs a Trakt VIP subscription (HTTP 426). Upgrade at {upgrade}.",
                status=status,
                endpoint=endpoint,
            )
        hint = {
            400: " Trakt could not parse the request.",
            405: " This Trakt server does not know that endpoint; check the API base URL.",
            412: " Trakt wants the JSON content type.",
            422: " Trakt could not process the request's data.",
        }.get(status, "")
        return ApiError(
            f"Trakt rejected {endpoint} with HTTP {status}.{hint}",
            status=status,
            endpoint=endpoint,
        )

    def _unreadable(self, endpoint: str, why: str) -> ApiError:
        return ApiError(
            f"Trakt sent a response trakt-plan cannot read for {endpoint}: {why}. Trakt may have "
            "changed its API or a proxy altered the answer; try again, and report it if it "
            "persists.",
            endpoint=endpoint,
        )

    def _decode(self, response: httpx.Response, endpoint: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._unreadable(endpoint, _not_json(response)) from None

    def _validate(
        self,
        adapter: TypeAdapter[_T],
        response: httpx.Response,
        endpoint: str,
        context: dict[str, Any] | None = None,
    ) -> _T:
        try:
            # Straight from bytes: skipping the intermediate dicts saves ~15% on a history read.
            return adapter.validate_json(response.content, context=context)
        except ValidationError as exc:
            raise self._unreadable(endpoint, _shape_problem(exc, response)) from None

    def _validate_model(self, model: type[_M], response: httpx.Response, endpoint: str) -> _M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise self._unreadable(endpoint, _shape_problem(exc, response)) from None


@dataclass(frozen=True)
class _Paging:
    """What a history page's headers announce (``None`` where a header is absent)."""

    pages: int
    items: int | None
    limit: int | None
    page: int | None

    def sized(self, first_page: int) -> _Paging:
        """Take the size of a full first page as the page size when Trakt did not say it."""
        if self.limit is None and self.pages > 1:
            return replace(self, limit=first_page)
        return self


class _HistoryMoved(Exception):
    """The counts changed between pages: plays were added or removed while paging."""


def _check_unmoved(first: _Paging, later: _Paging) -> None:
    if later.pages != first.pages:
        raise _HistoryMoved(f"the page count went from {first.pages} to {later.pages}")
    if first.items is not None and later.items is not None and later.items != first.items:
        raise _HistoryMoved(f"the play count went from {first.items} to {later.items}")


def _page_problem(page: int, items: list[HistoryItem], paging: _Paging, served: int | None) -> str:
    """Why a page cannot be part of a complete read, or ``""`` when it can."""
    if served is not None and served != page:
        return f"page {page} was answered with page {served}"
    total = paging.pages
    if total == 1:
        return ""
    if not items:
        return f"page {page} of {total} is empty"
    if page < total and paging.limit is not None and len(items) < paging.limit:
        return f"page {page} of {total} holds only {len(items)} of {paging.limit} plays"
    return ""


def _missing_media(item: HistoryItem) -> str:
    """The media object a play of its type must carry but does not, or ``""``."""
    if item.type == "movie":
        return "movie" if item.movie is None else ""
    if item.episode is None:
        return "episode"
    return "show" if item.show is None else ""


def _not_json(response: httpx.Response) -> str:
    if not response.content.strip():
        return "the body is empty"
    if _looks_like_html(response):
        return (
            "it is an HTML page, not JSON (a proxy, captive portal or Cloudflare page answered "
            "instead of Trakt)"
        )
    return "the body is not valid JSON"


def _shape_problem(exc: ValidationError, response: httpx.Response | None = None) -> str:
    """The first problem, by place and kind only: the offending values could be anything."""
    errors = exc.errors()
    if not errors:
        return "it does not have the expected shape"
    first = errors[0]
    kind = first["type"]
    if kind == "json_invalid" and response is not None:
        return _not_json(response)
    loc = first["loc"]
    if not loc:
        return "it is not a JSON list" if kind == "list_type" else "it is not a JSON object"
    where = ".".join(str(part) for part in loc)
    if isinstance(loc[0], int):
        subject = f"item {loc[0]}"
        loc = loc[1:]
        if not loc:
            return f"{subject} is not a JSON object"
    else:
        subject = "it"
    field_path = ".".join(str(part) for part in loc)
    if kind == "missing":
        return f"{subject} has no `{field_path}` (JSON path {where})"
    return f"{subject} has an unusable `{field_path}` (JSON path {where})"


def _retry_after(raw: str | None) -> float:
    """Seconds to wait after a 429: ``Retry-After`` as a float, 1 s when missing or garbled."""
    if raw is None:
        return 1.0
    try:
        value = float(raw.strip())
    except ValueError:
        return 1.0
    if not math.isfinite(value) or value < 0:
        return 1.0
    return max(value, _MIN_RETRY_AFTER)


def _looks_like_html(response: httpx.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    return "html" in content_type or response.content.lstrip()[:1] == b"<"


def _error_message_header(response: httpx.Response) -> str:
    message = response.headers.get("X-Error-Message", "").strip()
    return f": {message[:200]}" if message else ""


def _describe(exc: httpx.HTTPError) -> str:
    kinds: list[tuple[type[httpx.HTTPError], str]] = [
        (httpx.ConnectTimeout, "connecting timed out"),
        (httpx.ConnectError, "could not connect"),
        (httpx.ReadTimeout, "no answer within the timeout"),
        (httpx.TimeoutException, "timed out"),
        (httpx.RemoteProtocolError, "the connection dropped"),
        (httpx.ReadError, "the connection broke while reading"),
        (httpx.WriteError, "the connection broke while sending"),
    ]
    for kind, text in kinds:
        if isinstance(exc, kind):
            return text
    return type(exc).__name__
