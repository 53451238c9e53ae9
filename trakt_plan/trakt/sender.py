"""Sending one call to the API: pacing, retries and back-off, a step per kind of answer.

Which failures are retried::

    429                          wait Retry-After, then send again (any verb)
    5xx, 52x, drops, timeouts    back off and send again, except for a non-idempotent
                                 call (an add), which may still land: it raises
                                 WriteOutcomeUnknown and is never re-sent, since
                                 Trakt does not de-duplicate adds
    connect errors               nothing was sent: retried for every verb
    401                          the auth refreshes once and re-sends; then AuthError
    403 420 423 426 404 4xx      never retried: see trakt_plan.trakt.statuses

After a 423 nothing more is sent: the account is locked, and only Trakt support helps.
"""

from __future__ import annotations

import json
import math
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from trakt_plan.errors import (
    AccountLocked,
    ApiError,
    NetworkError,
    RateLimited,
    WriteOutcomeUnknown,
)
from trakt_plan.trakt.pacing import GetThrottle, WritePacer
from trakt_plan.trakt.statuses import refusal
from trakt_plan.trakt.wire import describe_failure, error_message_header

__all__ = ["ClientStats", "RetryPolicy", "Sender"]

# A Retry-After longer than this is not a rate limit worth sitting through in a CLI.
_MAX_RETRY_AFTER = 900.0
# Even a Retry-After of 0 waits this long, so a misbehaving server cannot make us hot-loop.
_MIN_RETRY_AFTER = 0.1
# After a timed-out add (Cloudflare gives up on Trakt after 100 s), a re-read this much
# later sees whether it landed.
_RECHECK_AFTER = 300.0
# Exceptions raised before a single byte of the request left this machine.
_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


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


@dataclass(frozen=True)
class _Call:
    """One logical call, sent as many times as its retries need."""

    method: str
    url: str
    endpoint: str
    params: dict[str, str | int] | None
    headers: dict[str, str]
    content: bytes | None
    idempotent: bool


@dataclass
class _Tries:
    """How a call fared so far: failed sends and 429s waited out."""

    failures: int = 0
    rate_limit_waits: int = 0


