"""A JSON webhook on loopback that records what Apprise's ``json://`` URLs post to it.

Shared by the notification tests (tests/review) and the guard tests (tests/guard): their
conftests import the ``webhook`` fixture from here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    """One POST: its path and its JSON body."""

    path: str
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    """A loopback HTTP server in a thread; answers every POST with ``status``."""

    status: int = 200
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.received.append(Received(self.path, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet: the tests read ``received``, not a log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str = "hook") -> str:
        """The Apprise URL that posts JSON to ``path`` on this receiver."""
        return f"json://127.0.0.1:{self.port}/{path}"

    def messages(self, path: str = "hook") -> list[str]:
        """The ``message`` field of every notification posted to ``path``, in order."""
        return [r.body.get("message", "") for r in self.received if r.path == f"/{path}"]


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    """A JSON webhook on 127.0.0.1 that answers 200 and records every notification."""
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
