"""Ctrl-C while history pages are fetched on worker threads: always a plain KeyboardInterrupt."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from trakt_plan.fetch import fetch_history
from trakt_plan.spec.model import PlanSpec
from trakt_plan.trakt.models import Ids, ResolvedScope

MakeClient = Callable[..., Any]
Play = Callable[..., dict[str, Any]]

PAGE = 10


class PagedShows:
    """Every show's history in ``pages`` pages of ten; Ctrl-C is pressed at request ``press_at``.

    From then on every page takes half a second, so a read that ignored the Ctrl-C would
    still be fetching long after the interrupt.
    """

    def __init__(self, play: Play, *, pages: int, press_at: int | None = None) -> None:
        self.plays = [play(n) for n in range(pages * PAGE, 0, -1)]
        self.pages = pages
        self.press_at = press_at
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests += 1
            pressed = self.press_at is not None and self.requests >= self.press_at
            press_now = self.requests == self.press_at
        if pressed:
            if press_now:
                # To the process, as a terminal sends it: it reaches the main thread.
                os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)
        page = int(request.url.params["page"])
        headers = {
            "X-Pagination-Page": str(page),
            "X-Pagination-Limit": str(PAGE),
            "X-Pagination-Page-Count": str(self.pages),
            "X-Pagination-Item-Count": str(len(self.plays)),
        }
        return httpx.Response(
            200, json=self.plays[(page - 1) * PAGE : page * PAGE], headers=headers
        )


@pytest.fixture
def ctrl_c_default() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt, as in a command run from a shell."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def ctrl_c_after_a_lock_is_released(
    monkeypatch: pytest.MonkeyPatch, ctrl_c_default: None
) -> list[int]:
    """Press Ctrl-C the moment the main thread has let go of a Condition's lock to wait.

    The one instant a KeyboardInterrupt breaks ``threading``: raised before the ``try``
    that takes the lock back, the ``with`` around the wait releases it a second time.
    """
    pressed: list[int] = []
    release_save = threading.Condition._release_save  # type: ignore[attr-defined]

    def release_then_ctrl_c(condition: threading.Condition) -> None:
        release_save(condition)
        if threading.current_thread() is threading.main_thread() and not pressed:
            pressed.append(1)
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(threading.Condition, "_release_save", release_then_ctrl_c)
    return pressed


def _page_threads() -> list[str]:
    return [
        t.name for t in threading.enumerate() if t.name.startswith(("trakt-page", "trakt-read"))
    ]


def test_ctrl_c_while_the_main_thread_waits_for_pages_is_a_plain_interrupt(
    make_client: MakeClient, play: Play, ctrl_c_after_a_lock_is_released: list[int]
) -> None:
    """Ctrl-C landing inside the wait for pages stops the read as a KeyboardInterrupt."""
    client, _ = make_client(PagedShows(play, pages=12), concurrency=3)

    with pytest.raises(KeyboardInterrupt):
        client.history()

    assert ctrl_c_after_a_lock_is_released == [1]
    assert _page_threads() == []


def test_ctrl_c_while_several_reads_page_stops_every_read(
    make_client: MakeClient, play: Play, ctrl_c_default: None
) -> None:
    """Ctrl-C during two concurrent show reads stops both, not after their last pages."""
    server = PagedShows(play, pages=20, press_at=5)
    client, _ = make_client(server, concurrency=2)
    spec = PlanSpec.model_validate(
        {
            "version": 1,
            "rules": [
                {"name": "a", "show": 1, "drop": {"all": True}},
                {"name": "b", "show": 2, "drop": {"all": True}},
            ],
        }
    )
    resolved = {
        scope: ResolvedScope(type="show", ids=Ids(trakt=int(scope.ref))) for scope in spec.scopes()
    }

    with pytest.raises(KeyboardInterrupt):
        fetch_history(client, spec, resolved)

    # Two reads of 20 pages each; only the pages in flight at the Ctrl-C were finished.
    assert server.requests < 20
    assert _page_threads() == []


def test_no_page_of_a_read_is_fetched_on_the_calling_thread(
    make_client: MakeClient, play: Play
) -> None:
    """Every page, the first too, comes from a worker: Ctrl-C meets only the caller's wait."""
    server = PagedShows(play, pages=3)
    fetched_on: list[str] = []

    def recording(request: httpx.Request) -> httpx.Response:
        fetched_on.append(threading.current_thread().name)
        return server(request)

    client, _ = make_client(recording, concurrency=2)

    assert len(client.history()) == 30
    assert len(fetched_on) == 3
    assert threading.main_thread().name not in fetched_on
