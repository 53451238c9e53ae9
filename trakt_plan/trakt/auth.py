"""Trakt OAuth: the device-code login, token refresh, revoke, and where tokens live.

Secrets stay inside this module: tokens are never logged, printed or put in an
exception message (``Token``'s repr hides them too), the token file is written
atomically with mode 0600 in a 0700 directory, and a token given through
``TRAKT_ACCESS_TOKEN`` (:class:`StaticTokenAuth`) is never written anywhere.
Prompts go through callbacks; this module prints nothing.

Every OAuth call goes to ``auth_base`` (``https://auth.trakt.tv`` since July 2026).
"""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from trakt_plan.errors import ApiError, AuthError, Forbidden, NetworkError, RateLimited
from trakt_plan.fsutil import atomic_write
from trakt_plan.settings import OOB_REDIRECT_URI, ensure_private_dir, refuse_writable_by_others
from trakt_plan.trakt.models import DeviceCode, Token
from trakt_plan.trakt.wire import trakt_headers

__all__ = [
    "OAuthApp",
    "StaticTokenAuth",
    "TokenStore",
    "TraktAuth",
    "device_login",
    "poll_device_token",
    "refresh_token",
    "request_device_code",
    "revoke_token",
]

_LOGIN_AGAIN = "Run `trakt-plan login` to sign in again."
# Polling keeps going through this many network failures in a row before giving up.
_POLL_NETWORK_FAILURES = 3


@dataclass(frozen=True)
class OAuthApp:
    """The API app as Trakt's auth server knows it: where to post, and who is asking.

    Every OAuth call needs these three together; the secret stays out of the repr.
    """

    auth_base: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)

    def credentials(self) -> dict[str, str]:
        """The app's part of a token request's body (the secret only when there is one)."""
        if self.client_secret is None:
            return {"client_id": self.client_id}
        return {"client_id": self.client_id, "client_secret": self.client_secret}


