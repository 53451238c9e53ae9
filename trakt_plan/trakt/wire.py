"""What every Trakt call carries, and how a failed exchange is put into words.

A leaf module: the API client and the OAuth calls both import it, and it imports
nothing else from the package but the version, so neither depends on the other.
"""

from __future__ import annotations

import httpx

from trakt_plan import __version__

__all__ = [
    "USER_AGENT",
    "describe_failure",
    "error_message_header",
    "looks_like_html",
    "not_json",
    "trakt_headers",
]

USER_AGENT = f"trakt-plan/{__version__}"

# Most specific first: ConnectTimeout is a TimeoutException too.
_FAILURE_WORDS: tuple[tuple[type[httpx.HTTPError], str], ...] = (
    (httpx.ConnectTimeout, "connecting timed out"),
    (httpx.ConnectError, "could not connect"),
    (httpx.ReadTimeout, "no answer within the timeout"),
    (httpx.TimeoutException, "timed out"),
    (httpx.RemoteProtocolError, "the connection dropped"),
    (httpx.ReadError, "the connection broke while reading"),
    (httpx.WriteError, "the connection broke while sending"),
)


def trakt_headers(client_id: str) -> dict[str, str]:
    """The headers Trakt wants on every call (the auth adds ``Authorization``)."""
    return {
        "trakt-api-version": "2",
        "trakt-api-key": client_id,
        # Cloudflare answers requests without a User-Agent with an HTML 403.
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


def describe_failure(exc: httpx.HTTPError) -> str:
    """A transport failure in a few words (never its text, which may hold a URL with secrets)."""
    for kind, text in _FAILURE_WORDS:
        if isinstance(exc, kind):
            return text
    return type(exc).__name__


def looks_like_html(response: httpx.Response) -> bool:
    """Whether a proxy, captive portal or Cloudflare page answered instead of the API."""
    content_type = response.headers.get("Content-Type", "").lower()
    return "html" in content_type or response.content.lstrip()[:1] == b"<"


def not_json(response: httpx.Response) -> str:
    """Why a body that should be JSON cannot be read."""
    if not response.content.strip():
        return "the body is empty"
    if looks_like_html(response):
        return (
            "it is an HTML page, not JSON (a proxy, captive portal or Cloudflare page answered "
            "instead of Trakt)"
        )
    return "the body is not valid JSON"


def error_message_header(response: httpx.Response) -> str:
    """Trakt's ``X-Error-Message``, shortened, as ``": text"`` (or ``""``)."""
    message = response.headers.get("X-Error-Message", "").strip()
    return f": {message[:200]}" if message else ""
