"""The emulator's request and reply values, shared by the routes and both transports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from trakt_plan.sandbox.state import UserRecord

JSON_TYPE = "application/json; charset=utf-8"


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
