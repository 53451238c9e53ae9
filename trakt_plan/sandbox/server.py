"""The emulator served over HTTP on loopback, in a background thread.

``ThreadingHTTPServer`` with daemon threads: the client fetches several pages at once,
and a test that forgets to close a keep-alive connection never blocks shutdown.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from trakt_plan.sandbox.app import Emulator
from trakt_plan.sandbox.demo import demo_state
from trakt_plan.sandbox.knobs import Knobs, ServerStats
from trakt_plan.sandbox.state import SandboxState
from trakt_plan.sandbox.wire import ConnectionDropped, Reply

if TYPE_CHECKING:
    import httpx

__all__ = ["SandboxServer"]


class _Handler(BaseHTTPRequestHandler):
    """Glue from ``http.server`` to :meth:`Emulator.handle`."""

    protocol_version = "HTTP/1.1"
    # Trakt sits behind Cloudflare; clients may look at this header (403 pages do).
    server_version = "cloudflare"
    sys_version = ""
    # Buffer the answer and flush it once: a separate small write for the body would
    # wait on the client's delayed ACK (Nagle), costing tens of milliseconds per request.
    wbufsize = -1
    server: _Server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the stats and the request log record every request."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        path, _, query = self.path.partition("?")
        headers = {name: value for name, value in self.headers.items()}
        try:
            reply = self.server.emulator.handle(self.command, path, query, headers, body)
        except ConnectionDropped:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name.lower() != "server":
                self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in reply.headers):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-request are normal here; anything else is a real bug."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class SandboxServer:
    """The Trakt emulator on ``http://127.0.0.1:PORT`` (API and OAuth on the same host).

    ``state`` defaults to :func:`demo_state`. With ``state_path`` the state is saved there
    after every successful write and on :meth:`stop`. Use it as a context manager, or call
    :meth:`start` and :meth:`stop`; :meth:`mock_transport` serves the same emulator to an
    ``httpx.Client`` without a socket.
    """

    def __init__(
        self,
        state: SandboxState | None = None,
        *,
        knobs: Knobs | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: Path | None = None,
    ) -> None:
        self.state = state if state is not None else demo_state()
        self.knobs = knobs if knobs is not None else Knobs()
        self.stats = ServerStats()
        self.host = host
        self.port = port
        self.state_path = Path(state_path) if state_path is not None else None
        self._save_lock = threading.Lock()
        self._emulator = Emulator(
            self.state, self.knobs, self.stats, on_commit=self._save if self.state_path else None
        )
        # Answers one request without a socket: see :meth:`Emulator.handle`.
        self.handle = self._emulator.handle
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the port is known once :meth:`start` has bound it."""
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not started; call start() first")
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        """Bind (port 0 picks a free one) and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, self.port), self._emulator)
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._emulator.base_url = self.base_url
        self._stopped.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"trakt-sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and save the state (with ``state_path``)."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._thread = None
            self._save()
        self._stopped.set()

    def serve_forever(self) -> None:
        """Start if needed and block until :meth:`stop` or Ctrl-C."""
        self.start()
        try:
            while not self._stopped.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the emulator's controls --------------------------------------------------------

    def mock_transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` over this server's emulator (no socket, no start)."""
        return self._emulator.mock_transport()

    def approve_device(self, user_code: str, username: str | None = None) -> None:
        """Approve a pending device code for ``username`` (default: the default user)."""
        self._emulator.approve_device(user_code, username)

    def deny_device(self, user_code: str) -> None:
        """The user refuses: the next poll gets 418."""
        self._emulator.deny_device(user_code)

    def expire_device(self, user_code: str) -> None:
        """Let the device code lapse now: the next poll gets 410."""
        self._emulator.expire_device(user_code)

    def expire_access_token(self, access_token: str) -> None:
        """Make an access token expired: its next use gets 401 (its refresh token still works)."""
        self._emulator.expire_access_token(access_token)

    def _save(self) -> None:
        if self.state_path is None:
            return
        with self._save_lock:
            self.state.save(self.state_path)
