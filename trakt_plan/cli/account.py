"""``login``, ``logout`` and ``whoami``: the Trakt account a command acts for."""

from __future__ import annotations

from typing import Annotated

import typer

from trakt_plan.runtime import Runtime


def login(rt: Runtime) -> None:
    """Log in to Trakt with the device flow and save the tokens (mode 0600).

    Example: TRAKT_CLIENT_ID=... TRAKT_CLIENT_SECRET=... trakt-plan login
    """
    from trakt_plan.trakt.connect import login as device_login

    def show_code(url: str, code: str) -> None:
        rt.ui.info(f"Open {url} and enter the code {code}")
        rt.ui.info("Waiting for you to approve trakt-plan…")

    settings = rt.live_settings()
    username = device_login(settings, on_code=show_code)
    rt.ui.info(f"Logged in as {username}. Tokens saved in {settings.token_path}.")


def logout(rt: Runtime) -> None:
    """Revoke the saved token at Trakt and delete it from disk.

    Example: trakt-plan logout
    """
    from trakt_plan.trakt.connect import logout as revoke

    removed = revoke(rt.live_settings(), warn=rt.ui.warn)
    rt.ui.info("Logged out." if removed else "Not logged in; nothing to do.")


def whoami(
    rt: Runtime,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the Trakt account the saved token (or TRAKT_ACCESS_TOKEN) belongs to.

    Example: trakt-plan whoami --json
    """
    settings = rt.client().user_settings()
    if as_json:
        rt.ui.json(
            {
                "username": settings.user.username,
                "name": settings.user.name,
                "vip": settings.user.vip,
                "slug": settings.user.ids.slug,
                "timezone": settings.account.timezone,
                "api_base": rt.api_label,
            }
        )
    else:
        rt.ui.whoami(settings, api_base=rt.api_label)
