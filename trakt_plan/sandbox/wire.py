"""The emulator's request and reply values, shared by the routes and both transports.

Routes see the emulator only through :class:`Context`, so the route modules and the
request dispatcher (``app.py``) do not import each other.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

from trakt_plan.sandbox.knobs import Knobs
from trakt_plan.sandbox.state import SandboxState, UserRecord

JSON_TYPE = "application/json; charset=utf-8"
MAX_LIMIT = 250

T = TypeVar("T")


class Reply(NamedTuple):
    """What the emulator answers: ``(status, headers, body)``."""

    status: int
    headers: dict[str, str]
    body: bytes


class ConnectionDropped(Exception):
    """Raised after a request was handled (and committed) to say: close without answering.

    The socket server closes the connection; the mock transport raises the error httpx
    raises when a server hangs up (``httpx.RemoteProtocolError``).
    """


@dataclass
class Request:
    """One parsed request as the route functions see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    data: Any = None  # the parsed JSON (or form) body of a POST
    user: UserRecord | None = None
    base_url: str = ""

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def extended(self, level: str) -> bool:
        """Whether ``?extended=`` (a comma-separated list) names ``level``."""
        parts = (self.arg("extended") or "").split(",")
        return level in {part.strip() for part in parts}


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    merged = {"Content-Type": JSON_TYPE}
    merged.update(headers or {})
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Reply(status, merged, body)


def error_reply(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Reply:
    return json_reply(status, {"error": error, "error_description": description}, headers)


def empty_reply(status: int, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, dict(headers or {}), b"")


class BadRequest(Exception):
    """A request value the route cannot use; becomes a 400."""


class Context(Protocol):
    """What a route may use of the emulator that called it."""

    @property
    def state(self) -> SandboxState: ...

    @property
    def knobs(self) -> Knobs: ...

    def unauthorized(self, reason: str) -> Reply:
        """401 for a ``missing``, ``invalid`` or ``expired`` token."""
        ...

    def approve_device(self, user_code: str, username: str | None = None) -> None:
        """Let a pending device code through for ``username`` (default user)."""
        ...


Handler = Callable[[Context, Request], Reply]


def _positive(text: str | None, default: int) -> int:
    if text is None or not text.strip().lstrip("+").isdigit():
        return default
    return max(int(text), 1)


def paginate(
    req: Request, items: Sequence[T], default_limit: int
) -> tuple[list[T], dict[str, str]]:
    """One page of ``items`` and Trakt's four pagination headers (limit clamped to 250)."""
    page = _positive(req.arg("page"), 1)
    limit = min(_positive(req.arg("limit"), default_limit), MAX_LIMIT)
    total = len(items)
    start = (page - 1) * limit
    chunk = list(items[start : start + limit]) if start < total else []
    headers = {
        "X-Pagination-Page": str(page),
        "X-Pagination-Limit": str(limit),
        "X-Pagination-Page-Count": str(max(1, math.ceil(total / limit))),
        "X-Pagination-Item-Count": str(total),
    }
    return chunk, headers
