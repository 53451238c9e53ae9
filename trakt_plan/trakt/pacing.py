"""Client-side rate limits: Trakt's GET window and its one write a second, kept by waiting.

Waiting costs less than a 429: a refused call still counts against the window and
comes back only after ``Retry-After``. ``clock`` and ``sleep`` are injected and must
agree (a fake ``sleep`` advances a fake ``clock``), so tests never wait for real.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

__all__ = ["GetThrottle", "WritePacer"]


class GetThrottle:
    """At most ``limit`` GETs in any ``window`` seconds (Trakt: 1000 per 5 minutes).

    Each GET holds a slot from its start; once answered, the slot is re-stamped
    with the time of the answer. Trakt counts a request when it arrives, which is
    after we start it but before we have the answer, so counting from the answer
    keeps network jitter from squeezing one request too many into a window.
    """

    def __init__(
        self,
        limit: tuple[int, float],
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        if limit[0] < 1 or limit[1] < 0:
            raise ValueError("get_limit must be (calls >= 1, seconds >= 0)")
        self._calls, self._window = limit
        self._sleep = sleep
        self._clock = clock
        # Slot number -> when that GET started, or finished once it has.
        self._marks: dict[int, float] = {}
        self._slots = itertools.count()
        self._lock = threading.Lock()

    def acquire(self) -> int:
        """Wait until a GET may start; the returned slot goes back to :meth:`answered`."""
        while True:
            with self._lock:
                now = self._clock()
                for slot, mark in list(self._marks.items()):
                    if mark <= now - self._window:
                        del self._marks[slot]
                if len(self._marks) < self._calls:
                    slot = next(self._slots)
                    self._marks[slot] = now
                    return slot
                delay = min(self._marks.values()) + self._window - now
            self._sleep(delay)

    def answered(self, slot: int) -> None:
        """The GET of ``slot`` has its answer (or failed): count it from now."""
        with self._lock:
            if slot in self._marks:
                self._marks[slot] = self._clock()


class WritePacer:
    """Keeps writes ``interval`` apart (Trakt allows one a second); one writer at a time.

    The interval counts from the end of the previous write, not its start: Trakt
    measures on arrival, and a slower first request (a new connection, say) would
    otherwise let two writes land less than a second apart and earn a 429.
    """

    def __init__(
        self,
        interval: float,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self._interval = interval
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None

    def wait_turn(self) -> None:
        """Sleep until the next write may start."""
        if self._last is not None:
            delay = self._last + self._interval - self._clock()
            if delay > 0:
                self._sleep(delay)

    def answered(self) -> None:
        """The write has its answer (or failed)."""
        self._last = self._clock()
