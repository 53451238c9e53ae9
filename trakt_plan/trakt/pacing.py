"""Client-side rate limits: Trakt's GET window and its one write a second, kept by waiting.

Waiting costs less than a 429: a refused call still counts against the window and
comes back only after ``Retry-After``. ``clock`` and ``sleep`` are injected and must
agree (a fake ``sleep`` advances a fake ``clock``), so tests never wait for real.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

__all__ = ["GetThrottle", "WritePacer"]

# Share of the write interval added between starts for arrival jitter, at first and at most.
_FIRST_MARGIN = 0.1
_MAX_MARGIN = 0.5


class GetThrottle:
    """At most ``limit`` GETs in any ``window`` seconds (Trakt: 1000 per 5 minutes), at most
    ``in_flight`` at once, and all of them paused while a 429's Retry-After runs.

    Each GET holds a slot from its start; once answered, the slot is re-stamped
    with the time of the answer. Trakt counts a request when it arrives, which is
    after we start it but before we have the answer, so counting from the answer
    keeps network jitter from squeezing one request too many into a window. The
    in-flight bound holds across every read of one client (several histories may be
    read at once), so the number of pages asked for together stays polite.
    """

    def __init__(
        self,
        limit: tuple[int, float],
        *,
        in_flight: int,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        if limit[0] < 1 or limit[1] < 0:
            raise ValueError("get_limit must be (calls >= 1, seconds >= 0)")
        if in_flight < 1:
            raise ValueError("concurrency must be at least 1")
        self._calls, self._window = limit
        self._sleep = sleep
        self._clock = clock
        # Slot number -> when that GET started, or finished once it has.
        self._marks: dict[int, float] = {}
        self._slots = itertools.count()
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(in_flight)
        self._paused_until = 0.0

    def acquire(self) -> int:
        """Wait until a GET may start; the returned slot goes back to :meth:`answered`."""
        self._in_flight.acquire()
        try:
            return self._take_slot()
        except BaseException:
            self._in_flight.release()
            raise

    def _take_slot(self) -> int:
        while True:
            with self._lock:
                now = self._clock()
                for slot, mark in list(self._marks.items()):
                    if mark <= now - self._window:
                        del self._marks[slot]
                if now < self._paused_until:
                    delay = self._paused_until - now
                elif len(self._marks) < self._calls:
                    slot = next(self._slots)
                    self._marks[slot] = now
                    return slot
                else:
                    delay = min(self._marks.values()) + self._window - now
            self._sleep(delay)

    def answered(self, slot: int) -> None:
        """The GET of ``slot`` has its answer (or failed): count it from now."""
        with self._lock:
            if slot in self._marks:
                self._marks[slot] = self._clock()
        self._in_flight.release()

    def pause(self, seconds: float) -> None:
        """A GET was answered 429: no GET starts for ``seconds`` (Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


@dataclass
class WritePacer:
    """Keeps writes ``interval`` apart *as Trakt counts them*: on arrival, start to start.

    Trakt allows one write a second, measured when a request arrives. Waiting a full
    interval after each answer would add the server's own time to every write (a
    server taking 0.3 s a write turns 10 s of writes into 13 s), so the next write
    starts ``interval`` after the previous one started, plus a margin for arrival
    jitter (a request that needed a new connection arrives later than its start
    says). A 429 widens the margin, up to half an interval, and Retry-After replaces
    the wait for that one retry. The caller sends one write at a time.
    """

    interval: float
    _: KW_ONLY
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    # Added to the interval for arrival jitter; each 429 widens it.
    _margin: float = field(init=False)
    _last_start: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._margin = self.interval * _FIRST_MARGIN

    def wait_turn(self) -> None:
        """Sleep until the next write may start, and count it as started."""
        if self._last_start is not None:
            delay = self._last_start + self.interval + self._margin - self.clock()
            if delay > 0:
                self.sleep(delay)
        self._last_start = self.clock()

    def rate_limited(self) -> None:
        """The write was refused with a 429: its Retry-After alone sets the next start."""
        self._last_start = None
        self._margin = min(self._margin * 2, self.interval * _MAX_MARGIN)
