"""The emulated OAuth routes (``trakt-api.md`` section 2): device flow, PIN, refresh, revoke.

They live on the same host as the API. Besides the JSON API, tiny HTML forms let a person
approve a device code (``/activate``) or get a PIN (``/oauth/authorize``, ``/pin/{app}``,
for clients that log in with ``grant_type=authorization_code``) for the default user.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any

from trakt_plan.sandbox.state import DeviceRecord, TokenRecord
from trakt_plan.sandbox.wire import Context, Reply, Request, empty_reply, error_reply, json_reply
from trakt_plan.settings import OOB_REDIRECT_URI

# Device polls a little early by timer jitter are not the client's fault.
_POLL_SLACK = 0.005
_USER_CODE_ALPHABET = "0123456789ABCDEF"


def _field(req: Request, name: str) -> str | None:
    data = req.data if isinstance(req.data, dict) else {}
    value: Any = data.get(name)
    return value if isinstance(value, str) else None


def _invalid_client() -> Reply:
    return error_reply(
        401, "invalid_client", "Client authentication failed: unknown client or wrong secret."
    )


def _client_ok(ctx: Context, req: Request, *, secret: bool) -> bool:
    if _field(req, "client_id") != ctx.state.client_id:
        return False
    return not secret or _field(req, "client_secret") == ctx.state.client_secret


def _interval_value(seconds: float) -> float | int:
    return int(seconds) if float(seconds).is_integer() else seconds


def device_code(ctx: Context, req: Request) -> Reply:
    """``POST /oauth/device/code``: a new device code and the user code to type in."""
    if not _client_ok(ctx, req, secret=False):
        return _invalid_client()
    knobs = ctx.knobs
    with ctx.state.lock:
        while True:
            user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
            if all(device.user_code != user_code for device in ctx.state.devices.values()):
                break
        record = DeviceRecord(
            device_code=secrets.token_hex(32),
            user_code=user_code,
            client_id=ctx.state.client_id,
            interval=knobs.device_interval,
            expires_at=time.monotonic() + knobs.device_expires_in,
        )
        ctx.state.devices[record.device_code] = record
    return json_reply(
        200,
        {
            "device_code": record.device_code,
            "user_code": record.user_code,
            "verification_url": f"{req.base_url}/activate",
            "expires_in": knobs.device_expires_in,
            "interval": _interval_value(knobs.device_interval),
        },
    )


def device_token(ctx: Context, req: Request) -> Reply:
    """``POST /oauth/device/token``: 400 pending, 404, 409, 410, 418, 429 or 200 with tokens."""
    if not _client_ok(ctx, req, secret=True):
        return _invalid_client()
    state = ctx.state
    now = time.monotonic()
    with state.lock:
        record = state.devices.get(_field(req, "code") or "")
        if record is None:
            return error_reply(404, "invalid_grant", "Unknown device code.")
        previous, record.last_poll = record.last_poll, now
        if previous is not None and now - previous < record.interval - _POLL_SLACK:
            return error_reply(429, "slow_down", "Polling faster than the interval.")
        if record.status == "expired" or (record.status == "pending" and now >= record.expires_at):
            record.status = "expired"
            return error_reply(410, "expired_token", "The device code expired.")
        if record.status == "denied":
            return error_reply(418, "access_denied", "The user denied this code.")
        if record.status == "used":
            return error_reply(409, "already_used", "This device code was already used.")
        auto = ctx.knobs.device_auto_approve_after
        if record.status == "pending" and auto is not None and record.pending_polls >= auto:
            record.status = "approved"
            record.username = state.default_user
        if record.status == "approved":
            record.status = "used"
            return json_reply(200, state.issue_token(record.username, ctx.knobs.token_lifetime))
        record.pending_polls += 1
        return error_reply(400, "authorization_pending", "The user has not approved the code yet.")


_BAD_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, or was issued to another "
    "client."
)


def token(ctx: Context, req: Request) -> Reply:
    """``POST /oauth/token``: a refresh (single-use refresh tokens) or a PIN exchange."""
    if not _client_ok(ctx, req, secret=True):
        return _invalid_client()
    grant = _field(req, "grant_type")
    if grant not in ("refresh_token", "authorization_code"):
        return error_reply(400, "unsupported_grant_type", f"Grant type {grant!r} is not supported.")
    if _field(req, "redirect_uri") != OOB_REDIRECT_URI:
        return error_reply(
            400, "invalid_grant", "The redirect_uri does not match the one registered for the app."
        )
    state = ctx.state
    with state.lock:
        if grant == "authorization_code":
            username = state.redeem_authorization_code(_field(req, "code") or "")
            if username is None:
                return error_reply(400, "invalid_grant", _BAD_GRANT)
            return json_reply(200, state.issue_token(username, ctx.knobs.token_lifetime))
        access = state.refresh_tokens.get(_field(req, "refresh_token") or "")
        old: TokenRecord | None = state.tokens.get(access) if access is not None else None
        if old is None:
            return error_reply(400, "invalid_grant", _BAD_GRANT)
        # Rotation: the old pair dies with its first use.
        state.drop_token(old.access_token)
        return json_reply(200, state.issue_token(old.username, ctx.knobs.token_lifetime))


def revoke(ctx: Context, req: Request) -> Reply:
    """``POST /oauth/revoke``: forget an access token (and its refresh token); 200, empty."""
    if not _client_ok(ctx, req, secret=True):
        return _invalid_client()
    ctx.state.drop_token(_field(req, "token") or "")
    return empty_reply(200)


_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Activate - trakt-plan sandbox</title></head>
<body><h1>trakt-plan sandbox</h1><p>{message}</p>
<form method="post" action="/activate">
<label>Code <input name="user_code" value="{code}" autofocus></label>
<button type="submit">Approve for {user}</button></form></body></html>
"""


