"""Trakt's timestamp format, in one place.

Trakt sends and expects UTC ISO-8601 with milliseconds and a ``Z``
(``2014-09-01T09:10:11.000Z``). Everything inside trakt-plan is an aware UTC
``datetime``; these functions are the only conversions (``parse_now`` reads the
``--now`` option of plan, doctor and guard).
"""

from __future__ import annotations

from datetime import UTC, datetime

from trakt_plan.errors import ConfigError


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


def parse_now(text: str | None) -> datetime | None:
    """``--now``: an ISO 8601 instant with its zone, such as ``2026-12-01T04:00:00Z``."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ConfigError(
            f"--now {text!r} is not an instant with its zone; write it like "
            "2026-12-01T04:00:00Z or 2026-12-01T05:00:00+01:00."
        )
    return value.astimezone(UTC)
