"""Trakt's timestamp format, in one place.

Trakt sends and expects UTC ISO-8601 with milliseconds and a ``Z``
(``2014-09-01T09:10:11.000Z``). Everything inside trakt-plan is an aware UTC
``datetime``; these two functions are the only conversions.
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_trakt_time(text: str) -> datetime:
    """Parse a Trakt timestamp (or any ISO-8601 string with a zone) into aware UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        # Trakt documents every time as UTC; a zone-less value can only mean that.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_trakt_time(value: datetime) -> str:
    """Format an aware datetime the way Trakt writes it: UTC, milliseconds, ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
