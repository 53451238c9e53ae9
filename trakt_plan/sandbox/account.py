"""The emulated account routes: ``/users/settings`` and ``/sync/last_activities``."""

from __future__ import annotations

from trakt_plan.sandbox.wire import Context, Reply, Request, json_reply

_CONNECTIONS = (
    "facebook",
    "twitter",
    "mastodon",
    "google",
    "tumblr",
    "medium",
    "slack",
    "apple",
    "dropbox",
    "microsoft",
)
_SHARING_TEXT = {
    "watching": "I'm watching [item]",
    "watched": "I just watched [item]",
    "rated": "[item] [stars]",
}
_LIMITS = {
    "list": {"count": 2, "item_count": 100},
    "watchlist": {"item_count": 100},
    "favorites": {"item_count": 50},
    "search": {"recent_count": 5},
    "collection": {"item_count": 100},
    "notes": {"item_count": 100},
}


def settings(ctx: Context, req: Request) -> Reply:
    """``GET /users/settings`` for the token's user."""
    assert req.user is not None
    profile = req.user.profile
    return json_reply(
        200,
        {
            "user": {
                "username": profile.username,
                "private": profile.private,
                "name": profile.name,
                "vip": profile.vip,
                "vip_ep": profile.vip_ep,
                "ids": {"slug": profile.slug, "uuid": profile.uuid},
                "joined_at": profile.joined_at,
                "location": profile.location,
                "about": profile.about,
                "gender": profile.gender,
                "age": profile.age,
                "images": {"avatar": {"full": f"{req.base_url}/images/avatars/{profile.slug}.png"}},
            },
            "account": {
                "timezone": profile.timezone,
                "date_format": profile.date_format,
                "time_24hr": profile.time_24hr,
                "cover_image": None,
            },
            "connections": dict.fromkeys(_CONNECTIONS, False),
            "sharing_text": _SHARING_TEXT,
            "limits": _LIMITS,
        },
    )


def last_activities(ctx: Context, req: Request) -> Reply:
    """``GET /sync/last_activities``: when each part of the account last changed."""
    assert req.user is not None
    with ctx.state.lock:
        return json_reply(200, req.user.last_activities)
