"""From :class:`~trakt_plan.settings.Settings` to a logged-in client, and the account commands.

The CLI never touches httpx; this is where the HTTP client, the token store and
the auth are put together (and taken apart again by ``logout``).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from trakt_plan.errors import AuthError, ConfigError, TraktPlanError
from trakt_plan.settings import Settings, ensure_private_dir
from trakt_plan.trakt.auth import (
    OAuthApp,
    StaticTokenAuth,
    TokenStore,
    TraktAuth,
    device_login,
    revoke_token,
)
from trakt_plan.trakt.client import TraktClient
from trakt_plan.trakt.models import DeviceCode

# Reads of 250 plays can be slow on a loaded Trakt; connecting should not be.
_TIMEOUT = httpx.Timeout(60.0, connect=15.0)


def _client_id(settings: Settings) -> str:
    if not settings.client_id:
        raise ConfigError(
            "no Trakt API app configured: set TRAKT_CLIENT_ID and TRAKT_CLIENT_SECRET (or pass "
            "--client-id/--client-secret, or put client_id/client_secret in "
            f"{settings.config_dir / 'config.toml'}). To try trakt-plan without an account, "
            "add --sandbox."
        )
    return settings.client_id


def open_public_client(settings: Settings) -> TraktClient:
    """A client without a login, for Trakt's public catalogue endpoints (the app's id only)."""
    http = httpx.Client(timeout=_TIMEOUT)
    return TraktClient(http, api_base=settings.api_base, client_id=_client_id(settings))


def open_client(settings: Settings, *, warn: Callable[[str], None]) -> TraktClient:
    """A client for ``settings``: TRAKT_ACCESS_TOKEN if set, else the saved login."""
    client_id = _client_id(settings)
    http = httpx.Client(timeout=_TIMEOUT)
    try:
        auth: httpx.Auth
        if settings.access_token and not settings.sandbox:
            auth = StaticTokenAuth(settings.access_token)
        else:
            store = TokenStore(settings.token_path, on_insecure=warn)
            if store.load() is None:
                raise AuthError(
                    "not logged in to Trakt: run `trakt-plan login` (or set TRAKT_ACCESS_TOKEN "
                    "for scripts)."
                )
            app = OAuthApp(settings.auth_base, client_id, settings.client_secret)
            auth = TraktAuth(store, http=http, app=app)
        return TraktClient(
            http,
            api_base=settings.api_base,
            client_id=client_id,
            auth=auth,
            concurrency=settings.read_concurrency,
        )
    except BaseException:
        http.close()
        raise


def login(settings: Settings, *, on_code: Callable[[str, str], None]) -> str:
    """Run the device flow, save the tokens and return the account's username."""
    client_id = _client_id(settings)
    if not settings.client_secret:
        raise ConfigError(
            "logging in needs the app's client secret too: set TRAKT_CLIENT_SECRET or pass "
            "--client-secret."
        )
    ensure_private_dir(settings.token_path.parent)
    store = TokenStore(settings.token_path)

    def show(code: DeviceCode) -> None:
        on_code(code.verification_url, code.user_code)

    with httpx.Client(timeout=_TIMEOUT) as http:
        app = OAuthApp(settings.auth_base, client_id, settings.client_secret)
        device_login(http, app, store=store, on_code=show)
    with open_client(settings, warn=lambda message: None) as client:
        return client.user_settings().user.username


def logout(settings: Settings, *, warn: Callable[[str], None]) -> bool:
    """Revoke the saved token (best effort) and delete it. False if there was none."""
    store = TokenStore(settings.token_path)
    token = store.load()
    if token is None:
        return False
    if settings.client_id:
        with httpx.Client(timeout=_TIMEOUT) as http:
            try:
                app = OAuthApp(settings.auth_base, settings.client_id, settings.client_secret)
                revoke_token(http, app, token.access_token)
            except (TraktPlanError, httpx.HTTPError) as exc:
                # The local token goes either way; a dead server must not keep it on disk.
                warn(f"Trakt did not confirm the revocation ({exc}); deleting the local token.")
    store.delete()
    return True
