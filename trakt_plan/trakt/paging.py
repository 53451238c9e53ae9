"""Reading a whole history: page 1, then the other pages concurrently, checked complete.

A play missing from a read can turn into a wrong deletion (a ``repeats`` chain
re-anchors on the next play), so every page is checked: it must carry the page
and play counts of page 1, and every page but the last must be full. A page that
is empty or short is asked for once more; counts that change mean the history
moved while it was paged, and the whole read starts over once. When
``X-Pagination-Item-Count`` is sent, exactly that many distinct plays must arrive.
What still disagrees raises ApiError: a partial history is never returned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import httpx
from pydantic import TypeAdapter

from trakt_plan.errors import ApiError
from trakt_plan.trakt.decoding import unreadable, validate
from trakt_plan.trakt.models import MEDIA_CACHE, HistoryItem
from trakt_plan.trakt.sender import Sender
from trakt_plan.workers import run_all

__all__ = ["PAGE_LIMIT", "HistoryPager"]

# Trakt clamps every page to 250 items since mid-2026; asking for it keeps requests minimal.
PAGE_LIMIT = 250
# Trakt caps a history at 100,000 plays; even at 10 a page that is far below this.
_MAX_PAGES = 100_000
# Beyond any count a pagination header could honestly carry.
_MAX_HEADER_COUNT = 1_000_000_000

_HISTORY_PAGE: TypeAdapter[list[HistoryItem]] = TypeAdapter(list[HistoryItem])

_log = logging.getLogger(__name__)

OnPage = Callable[[int, int], None]


@dataclass(frozen=True)
class _Paging:
    """What a history page's headers announce (``None`` where a header is absent)."""

    pages: int
    items: int | None
    limit: int | None
    page: int | None
    # Whether X-Pagination-Page-Count was sent at all.
    announced: bool = True

    def sized(self, first_page: int) -> _Paging:
        """Take the size of a full first page as the page size when Trakt did not say it."""
        if self.limit is None and self.pages > 1:
            return replace(self, limit=first_page)
        return self


class _HistoryMoved(Exception):
    """The counts changed between pages: plays were added or removed while paging."""