def _page(ctx: Context, status: int, message: str, code: str = "") -> Reply:
    body = _PAGE.format(
        message=html.escape(message),
        code=html.escape(code),
        user=html.escape(ctx.state.default_user),
    )
    return Reply(status, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))


def activate_page(ctx: Context, req: Request) -> Reply:
    """``GET /activate[/{code}]``: the approval form."""
    return _page(
        ctx, 200, "Enter the code the command line showed you.", req.params.get("code", "")
    )


def activate_submit(ctx: Context, req: Request) -> Reply:
    """``POST /activate``: approve a user code for the default user."""
    code = (_field(req, "user_code") or "").strip().upper()
    try:
        ctx.approve_device(code)
    except ValueError as exc:
        return _page(ctx, 404, str(exc), code)
    return _page(ctx, 200, f"Approved {code}: you can go back to the terminal.")


_AUTHORIZE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Authorize - trakt-plan sandbox</title></head>
<body><h1>trakt-plan sandbox</h1><p>{message}</p>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="client_id" value="{client_id}">
<button type="submit">Authorize for {user}</button></form></body></html>
"""


def authorize_page(ctx: Context, req: Request) -> Reply:
    """``GET /oauth/authorize?client_id=`` and ``GET /pin/{client_id}``: the consent form."""
    client_id = req.params.get("client_id") or req.arg("client_id") or ""
    if client_id != ctx.state.client_id:
        return _page(ctx, 404, f"No application with client id {client_id!r}.")
    body = _AUTHORIZE_PAGE.format(
        message="An application asks to read and change your watch history.",
        client_id=html.escape(client_id),
        user=html.escape(ctx.state.default_user),
    )
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))


def authorize_submit(ctx: Context, req: Request) -> Reply:
    """``POST /oauth/authorize``: consent for the default user; the page shows the PIN."""
    if _field(req, "client_id") != ctx.state.client_id:
        return _page(ctx, 404, "Unknown application.")
    code = ctx.state.issue_authorization_code()
    return _page(ctx, 200, f"Your PIN is {code}: type it where the application asks for it.")