class TokenStore:
    """The saved token pair, one JSON file (normally ``<config dir>/token.json``).

    ``on_insecure`` receives a warning when :meth:`load` finds the file readable by
    other users; the token is still used, and ``insecure_permissions`` says so. A
    file other users could write to is refused (ConfigError), as ssh does.
    """

    def __init__(self, path: Path, *, on_insecure: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.insecure_permissions = False
        self._on_insecure = on_insecure
        self._warned = False

    def __repr__(self) -> str:
        return f"TokenStore({str(self.path)!r})"

    def load(self) -> Token | None:
        """The saved token, or ``None`` when nobody is logged in."""
        try:
            mode = self.path.stat().st_mode
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthError(
                f"Cannot read the token file {self.path} ({exc.strerror or exc}). Fix its "
                f"permissions or delete it, then run `trakt-plan login`."
            ) from None
        # Anyone who could write it could slip in a token of their own account.
        refuse_writable_by_others(self.path, what="the token file")
        self.insecure_permissions = bool(mode & (stat.S_IRWXG | stat.S_IRWXO))
        if self.insecure_permissions and self._on_insecure is not None and not self._warned:
            # Once per store: the token is re-read on every refresh.
            self._warned = True
            self._on_insecure(
                f"The token file {self.path} can be read by other users of this machine "
                f"(mode {stat.S_IMODE(mode):o}); run `chmod 600 {self.path}` to protect it."
            )
        try:
            return Token.model_validate(json.loads(raw))
        except (ValueError, ValidationError):
            raise AuthError(
                f"The token file {self.path} is damaged and cannot be used. Run "
                "`trakt-plan login` to sign in again; it replaces the file."
            ) from None

    def save(self, token: Token) -> None:
        """Write the token atomically, readable by the owner only."""
        ensure_private_dir(self.path.parent)
        payload = json.dumps(token.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
        atomic_write(self.path, payload, mode=0o600)
        self.insecure_permissions = False

    def delete(self) -> bool:
        """Remove the saved token; ``False`` when there was none."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


@dataclass(eq=False, repr=False)
class TraktAuth(httpx.Auth):
    """Bearer auth from a :class:`TokenStore` that keeps the token fresh.

    Before a request, a token within ``margin`` seconds of its expiry is refreshed;
    a 401 triggers one refresh and one re-send. Refresh tokens are single-use, so
    refreshing is serialized with a lock, skipped when another thread (or another
    process, through the token file) already rotated the token, and the new pair is
    saved before any request uses it. ``http`` sends the refreshes to ``app``'s auth base.
    """

    store: TokenStore
    _: KW_ONLY
    http: httpx.Client
    app: OAuthApp
    clock: Callable[[], float] = time.time
    margin: float = 600.0
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _token: Token | None = field(default=None, init=False)

    def __repr__(self) -> str:
        return f"TraktAuth(store={self.store!r})"

    def current_token(self) -> Token:
        """The token requests will carry, refreshed first if it is about to expire."""
        with self._lock:
            token = self._loaded()
            now = self.clock()
            # Without a refresh token, a token inside the margin is still used until it expires.
            if now >= token.expires_at - self.margin and (
                token.refresh_token or now >= token.expires_at
            ):
                token = self._refresh(token)
            return token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the bearer; on a 401, refresh once (unless done meanwhile) and re-send.

        This flow takes a lock and reads and writes the token file, so it overrides
        ``sync_auth_flow`` rather than ``auth_flow``, as httpx asks of such flows.
        """
        token = self.current_token()
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code != 401:
            return
        # Read the 401 before refreshing, so its connection goes back to the pool.
        response.read()
        token = self._token_after_rejection(token.access_token)
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        # A second 401 goes back to the client, which turns it into an AuthError.
        yield request

    def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Refused: the refresh goes through the sync ``httpx.Client`` given as ``http``."""
        raise TypeError("TraktAuth works with httpx.Client only, not httpx.AsyncClient")

    def _token_after_rejection(self, rejected: str) -> Token:
        with self._lock:
            token = self._loaded()
            if token.access_token != rejected:
                return token
            return self._refresh(token)

    def _loaded(self) -> Token:
        if self._token is None:
            self._token = self.store.load()
        if self._token is None:
            raise AuthError("Not logged in to Trakt. Run `trakt-plan login` first.")
        return self._token

    def _refresh(self, token: Token) -> Token:
        """Rotate the pair; the caller holds the lock."""
        # Another trakt-plan process may have rotated the single-use refresh token already.
        on_disk = self.store.load()
        if on_disk is not None and on_disk.access_token != token.access_token:
            self._token = token = on_disk
            if self.clock() < on_disk.expires_at - self.margin:
                return on_disk
        if not token.refresh_token:
            raise AuthError(f"The Trakt login has expired and cannot be refreshed. {_LOGIN_AGAIN}")
        fresh = refresh_token(self.http, self.app, token.refresh_token)
        try:
            self.store.save(fresh)
        except OSError as exc:
            raise AuthError(
                f"Trakt issued a new token but it could not be saved to {self.store.path} "
                f"({exc.strerror or exc}); the old one is no longer valid. Fix the directory's "
                f"permissions, then run `trakt-plan login`."
            ) from None
        self._token = fresh
        return fresh


class StaticTokenAuth(httpx.Auth):
    """Bearer auth from ``TRAKT_ACCESS_TOKEN``: used as is, never refreshed or saved."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def __repr__(self) -> str:
        return "StaticTokenAuth(<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the bearer; a 401 raises AuthError, since there is nothing to refresh."""
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        response = yield request
        if response.status_code == 401:
            raise AuthError(
                f"Trakt rejected TRAKT_ACCESS_TOKEN (HTTP 401 on {request.method} "
                f"{request.url.path}): it is invalid, expired or revoked. Set a fresh token, or "
                "unset TRAKT_ACCESS_TOKEN and run `trakt-plan login`."
            )


# -------------------------------------------------------------------- OAuth calls


def request_device_code(http: httpx.Client, app: OAuthApp) -> DeviceCode:
    """``POST /oauth/device/code``: the code the user enters at the verification URL."""
    response = _post(http, app, "/oauth/device/code", {"client_id": app.client_id})
    if response.status_code != 200:
        raise _oauth_error(response, "start the login")
    return _parse(DeviceCode, response, "/oauth/device/code")


def poll_device_token(
    http: httpx.Client,
    app: OAuthApp,
    code: DeviceCode,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Token:
    """Poll ``POST /oauth/device/token`` every ``interval`` until the user decides.

    Pending (400) keeps polling, "slow down" (429) doubles the interval; every
    other outcome (invalid, used, expired, denied, or ``expires_in`` running out)
    raises :class:`~trakt_plan.errors.AuthError` saying what to do next.
    """
    deadline = clock() + code.expires_in
    # An interval of 0 would poll as fast as the network allows.
    interval = code.interval if code.interval > 0 else 5.0
    body = {"code": code.device_code, **app.credentials()}
    network_failures = 0
    while True:
        sleep(interval)
        if clock() >= deadline:
            raise AuthError(
                f"The login code {code.user_code} expired before it was approved. Run "
                "`trakt-plan login` again and enter the new code."
            )
        try:
            response = _post(http, app, "/oauth/device/token", body)
        except NetworkError:
            network_failures += 1
            if network_failures >= _POLL_NETWORK_FAILURES:
                raise
            continue
        network_failures = 0
        status = response.status_code
        if status == 200:
            return _parse_token(response, "/oauth/device/token")
        if status == 400:
            continue
        if status == 429:
            interval *= 2
            continue
        outcome = {
            404: "Trakt does not know this login code",
            409: f"The login code {code.user_code} was already used",
            410: f"The login code {code.user_code} expired",
        }.get(status)
        if outcome is not None:
            raise AuthError(f"{outcome}. Run `trakt-plan login` again to get a new code.")
        if status == 418:
            raise AuthError(
                f"The login was denied on Trakt (code {code.user_code}); nothing was saved. Run "
                "`trakt-plan login` again if that was a mistake."
            )
        raise _oauth_error(response, "finish the login")


def device_login(
    http: httpx.Client,
    app: OAuthApp,
    *,
    store: TokenStore,
    on_code: Callable[[DeviceCode], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Token:
    """The whole device flow: get a code, show it through ``on_code``, poll, save the token."""
    code = request_device_code(http, app)
    on_code(code)
    token = poll_device_token(http, app, code, sleep=sleep, clock=clock)
    store.save(token)
    return token


def refresh_token(http: httpx.Client, app: OAuthApp, refresh_token: str) -> Token:
    """``POST /oauth/token`` with ``grant_type=refresh_token``: a new pair (the old one dies)."""
    body = {
        "refresh_token": refresh_token,
        "redirect_uri": OOB_REDIRECT_URI,
        "grant_type": "refresh_token",
        **app.credentials(),
    }
    response = _post(http, app, "/oauth/token", body)
    if response.status_code in (400, 401) and _oauth_error_code(response) != "invalid_client":
        raise AuthError(
            f"Trakt refused to refresh the login (HTTP {response.status_code}"
            f"{_with_code(response)}). Refresh tokens work only once, and Trakt's "
            "July 2026 auth migration invalidated older ones. " + _LOGIN_AGAIN
        )
    if response.status_code != 200:
        raise _oauth_error(response, "refresh the login")
    return _parse_token(response, "/oauth/token")


def revoke_token(http: httpx.Client, app: OAuthApp, access_token: str) -> None:
    """``POST /oauth/revoke``: tell Trakt the token is no longer wanted (logout)."""
    response = _post(http, app, "/oauth/revoke", {"token": access_token, **app.credentials()})
    if not 200 <= response.status_code < 300:
        raise _oauth_error(response, "revoke the token")


# ----------------------------------------------------------------------- helpers


def _post(http: httpx.Client, app: OAuthApp, path: str, body: dict[str, str]) -> httpx.Response:
    headers = trakt_headers(app.client_id)
    headers["Content-Type"] = "application/json"
    url = app.auth_base.rstrip("/") + path
    try:
        return http.post(url, content=json.dumps(body).encode("utf-8"), headers=headers)
    except httpx.HTTPError as exc:
        # The exception text names the OS-level cause; it never holds the body's secrets.
        raise NetworkError(
            f"Could not reach Trakt's login server for POST {path} at {app.auth_base} "
            f"({type(exc).__name__}). Check the network connection and the auth base URL."
        ) from None


def _oauth_error(response: httpx.Response, action: str) -> Exception:
    status = response.status_code
    endpoint = f"POST {response.request.url.path}"
    if status == 403 or _oauth_error_code(response) == "invalid_client":
        return Forbidden(
            f"Trakt would not {action} (HTTP {status} on {endpoint}): the client id or secret "
            "is not valid, or the API app was removed. Since July 2026 only Trakt VIP members "
            "can create API apps, and some apps of free accounts disappeared; check the app at "
            "https://app.trakt.tv/settings/apps.",
            status=status,
            endpoint=endpoint,
        )
    if status == 429:
        return RateLimited(
            f"Trakt's login server is rate limiting ({endpoint}); wait a minute and try again.",
            status=status,
            endpoint=endpoint,
        )
    if status >= 500:
        return ApiError(
            f"Trakt's login server failed (HTTP {status} on {endpoint}) while trying to {action}. "
            "Try again later (https://status.trakt.tv).",
            status=status,
            endpoint=endpoint,
        )
    return ApiError(
        f"Trakt would not {action} (HTTP {status} on {endpoint}{_with_code(response)}).",
        status=status,
        endpoint=endpoint,
    )


def _oauth_error_code(response: httpx.Response) -> str:
    """The OAuth ``error`` code (``invalid_grant`` and the like), or ``""``."""
    try:
        data = response.json()
    except ValueError:
        return ""
    code = data.get("error") if isinstance(data, dict) else None
    # Only short machine codes: a free-form description could echo anything.
    if isinstance(code, str) and code.replace("_", "").isalnum() and len(code) <= 40:
        return code
    return ""


def _with_code(response: httpx.Response) -> str:
    code = _oauth_error_code(response)
    return f", {code}" if code else ""


def _parse(model: type[DeviceCode], response: httpx.Response, path: str) -> DeviceCode:
    try:
        return model.model_validate(response.json())
    except (ValueError, ValidationError):
        raise _unreadable(path) from None


def _parse_token(response: httpx.Response, path: str) -> Token:
    try:
        data: Any = response.json()
        if isinstance(data, dict) and "created_at" not in data:
            # Older token responses omit created_at; the answer is fresh, so now is right.
            data = {**data, "created_at": int(time.time())}
        return Token.model_validate(data)
    except (ValueError, ValidationError):
        raise _unreadable(path) from None


def _unreadable(path: str) -> ApiError:
    return ApiError(
        f"Trakt sent a response trakt-plan cannot read for POST {path}. Try again, and report "
        "it if it persists.",
        endpoint=f"POST {path}",
    )