class Sender:
    """Sends calls to one API base with the client's pacing and retry rules; thread-safe."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_base: str,
        headers: dict[str, str],
        auth: httpx.Auth | None,
        retry: RetryPolicy,
        write_interval: float,
        get_limit: tuple[int, float],
        gets_in_flight: int,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self._http = http
        self.api_base = api_base
        self._headers = headers
        self._auth = auth
        self._retry = retry
        self._sleep = sleep
        self._gets = GetThrottle(get_limit, in_flight=gets_in_flight, sleep=sleep, clock=clock)
        self._writes = WritePacer(write_interval, sleep=sleep, clock=clock)
        self._write_lock = threading.Lock()
        self._locked: AccountLocked | None = None
        self._random = random.Random()
        self.stats = ClientStats()

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        body: Any = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """Send one call with pacing and retries; return a 2xx response or raise."""
        headers = dict(self._headers)
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        call = _Call(
            method, self.api_base + path, f"{method} {path}", params, headers, content, idempotent
        )
        if method == "GET":
            return self._send_until_answered(call)
        # One write at a time: Trakt allows one a second per user anyway.
        with self._write_lock:
            return self._send_until_answered(call)

    def _send_until_answered(self, call: _Call) -> httpx.Response:
        tries = _Tries()
        while True:
            if self._locked is not None:
                locked = self._locked
                raise AccountLocked(locked.message, status=locked.status, endpoint=locked.endpoint)
            try:
                response = self._attempt(call)
            except _TRANSIENT as exc:
                self._after_transport_failure(call, exc, tries)
                continue
            except httpx.HTTPError as exc:
                raise NetworkError(
                    f"The request {call.endpoint} to {self.api_base} failed "
                    f"({describe_failure(exc)})."
                ) from None
            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 429:
                self._after_rate_limit(call, response, tries)
            elif status >= 500:
                self._after_server_error(call, response, tries)
            else:
                raise self._refusal(response, call.endpoint)

    def _attempt(self, call: _Call) -> httpx.Response:
        """One send, paced: a GET within the window, a write after the previous one."""
        if call.method == "GET":
            slot = self._gets.acquire()
            try:
                return self._transmit(call)
            finally:
                self._gets.answered(slot)
        self._writes.wait_turn()
        response = self._transmit(call)
        if response.status_code == 429:
            self._writes.rate_limited()
        return response

    def _transmit(self, call: _Call) -> httpx.Response:
        request = self._http.build_request(
            call.method, call.url, params=call.params, headers=call.headers, content=call.content
        )
        self.stats.count_request(call.method)
        if self._auth is None:
            return self._http.send(request)
        return self._http.send(request, auth=self._auth)

    def _after_transport_failure(self, call: _Call, exc: httpx.HTTPError, tries: _Tries) -> None:
        """A drop or timeout: back off and go again, unless the write may have landed."""
        if not call.idempotent and not isinstance(exc, _NOTHING_SENT):
            raise _outcome_unknown(call.endpoint, describe_failure(exc)) from None
        tries.failures += 1
        if tries.failures >= self._retry.attempts:
            raise NetworkError(
                f"Could not get an answer from Trakt for {call.endpoint} after {tries.failures} "
                f"attempts ({describe_failure(exc)}). Check the network connection and try "
                "again; Trakt's status page is https://status.trakt.tv."
            ) from None
        self._back_off(tries.failures)

    def _after_rate_limit(self, call: _Call, response: httpx.Response, tries: _Tries) -> None:
        """A 429: sit out ``Retry-After`` unless it is too long or keeps coming."""
        tries.rate_limit_waits += 1
        if tries.rate_limit_waits > self._retry.max_rate_limit_waits:
            raise RateLimited(
                f"Trakt kept answering {call.endpoint} with 429 (rate limit exceeded) after "
                f"{tries.rate_limit_waits - 1} waits. Another app or script may be using the "
                "same account; wait a few minutes and try again.",
                status=429,
                endpoint=call.endpoint,
            )
        delay = retry_after(response.headers.get("Retry-After"))
        if delay > _MAX_RETRY_AFTER:
            raise RateLimited(
                f"Trakt answered {call.endpoint} with 429 and asks to wait {delay:.0f} s before "
                "trying again; try again later.",
                status=429,
                endpoint=call.endpoint,
            )
        self.stats.count_retry(rate_limited=True)
        if call.method == "GET":
            # The other pages in flight would earn 429s too: every GET waits.
            self._gets.pause(delay)
        self._sleep(delay)

    def _after_server_error(self, call: _Call, response: httpx.Response, tries: _Tries) -> None:
        """A 5xx: back off and go again, unless the write may have landed."""
        status = response.status_code
        if not call.idempotent:
            raise _outcome_unknown(call.endpoint, f"HTTP {status}")
        tries.failures += 1
        if tries.failures >= self._retry.attempts:
            raise ApiError(
                f"Trakt's servers kept failing on {call.endpoint} (HTTP {status} after "
                f"{tries.failures} attempts{error_message_header(response)}). Trakt may be "
                "down or overloaded; try again later (https://status.trakt.tv).",
                status=status,
                endpoint=call.endpoint,
            )
        self._back_off(tries.failures)

    def _refusal(self, response: httpx.Response, endpoint: str) -> Exception:
        error = refusal(response, endpoint, logged_in=self._auth is not None)
        if isinstance(error, AccountLocked):
            # Remembered so that no further call reaches a locked account.
            self._locked = error
        return error

    def _back_off(self, failures: int) -> None:
        self.stats.count_retry()
        ceiling = min(self._retry.max_delay, self._retry.base_delay * 2 ** (failures - 1))
        self._sleep(self._random.uniform(0, ceiling))


def _outcome_unknown(endpoint: str, reason: str) -> WriteOutcomeUnknown:
    minutes = round(_RECHECK_AFTER / 60)
    return WriteOutcomeUnknown(
        f"{endpoint} was sent but no usable answer came back ({reason}), and the add may "
        "still land: Trakt keeps working on a request it did not answer in time, so the "
        "plays can appear minutes later. Trakt does not de-duplicate adds, so trakt-plan "
        f"does not send it again in this run. Wait at least {minutes} minutes, then re-read "
        "the history before adding anything again.",
        recheck_after=_RECHECK_AFTER,
    )


def retry_after(raw: str | None) -> float:
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
