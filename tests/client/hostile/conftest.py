"""Doubles for hostile-server tests (beside the client suite's fake clock and mock clients):
a changeable paged history and a raw TCP server."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from trakt_plan.trakt.client import RetryPolicy


def make_play(history_id: int, *, episode: int = 1, show: int = 1394) -> dict[str, Any]:
    """One episode play in Trakt's JSON shape."""
    return {
        "id": history_id,
        "watched_at": f"2025-11-17T01:{history_id % 60:02d}:03.000Z",
        "action": "scrobble",
        "type": "episode",
        "episode": {"season": 1, "number": episode, "title": None, "ids": {"trakt": 100 + episode}},
        "show": {"title": "A Show", "year": 2013, "ids": {"trakt": show, "slug": "a-show"}},
    }


class LiveHistory:
    """A paginating ``/sync/history`` double over a list of plays that may change mid-read.

    Pages are cut from ``plays`` as it is when each request arrives, with Trakt's four
    pagination headers (``item_count=False`` leaves out X-Pagination-Item-Count).
    ``before(n, page)`` runs before the n-th request (1-based) is answered and may change
    ``plays`` or return a response of its own.
    """

    def __init__(
        self,
        plays: list[dict[str, Any]],
        *,
        page_size: int,
        item_count: bool = True,
        before: Callable[[int, int], httpx.Response | None] | None = None,
    ) -> None:
        self.plays = list(plays)
        self.page_size = page_size
        self.item_count = item_count
        self.before = before
        self.served = 0
        self._lock = threading.Lock()

    def headers(self, page: int) -> dict[str, str]:
        pages = max(1, -(-len(self.plays) // self.page_size))
        headers = {
            "X-Pagination-Page": str(page),
            "X-Pagination-Limit": str(self.page_size),
            "X-Pagination-Page-Count": str(pages),
        }
        if self.item_count:
            headers["X-Pagination-Item-Count"] = str(len(self.plays))
        return headers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        with self._lock:
            self.served += 1
            if self.before is not None:
                custom = self.before(self.served, page)
                if custom is not None:
                    return custom
            start = (page - 1) * self.page_size
            body = self.plays[start : start + self.page_size]
            return httpx.Response(200, json=body, headers=self.headers(page))


@pytest.fixture
def play() -> Callable[..., dict[str, Any]]:
    """Build one episode play in Trakt's JSON shape: ``play(history_id, episode=, show=)``."""
    return make_play


@pytest.fixture
def live() -> type[LiveHistory]:
    """The changeable paged-history double, to build with the plays of a test."""
    return LiveHistory


@pytest.fixture
def raw_http() -> Callable[..., bytes]:
    """Build a complete HTTP/1.1 response: ``raw_http(status, body, content_type)``."""
    return http_response


@pytest.fixture
def retry_policy() -> RetryPolicy:
    """Hostile servers get a tighter budget than the client suite's, so give-ups come sooner."""
    return RetryPolicy(attempts=3, base_delay=0.5, max_delay=2.0)


# A scripted reaction to one TCP connection: "hang" (read the request, never answer),
# "reset" (read the request, then close with a TCP RST) or raw HTTP response bytes.
Act = str | bytes


def http_response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    """A complete HTTP/1.1 response that closes its connection."""
    head = (
        f"HTTP/1.1 {status} Status\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class RawServer:
    """A bare TCP server on 127.0.0.1 that treats each connection with the next act.

    The last act repeats once the script runs out. ``requests`` holds the request line
    of every connection, in order of arrival.
    """

    def __init__(self, acts: list[Act]) -> None:
        self.acts = list(acts)
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                act = self.acts[min(len(self.requests), len(self.acts) - 1)]
                self.requests.append("")
                slot = len(self.requests) - 1
            thread = threading.Thread(target=self._serve, args=(conn, act, slot), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, act: Act, slot: int) -> None:
        conn.settimeout(5.0)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            with self._lock:
                self.requests[slot] = head.split(b"\r\n", 1)[0].decode("latin-1")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(body) < length:
                body += conn.recv(65536)
            if act == "hang":
                self._stop.wait()
            elif act == "reset":
                # Linger 0: close() sends RST instead of FIN, as a crashing proxy does.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif isinstance(act, bytes):
                conn.sendall(act)
        except OSError:
            return
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._acceptor.join(timeout=2)
        for thread in self._threads:
            thread.join(timeout=2)


@pytest.fixture
def raw_server() -> Iterator[Callable[[list[Act]], RawServer]]:
    """Start scripted raw TCP servers on loopback; all are stopped after the test."""
    servers: list[RawServer] = []

    def start(acts: list[Act]) -> RawServer:
        server = RawServer(acts)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
