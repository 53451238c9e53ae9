"""Trakt's refusals (the statuses never retried) as the errors a person reads.

One function per status that has its own story, looked up in a table; every other
status is an :class:`~trakt_plan.errors.ApiError` with a hint where one helps.
429 and 5xx are not here: the sender retries those and words their last failure.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from trakt_plan.errors import (
    AccountLimitExceeded,
    AccountLocked,
    ApiError,
    AuthError,
    Forbidden,
    NotFound,
    TraktPlanError,
    VipRequired,
)
from trakt_plan.trakt.wire import looks_like_html

__all__ = ["refusal"]

_Translate = Callable[[httpx.Response, str, bool], TraktPlanError]

_HINTS = {
    400: " Trakt could not parse the request.",
    405: " This Trakt server does not know that endpoint; check the API base URL.",
    412: " Trakt wants the JSON content type.",
    422: " Trakt could not process the request's data.",
}


def refusal(response: httpx.Response, endpoint: str, *, logged_in: bool) -> TraktPlanError:
    """The error for a non-2xx answer that is not retried; ``logged_in``: a bearer was sent."""
    status = response.status_code
    translate = _BY_STATUS.get(status)
    if translate is not None:
        return translate(response, endpoint, logged_in)
    return ApiError(
        f"Trakt rejected {endpoint} with HTTP {status}.{_HINTS.get(status, '')}",
        status=status,
        endpoint=endpoint,
    )


def _unauthorized(response: httpx.Response, endpoint: str, logged_in: bool) -> TraktPlanError:
    if not logged_in:
        return AuthError(
            f"Trakt needs a login for {endpoint} (HTTP 401). Run `trakt-plan login` "
            "first, or set TRAKT_ACCESS_TOKEN."
        )
    return AuthError(
        f"Trakt rejected the login for {endpoint} (HTTP 401), even after refreshing "
        "the token. Run `trakt-plan login` to sign in again."
    )


def _forbidden(response: httpx.Response, endpoint: str, logged_in: bool) -> TraktPlanError:
    if looks_like_html(response):
        message = (
            f"Trakt blocked the request {endpoint} (HTTP 403 with an HTML page, which "
            "is what Cloudflare in front of Trakt sends). This happens when a request "
            "has no proper User-Agent or comes from a flagged network: if you use a VPN, "
            "proxy or cloud server, try again from another connection."
        )
    else:
        message = (
            f"Trakt refused {endpoint} (HTTP 403): the API key (client id) is not valid "
            "or the API app was removed. Since July 2026 only Trakt VIP members can "
            "create API apps, and some apps of free accounts disappeared; check the app "
            "at https://app.trakt.tv/settings/apps and set TRAKT_CLIENT_ID to the "
            "client id of a working one."
        )
    return Forbidden(message, status=403, endpoint=endpoint)


def _not_found(response: httpx.Response, endpoint: str, logged_in: bool) -> TraktPlanError:
    message = f"Trakt has no record for {endpoint} (HTTP 404)."
    return NotFound(message, status=404, endpoint=endpoint)


def _account_limit(response: httpx.Response, endpoint: str, logged_in: bool) -> TraktPlanError:
    headers = response.headers
    limit = headers.get("X-Account-Limit")
    upgrade = headers.get("X-Upgrade-URL")
    vip = headers.get("X-VIP-User", "").strip().lower() == "true"
    message = f"Trakt refused {endpoint} (HTTP 420): an account limit was reached"
    message += f" (limit: {limit})." if limit else "."
    if upgrade and not vip:
        message += f" Trakt VIP raises the limits: {upgrade}"
    return AccountLimitExceeded(message, status=420, endpoint=endpoint)


def _locked(response: httpx.Response, endpoint: str, logged_in: bool) -> TraktPlanError:
    deactivated = response.headers.get("X-Account-Deactivated", "").strip().lower() == "true"
    state = "deactivated" if deactivated else "locked"
    return AccountLocked(
        f"Trakt says this account is {state} (HTTP 423 on {endpoint}). Only Trakt "
        "support can fix this (https://trakt.tv/support); trakt-plan will send nothing "
        "else to this account.",
        status=423,
        endpoint=endpoint,
    )


def _vip_required(response: httpx.Response, endpoint: str, logged_in: bool) -> TraktPlanError:
    upgrade = response.headers.get("X-Upgrade-URL") or "https://trakt.tv/vip"
    return VipRequired(
        f"{endpoint} needs a Trakt VIP subscription (HTTP 426). Upgrade at {upgrade}.",
        status=426,
        endpoint=endpoint,
    )


_BY_STATUS: dict[int, _Translate] = {
    401: _unauthorized,
    403: _forbidden,
    404: _not_found,
    420: _account_limit,
    423: _locked,
    426: _vip_required,
}
