"""Notifications for unattended runs through Apprise: one URL per service, no code per service.

``guard`` tells a person what happened while they slept: mail, ntfy, Discord, Telegram, a JSON
webhook, whatever their Apprise URL names. Each URL is sent to once per run, on its own, so one
dead service neither stops the others nor hides them; a failure comes back as a line naming
the URL (with its secrets masked) and Apprise's reason, never as an exception: a notification
is a report about the run, not part of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Literal

import apprise

__all__ = ["NotifyKind", "notify_urls", "split_urls"]

NotifyKind = Literal["info", "success", "warning", "failure"]

_TYPES = {
    "info": apprise.NotifyType.INFO,
    "success": apprise.NotifyType.SUCCESS,
    "warning": apprise.NotifyType.WARNING,
    "failure": apprise.NotifyType.FAILURE,
}


def split_urls(flags: Sequence[str], environment: str | None) -> list[str]:
    """The URLs to notify: the flags, then the space-separated variable, each once, in order."""
    found = [*flags, *(environment or "").split()]
    return list(dict.fromkeys(url.strip() for url in found if url.strip()))


def notify_urls(
    urls: Iterable[str], *, title: str, body: str, kind: NotifyKind = "info"
) -> list[str]:
    """Send the Markdown ``body`` to every URL once; return one line per URL that failed."""
    failures = []
    for url in dict.fromkeys(urls):
        problem = _notify_one(url, title=title, body=body, kind=kind)
        if problem is not None:
            failures.append(problem)
    return failures


def _notify_one(url: str, *, title: str, body: str, kind: NotifyKind) -> str | None:
    # Apprise logs why a send failed; capture it so the reason comes back as text, not noise.
    capture = apprise.LogCapture(level=logging.WARNING, fmt="%(message)s")  # type: ignore[no-untyped-call]
    with capture as log:
        sender = apprise.Apprise()
        if not sender.add(url):
            return f"{_mask(url)}: not a notification URL Apprise knows (see its wiki for schemes)"
        private: str = sender[0].url(privacy=True)  # type: ignore[no-untyped-call]
        shown = private.split("?", 1)[0]  # the query is Apprise's defaults, not what was typed
        try:
            sent = bool(
                sender.notify(
                    body=body,
                    title=title,
                    notify_type=_TYPES[kind],
                    body_format=apprise.NotifyFormat.MARKDOWN,
                )
            )
        # A plugin bug must not turn a finished run into a traceback; say what broke instead.
        except Exception as error:
            return f"{shown}: {type(error).__name__}: {error}"
    if sent:
        return None
    reasons = [line for line in log.getvalue().splitlines() if line.strip()]
    return f"{shown}: {'; '.join(reasons) or 'the service refused the notification'}"


def _mask(url: str) -> str:
    """The scheme and host of a URL Apprise could not parse: enough to find it, no secret."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/..." if rest else "(an unreadable URL)"