class HistoryPager:
    """Reads every page of one history path through a :class:`Sender`.

    Plays of every read share one object per show/episode/movie (see
    ``MEDIA_CACHE``); ``concurrency`` pages are in flight at most.
    """

    def __init__(self, sender: Sender, *, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._sender = sender
        self._concurrency = concurrency
        self._media_cache: dict[tuple[Any, ...], Any] = {}

    def read(
        self, path: str, params: dict[str, str | int], on_page: OnPage | None
    ) -> list[HistoryItem]:
        """Every play at ``path``, or ApiError; restarts once if the history moves meanwhile."""
        endpoint = f"GET {path}"
        try:
            return self._read_once(path, params, on_page)
        except _HistoryMoved as moved:
            _log.debug(
                "%s: %s while paging; reading the history again from page 1", endpoint, moved
            )
        try:
            return self._read_once(path, params, on_page)
        except _HistoryMoved as moved:
            raise ApiError(
                f"The Trakt history kept changing while it was read ({endpoint}: {moved}, twice "
                "in a row). A plan built on a half-read history could delete the wrong plays, so "
                "trakt-plan stopped. Another app or a scrobbler may be writing to the account; "
                "try again in a minute.",
                endpoint=endpoint,
            ) from None

    def _read_once(
        self, path: str, params: dict[str, str | int], on_page: OnPage | None
    ) -> list[HistoryItem]:
        """One complete pass over the pages; raises ``_HistoryMoved`` when they disagree."""
        # Page 1 on a worker too: the calling thread then only ever waits in run_all, where a
        # Ctrl-C cannot land inside the HTTP stack's locks (see trakt_plan.workers).
        first_page = partial(self._first_page, path, params)
        first, paging = run_all([first_page], workers=1, name="trakt-page")[0]
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
            response = self._sender.send("GET", path, params={**params, "page": 1})
            endpoint = f"GET {path} (page 1)"
            paging = _paging(response, endpoint, None)
            if announced is not None:
                _check_unmoved(announced, paging)
            items = self._parse_page(response, endpoint)
            if not paging.announced and len(items) >= _asked_limit(params, paging):
                raise _unannounced(path, len(items))
            # Without X-Pagination-Limit, a full first page is the best measure of a page.
            paging = paging.sized(len(items))
            problem = _page_problem(1, items, paging, paging.page)
            if not problem:
                return items, paging
            announced = paging
            _log.debug("GET %s: %s; asking for it again", path, problem)
        raise _incomplete(path, problem)

    def _later_page(
        self, path: str, params: dict[str, str | int], paging: _Paging, page: int
    ) -> list[HistoryItem]:
        """Page ``page`` (> 1), checked against what page 1 announced; asked for twice."""
        problem = ""
        for _ in range(2):
            response = self._sender.send("GET", path, params={**params, "page": page})
            endpoint = f"GET {path} (page {page})"
            served = _paging(response, endpoint, paging.limit)
            _check_unmoved(paging, served)
            items = self._parse_page(response, endpoint)
            problem = _page_problem(page, items, paging, served.page)
            if not problem:
                return items
            _log.debug("GET %s: %s; asking for it again", path, problem)
        raise _incomplete(path, problem)

    def _fetch_later_pages(
        self,
        path: str,
        params: dict[str, str | int],
        paging: _Paging,
        pages: list[list[HistoryItem]],
        on_page: OnPage | None,
    ) -> None:
        """Fill ``pages[1:]`` concurrently; the first failure stops the rest and is raised."""
        total = paging.pages
        jobs = [
            partial(self._later_page, path, params, paging, page) for page in range(2, total + 1)
        ]

        def done(count: int) -> None:
            if on_page is not None:
                on_page(count + 1, total)

        workers = min(self._concurrency, total - 1)
        pages[1:] = run_all(jobs, workers=workers, name="trakt-page", on_done=done)

    def _parse_page(self, response: httpx.Response, endpoint: str) -> list[HistoryItem]:
        context = {MEDIA_CACHE: self._media_cache}
        items = validate(_HISTORY_PAGE, response, endpoint, context=context)
        for index, item in enumerate(items):
            missing = _missing_media(item)
            if missing:
                # Such a play cannot be grouped with its rewatches, which is as good as missing.
                raise unreadable(
                    endpoint, f"item {index} is a play of type {item.type} without `{missing}`"
                )
        self._sender.stats.count_page()
        return items


def _paging(response: httpx.Response, endpoint: str, limit: int | None) -> _Paging:
    """The pagination headers; without them a page is all there is, unless it is full."""
    pages = _count_header(response, "X-Pagination-Page-Count", endpoint)
    items = _count_header(response, "X-Pagination-Item-Count", endpoint)
    page_limit = _count_header(response, "X-Pagination-Limit", endpoint)
    page = _count_header(response, "X-Pagination-Page", endpoint)
    return _Paging(
        pages=max(pages, 1) if pages is not None else 1,
        items=items,
        limit=page_limit if page_limit is not None else limit,
        page=page,
        announced=pages is not None,
    )


def _asked_limit(params: dict[str, str | int], paging: _Paging) -> int:
    """How many plays make a page full: what Trakt says, else what was asked for."""
    if paging.limit is not None:
        return paging.limit
    return int(params.get("limit", PAGE_LIMIT))


def _count_header(response: httpx.Response, name: str, endpoint: str) -> int | None:
    raw = response.headers.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
        if not 0 <= value <= _MAX_HEADER_COUNT:
            raise ValueError(value)
    except ValueError:
        raise unreadable(endpoint, f"its {name} is not a sensible number") from None
    if name == "X-Pagination-Page-Count" and value > _MAX_PAGES:
        raise unreadable(endpoint, f"its {name} is not a sensible number")
    return value


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


def _incomplete(path: str, problem: str) -> ApiError:
    return ApiError(
        f"Trakt sent an incomplete history for GET {path}: {problem}, twice in a row. "
        "A plan built on a history with holes could delete the wrong plays, so trakt-plan "
        "stopped; try again later.",
        endpoint=f"GET {path}",
    )


def _unannounced(path: str, count: int) -> ApiError:
    return ApiError(
        f"Trakt sent a full page of {count} plays for GET {path} without the "
        "X-Pagination-Page-Count header, so trakt-plan cannot tell how many pages follow. A plan "
        "built on the first page alone could delete plays a full read keeps, so trakt-plan "
        "stopped. A proxy or VPN between you and Trakt may strip the header: try without it, "
        "or try again later.",
        endpoint=f"GET {path}",
    )
