"""The emulator's request handling: ``(method, path, query, headers, body) -> Reply``.

Order of work for every request, as ``trakt-api.md`` and the knobs describe it:

1. sleep ``knobs.latency``;
2. injected faults that do nothing: a storm 429 or a 5xx/52x;
3. Cloudflare's User-Agent check, the route (405 when it or the verb is unknown; ``HEAD``
   is ``GET`` without the body), the API key and version, the
   bearer token (401), the body's content type (412) and JSON (400), the rate limits (429);
4. the route itself, then ``on_commit`` after a successful write (the server saves the
   state file there);
5. an injected drop: :class:`ConnectionDropped` instead of an answer.

The same function backs the socket server and :meth:`Emulator.mock_transport`.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote

import trakt_plan.sandbox.account as account
import trakt_plan.sandbox.history as history
import trakt_plan.sandbox.media as media
import trakt_plan.sandbox.oauth as oauth
from trakt_plan.sandbox.knobs import Knobs, ServerStats
from trakt_plan.sandbox.state import DeviceRecord, SandboxState, UserRecord
from trakt_plan.sandbox.wire import (
    BadRequest,
    ConnectionDropped,
    Handler,
    Reply,
    Request,
    empty_reply,
    error_reply,
    json_reply,
)
from trakt_plan.timefmt import format_trakt_time

if TYPE_CHECKING:
    import httpx

ERROR_STATUSES = (500, 502, 503, 504, 520, 521, 522)
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
UNKNOWN_ROUTE = "(unknown)"

CLOUDFLARE_BLOCK = """<!DOCTYPE html>
<html lang="en-US"><head><title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8"></head>
<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
<h2>You are unable to access api.trakt.tv</h2>
<p>This website is using a security service to protect itself from online attacks.
The request was blocked because it carried no User-Agent header.</p>
<p>Cloudflare Ray ID: sandbox</p></div></body></html>
"""


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    handlers: dict[str, Handler]
    kind: str = "api"  # api | oauth | page
    auth: str = "optional"  # required | optional
    persist: bool = False  # a success changes what the state file holds


def _route(
    template: str,
    handlers: dict[str, Handler],
    *,
    kind: str = "api",
    auth: str = "optional",
    persist: bool = False,
    **patterns: str,
) -> Route:
    """A route whose ``{name}`` placeholders match one path segment unless given a pattern."""
    regex = re.sub(
        r"\{(\w+)\}",
        lambda m: f"(?P<{m.group(1)}>{patterns.get(m.group(1), '[^/]+')})",
        template,
    )
    return Route(template, re.compile(f"^{regex}$"), handlers, kind, auth, persist)


_HISTORY = "movies|shows|seasons|episodes"
_GET_HISTORY: dict[str, Handler] = {"GET": history.history}
ROUTES: tuple[Route, ...] = (
    _route("/users/settings", {"GET": account.settings}, auth="required"),
    _route("/sync/last_activities", {"GET": account.last_activities}, auth="required"),
    _route("/sync/history/remove", {"POST": history.remove_history}, auth="required", persist=True),
    _route(
        "/sync/history",
        {"GET": history.history, "POST": history.add_history},
        auth="required",
        persist=True,
    ),
    _route("/sync/history/{type}", _GET_HISTORY, auth="required", type=_HISTORY),
    _route("/sync/history/{type}/{id}", _GET_HISTORY, auth="required", type=_HISTORY),
    _route("/users/{user}/history", _GET_HISTORY),
    _route("/users/{user}/history/{type}", _GET_HISTORY, type=_HISTORY),
    _route("/users/{user}/history/{type}/{id}", _GET_HISTORY, type=_HISTORY),
    _route("/search/{id_type}/{id}", {"GET": media.lookup}, id_type="trakt|imdb|tmdb|tvdb"),
    _route("/search/{type}/exact", {"GET": media.search}, type="movie|show"),
    _route("/search/{type}", {"GET": media.search}),
    _route("/shows/{id}", {"GET": media.show_summary}),
    _route("/shows/{id}/seasons", {"GET": media.seasons}),
    _route("/shows/{id}/seasons/{season}", {"GET": media.season_episodes}, season=r"\d+"),
    _route(
        "/shows/{id}/seasons/{season}/episodes/{episode}",
        {"GET": media.episode_summary},
        season=r"\d+",
        episode=r"\d+",
    ),
    _route("/movies/{id}", {"GET": media.movie_summary}),
    _route("/oauth/device/code", {"POST": oauth.device_code}, kind="oauth"),
    _route("/oauth/device/token", {"POST": oauth.device_token}, kind="oauth", persist=True),
    _route("/oauth/token", {"POST": oauth.token}, kind="oauth", persist=True),
    _route("/oauth/revoke", {"POST": oauth.revoke}, kind="oauth", persist=True),
    _route("/activate", {"GET": oauth.activate_page, "POST": oauth.activate_submit}, kind="page"),
    _route("/activate/{code}", {"GET": oauth.activate_page}, kind="page"),
    _route(
        "/oauth/authorize",
        {"GET": oauth.authorize_page, "POST": oauth.authorize_submit},
        kind="page",
    ),
    _route("/pin/{client_id}", {"GET": oauth.authorize_page}, kind="page"),
)


def format_retry_after(seconds: float, period: float) -> str:
    """``Retry-After`` for a wait under a limit of ``period`` seconds.

    Whole seconds, rounded up and at least 1 (RFC 9110 delay-seconds; pytrakt reads it
    with ``int()``). A period under one second is a test's scaled-down clock, where a whole
    second would stall the test: there the value keeps hundredths.
    """
    if period >= 1:
        return str(max(math.ceil(seconds - 1e-9), 1))
    # Less a hair, as above: a wait of exactly 0.3 s is 30.000000000000004 hundredths.
    return f"{max(math.ceil(seconds * 100 - 1e-9) / 100, 0.01):.2f}"


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


@dataclass
class _Limiter:
    """Per-user write spacing and per-user/app GET windows (thread-safe via ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last_write: dict[str, float] = field(default_factory=dict)
    gets: dict[str, deque[float]] = field(default_factory=dict)


class Emulator:
    """The emulated Trakt behind one state: routes, checks, limits and fault injection."""

    def __init__(
        self,
        state: SandboxState,
        knobs: Knobs,
        stats: ServerStats | None = None,
        *,
        on_commit: Callable[[], None] | None = None,
        base_url: str = "",
    ) -> None:
        self.state = state
        self.knobs = knobs
        self.stats = stats if stats is not None else ServerStats()
        self.on_commit = on_commit
        self.base_url = base_url
        self._limiter = _Limiter()
        self._rng_lock = threading.Lock()
        self._rng_seed = knobs.seed
        self._rng = random.Random(knobs.seed)

    # -- entry point ---------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str | None = None,
    ) -> Reply:
        """Answer one request; raises :class:`ConnectionDropped` when a drop is injected.

        ``base_url`` is where the caller reached the emulator (for ``verification_url``);
        by default the server's own URL, else ``http://`` + the Host header.
        """
        method = method.upper()
        knobs = self.knobs
        if knobs.latency > 0:
            time.sleep(knobs.latency)
        clean_path = unquote(path.split("?", 1)[0]).rstrip("/") or "/"
        route, params = self._match(clean_path)
        template = route.template if route is not None else UNKNOWN_ROUTE
        target = f"{path}?{query}" if query else path
        fault, drop, pick = self._draw()
        reply = self._injected_fault(fault, pick)
        if reply is None:
            lowered = {name.lower(): value for name, value in headers.items()}
            request = Request(
                method=method,
                path=clean_path,
                query=parse_qs(query, keep_blank_values=True),
                headers=lowered,
                body=body,
                params=params,
                base_url=base_url or self._base_url(lowered),
            )
            reply = self._process(route, request)
            if route is not None and route.persist and reply.status < 300 and self.on_commit:
                self.on_commit()
            if drop < knobs.drop_rate:
                self.stats.record(method, template, target, 0, fault=True)
                raise ConnectionDropped(f"{method} {target}")
            self.stats.record(method, template, target, reply.status, fault=False)
        else:
            self.stats.record(method, template, target, reply.status, fault=True)
        if method == "HEAD":
            # Rails answers HEAD with GET's headers, its length included, and no body.
            length = str(len(reply.body))
            reply = Reply(reply.status, {**reply.headers, "Content-Length": length}, b"")
        return reply

    def mock_transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` answering from this emulator, with no socket."""
        import httpx  # the sandbox must not need httpx unless this is used

        def respond(request: httpx.Request) -> httpx.Response:
            raw = request.url.raw_path.decode("ascii")
            path, _, query = raw.partition("?")
            try:
                reply = self.handle(
                    request.method,
                    path,
                    query,
                    dict(request.headers),
                    request.read(),
                    base_url=f"{request.url.scheme}://{request.url.netloc.decode('ascii')}",
                )
            except ConnectionDropped:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                ) from None
            return httpx.Response(reply.status, headers=reply.headers, content=reply.body)

        return httpx.MockTransport(respond)

    # -- device codes and tokens (test controls) --------------------------------------

    def approve_device(self, user_code: str, username: str | None = None) -> None:
        with self.state.lock:
            record = self._device(user_code)
            record.username = self.state.user(username).profile.username
            if record.status == "pending":
                record.status = "approved"

    def deny_device(self, user_code: str) -> None:
        with self.state.lock:
            self._device(user_code).status = "denied"

    def expire_device(self, user_code: str) -> None:
        with self.state.lock:
            self._device(user_code).status = "expired"

    def expire_access_token(self, access_token: str) -> None:
        with self.state.lock:
            record = self.state.tokens.get(access_token)
            if record is None:
                raise ValueError("no such access token in the sandbox")
            record.expired = True

    def _device(self, user_code: str) -> DeviceRecord:
        wanted = user_code.strip().upper()
        for record in self.state.devices.values():
            if record.user_code == wanted:
                return record
        raise ValueError(f"no device code with user code {user_code!r}")

    def unauthorized(self, reason: str) -> Reply:
        """401 with ``WWW-Authenticate``, as Trakt sends for a missing or dead token."""
        descriptions = {
            "missing": "An access token is required.",
            "invalid": "The access token is invalid.",
            "expired": "The access token expired.",
        }
        description = descriptions.get(reason, descriptions["invalid"])
        challenge = 'Bearer realm="Trakt API"'
        if reason != "missing":
            challenge += f', error="invalid_token", error_description="{description}"'
        return error_reply(401, "invalid_token", description, {"WWW-Authenticate": challenge})

    # -- internals ---------------------------------------------------------------------

    def _injected_fault(self, fault: float, pick: float) -> Reply | None:
        """A storm 429 or a server error drawn for this request, before any work."""
        knobs = self.knobs
        if fault < knobs.storm_rate:
            retry_after = format_retry_after(knobs.storm_retry_after, knobs.storm_retry_after)
            return empty_reply(429, {"Retry-After": retry_after})
        if fault < knobs.storm_rate + knobs.error_rate:
            return self._server_error(ERROR_STATUSES[int(pick * len(ERROR_STATUSES))])
        return None

    def _draw(self) -> tuple[float, float, float]:
        # Always three draws per request, so a seed gives the same faults whatever the rates.
        with self._rng_lock:
            if self.knobs.seed != self._rng_seed:
                self._rng_seed = self.knobs.seed
                self._rng = random.Random(self.knobs.seed)
            return self._rng.random(), self._rng.random(), self._rng.random()

    def _base_url(self, headers: Mapping[str, str]) -> str:
        if self.base_url:
            return self.base_url
        host = headers.get("host")
        return f"http://{host}" if host else "http://127.0.0.1"

    @staticmethod
    def _match(path: str) -> tuple[Route | None, dict[str, str]]:
        for route in ROUTES:
            found = route.pattern.match(path)
            if found is not None:
                return route, {k: v for k, v in found.groupdict().items() if v is not None}
        return None, {}

    @staticmethod
    def _server_error(status: int) -> Reply:
        if status >= 520:
            title = f"{status} | Cloudflare"
            page = f"<html><head><title>{title}</title></head><body>{title}</body></html>"
            return Reply(status, {"Content-Type": "text/html; charset=utf-8"}, page.encode("utf-8"))
        return error_reply(status, "server_error", "The sandbox injected a server error.")

    def _process(self, route: Route | None, req: Request) -> Reply:
        if not req.headers.get("user-agent", "").strip() and (
            route is None or route.kind != "page"
        ):
            return Reply(
                403,
                {"Content-Type": "text/html; charset=UTF-8", "Server": "cloudflare"},
                CLOUDFLARE_BLOCK.encode("utf-8"),
            )
        if route is None:
            # 405 "method/route doesn't exist"; 404 stays "no such record" (trakt-api.md 9).
            return empty_reply(405, {"Allow": ""})
        handler = route.handlers.get("GET" if req.method == "HEAD" else req.method)
        if handler is None:
            allowed = {*route.handlers, "HEAD"} if "GET" in route.handlers else set(route.handlers)
            return empty_reply(405, {"Allow": ", ".join(sorted(allowed))})
        if route.kind == "api":
            checked = self._check_api_headers(route, req)
            if checked is not None:
                return checked
        if req.method in WRITE_METHODS:
            parsed = self._parse_body(route, req)
            if parsed is not None:
                return parsed
        if route.kind == "api":
            limited = self._rate_limit(req)
            if limited is not None:
                return limited
        try:
            return handler(self, req)
        except BadRequest as exc:
            return error_reply(400, "bad_request", str(exc))

    def _check_api_headers(self, route: Route, req: Request) -> Reply | None:
        if req.headers.get("trakt-api-key") != self.state.client_id:
            return error_reply(403, "forbidden", "Invalid API key or unapproved app.")
        version = req.headers.get("trakt-api-version")
        if version is not None and version.strip() != "2":
            return error_reply(
                400, "bad_request", f"Unsupported trakt-api-version {version!r}; use 2."
            )
        authorization = req.headers.get("authorization", "").strip()
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return self.unauthorized("invalid")
            user = self.state.token_user(token.strip())
            if user is None:
                known = token.strip() in self.state.tokens
                return self.unauthorized("expired" if known else "invalid")
            req.user = user
        elif route.auth == "required":
            return self.unauthorized("missing")
        return None

    def _parse_body(self, route: Route, req: Request) -> Reply | None:
        mime = req.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        form_ok = route.kind in ("oauth", "page")
        if mime == "application/x-www-form-urlencoded" and form_ok:
            fields = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
            req.data = {name: values[-1] for name, values in fields.items()}
            return None
        if mime != "application/json":
            if route.kind == "page":
                req.data = {}
                return None
            return error_reply(412, "precondition_failed", "Content-Type must be application/json.")
        try:
            req.data = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return error_reply(400, "bad_request", f"The body is not valid JSON: {exc}")
        return None

    def _rate_limit(self, req: Request) -> Reply | None:
        knobs = self.knobs
        now = time.monotonic()
        user: UserRecord | None = req.user
        with self._limiter.lock:
            if req.method in WRITE_METHODS:
                if user is None:
                    return None
                key = user.profile.username
                last = self._limiter.last_write.get(key)
                wait = 0.0 if last is None else knobs.write_interval - (now - last)
                if wait > 0:
                    return self._too_many("AUTHED_API_POST_LIMIT", knobs.write_interval, 1, wait)
                self._limiter.last_write[key] = now
                return None
            if knobs.get_limit is None:
                return None
            limit, window = knobs.get_limit
            key = (
                f"user:{user.profile.username}"
                if user is not None
                else f"app:{self.state.client_id}"
            )
            stamps = self._limiter.gets.setdefault(key, deque())
            while stamps and now - stamps[0] >= window:
                stamps.popleft()
            if len(stamps) >= limit:
                name = "AUTHED_API_GET_LIMIT" if user is not None else "UNAUTHED_API_GET_LIMIT"
                return self._too_many(name, window, limit, stamps[0] + window - now)
            stamps.append(now)
            return None

    @staticmethod
    def _too_many(name: str, period: float, limit: int, wait: float) -> Reply:
        until = format_trakt_time(datetime.now(UTC) + timedelta(seconds=wait))
        header = json.dumps(
            {
                "name": name,
                "period": _number(period),
                "limit": limit,
                "remaining": 0,
                "until": until,
            },
            separators=(",", ":"),
        )
        return json_reply(
            429,
            {"error": "rate_limited", "error_description": f"{name} exceeded."},
            {"Retry-After": format_retry_after(wait, period), "X-Ratelimit": header},
        )
