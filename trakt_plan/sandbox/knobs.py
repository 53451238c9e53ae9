"""Runtime controls of the emulator (faults, limits, timings) and its request statistics."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass


@dataclass
class Knobs:
    """How the emulator misbehaves and paces callers; tests may change fields mid-run.

    A limit under one second is a test's scaled-down clock: its 429s then say
    ``Retry-After`` in hundredths, where Trakt's real pace says whole seconds.
    """

    latency: float = 0.0  # seconds added to every request
    error_rate: float = 0.0  # share answered 500/502/503/504/520/521/522 before doing anything
    drop_rate: float = 0.0  # share handled (writes committed) whose connection then closes silently
    storm_rate: float = 0.0  # share answered 429 (Retry-After: storm_retry_after) up front
    storm_retry_after: float = 1.0
    write_interval: float = 1.0  # min seconds between POST/PUT/DELETE of one user
    get_limit: tuple[int, float] | None = (1000, 300.0)  # GETs per window per user (or app)
    token_lifetime: int = 604_800
    device_interval: float = 5.0  # `interval` of /oauth/device/code
    device_expires_in: int = 600
    # Approve a device code for the default user after this many pending polls.
    device_auto_approve_after: int | None = None
    seed: int = 0  # fault injection RNG


LOG_SIZE = 10_000


class ServerStats:
    """Thread-safe counters of what the emulator answered.

    ``log`` holds ``(method, path_with_query, status)`` of the last 10,000 requests;
    status 0 means the connection was dropped without an answer. Every property returns
    a copy, so it is safe to read while requests are in flight.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._by_route: Counter[tuple[str, str]] = Counter()
        self._status_counts: Counter[int] = Counter()
        self._rate_limited = 0
        self._faults = 0
        self._log: deque[tuple[str, str, int]] = deque(maxlen=LOG_SIZE)

    def record(self, method: str, route: str, target: str, status: int, *, fault: bool) -> None:
        with self._lock:
            self._requests += 1
            self._by_route[(method, route)] += 1
            self._status_counts[status] += 1
            if status == 429:
                self._rate_limited += 1
            if fault:
                self._faults += 1
            self._log.append((method, target, status))

    def reset(self) -> None:
        """Forget everything counted so far (e.g. between benchmark phases)."""
        with self._lock:
            self._requests = 0
            self._by_route.clear()
            self._status_counts.clear()
            self._rate_limited = 0
            self._faults = 0
            self._log.clear()

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def by_route(self) -> Counter[tuple[str, str]]:
        with self._lock:
            return Counter(self._by_route)

    @property
    def status_counts(self) -> Counter[int]:
        with self._lock:
            return Counter(self._status_counts)

    @property
    def rate_limited(self) -> int:
        """429s sent: rate limits, device-poll slow-downs and injected storms."""
        with self._lock:
            return self._rate_limited

    @property
    def faults(self) -> int:
        """Injected errors, drops and storms."""
        with self._lock:
            return self._faults

    @property
    def log(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return list(self._log)
