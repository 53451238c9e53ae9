"""The value forms of the plan language: durations, instants, and how bad values are reported.

Every form accepts the text a person writes (``2m``, ``2025-11-17``) and formats back to
it, so a spec dumped to JSON and validated again is equal to the original. A failure raises
:class:`SpecIssue`, which the loader turns into ``file:line:col``. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, ValidationInfo

__all__ = [
    "AS_DURATION",
    "Clock",
    "Instant",
    "RelativeInstant",
    "SpecIssue",
    "SpecModel",
    "as_list",
    "checked",
    "describe_value",
    "format_clock",
    "format_duration",
    "format_instant",
    "one_or_many",
    "parse_clock",
    "parse_duration",
    "parse_instant",
    "parse_timezone",
    "relative_text",
    "resolve_relative",
    "suggest",
    "whole_number",
]

_DURATION = re.compile(r"(\d{1,9})\s*([smhd])", re.ASCII)
_DURATION_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
# A century: longer than any history, short enough for exact integer arithmetic anywhere.
_MAX_DURATION_DAYS = 36500
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)


class SpecIssue(ValueError):
    """A validation failure, with the path of the offending value below the model.

    ``subpath`` is relative to the model whose validator raised it, in pydantic's
    ``loc`` style: ``("drop", "after")`` inside a rule, ``(2,)`` inside a list.
    The loader appends it to pydantic's location to find the YAML line and column.
    """

    def __init__(self, message: str, subpath: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.subpath = subpath


class SpecModel(BaseModel):
    """The base of every plan-language model: frozen, and unknown keys are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def describe_value(value: Any) -> str:
    """Show a value the way the user wrote it, for the "got ..." part of messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest(word: str, choices: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    """``"; did you mean 'x'?"`` when a close match exists, else nothing."""
    if len(word) > 64:
        # difflib is quadratic; nobody mistypes a name that long.
        return ""
    close = get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def whole_number(value: Any, name: str, minimum: int, hint: str = "") -> int:
    """``value`` as a whole number of at least ``minimum``, or a SpecIssue naming ``name``."""
    # YAML `true` is a bool, which Python treats as an int: refuse it explicitly.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SpecIssue(
            f"{name} must be a whole number >= {minimum}{hint}, got {describe_value(value)}"
        )
    return value


def checked(parse: Callable[..., Any], *args: Any, optional: bool = False) -> BeforeValidator:
    """A field validator that is ``parse(value, *args)``, for ``Annotated[type, checked(...)]``.

    The args name the field the way messages do (``"burst within"``). With ``optional`` a
    null (``timezone: ~`` in YAML) stays None rather than reaching ``parse``.
    """

    def check(value: Any) -> Any:
        if optional and value is None:
            return None
        return parse(value, *args)

    return BeforeValidator(check)


def as_list(value: Any) -> list[Any] | None:
    """The items of a list-like value (sets in a stable order), or None for anything else."""
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        if isinstance(value, set | frozenset):
            # Sets come from Python callers; give them a stable order for messages.
            items.sort(key=repr)
        return items
    return None


def one_or_many(value: Any, empty: str) -> tuple[list[Any], bool]:
    """A condition written as one value or a list: (the items, whether it was one value).

    An empty list is refused with ``empty``: it would match nothing and hide a typo.
    """
    items = as_list(value)
    if items is None:
        return [value], True
    if not items:
        raise SpecIssue(empty)
    return items, False


# --------------------------------------------------------------------------- durations


def parse_duration(value: Any, name: str = "duration") -> timedelta:
    """Parse ``0s``, ``90s``, ``2m``, ``1h`` or ``2d`` (a whole number and one unit)."""
    if isinstance(value, timedelta):
        if value < timedelta(0) or value.microseconds or value.days > _MAX_DURATION_DAYS:
            raise SpecIssue(
                f"{name} must be a whole number of seconds from 0s to {_MAX_DURATION_DAYS}d, "
                f"got {value}"
            )
        return value
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match:
            seconds = int(match.group(1)) * _DURATION_UNITS[match.group(2)]
            if seconds > _MAX_DURATION_DAYS * 86400:
                raise SpecIssue(
                    f"{name} is too long: {value.strip()} (at most {_MAX_DURATION_DAYS}d)"
                )
            return timedelta(seconds=seconds)
    raise SpecIssue(
        f"{name} must be a duration like 90s, 2m, 1h or 2d "
        f"(a whole number and one unit), got {describe_value(value)}"
    )


def format_duration(value: timedelta) -> str:
    """The shortest text form :func:`parse_duration` reads back to ``value``."""
    seconds = int(value.total_seconds())
    for unit, size in _DURATION_UNITS.items():
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return "0s"


# A duration field dumps back to the text :func:`parse_duration` reads.
AS_DURATION = PlainSerializer(format_duration, return_type=str)


# ----------------------------------------------------------------------------- instants


def parse_instant(value: Any, name: str = "time") -> datetime:
    """Parse a date (midnight UTC) or an ISO datetime that carries a zone, into aware UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise SpecIssue(f"{name} must carry a time zone, got {value.isoformat()}")
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    if isinstance(value, str):
        parsed = _instant_text(value.strip(), name)
        if parsed is not None:
            return parsed
    raise SpecIssue(
        f"{name} must be a date like 2025-11-17, a date and time with a zone "
        f"like 2025-11-17T18:30:00Z, or relative (today, yesterday, 30d ago), "
        f"got {describe_value(value)}"
    )


def _instant_text(text: str, name: str) -> datetime | None:
    """An ISO date or zoned datetime, a SpecIssue when it is nearly one, else None."""
    if _DATE_ONLY.fullmatch(text):
        try:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        except ValueError:
            raise SpecIssue(f"{name}: {text} is not a calendar date") from None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        raise SpecIssue(
            f"{name} must say which time zone it is in: write {text}Z for UTC "
            f"or add an offset like +01:00 (a date alone means midnight UTC)"
        )
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise SpecIssue(f"{name}: {text} is out of range") from None


def format_instant(value: datetime) -> str:
    """The text form :func:`parse_instant` reads back: a bare date for midnight UTC."""
    value = value.astimezone(UTC)
    if value.time() == time(0):
        return value.date().isoformat()
    fraction = f".{value.microsecond:06d}" if value.microsecond else ""
    return value.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


_RELATIVE = re.compile(r"(\d{1,9})\s*([smhdw])\s+ago", re.ASCII | re.IGNORECASE)
_WEEK = 7 * 86400
# Where a relative date waits until the plan is made: far from any real play, so a plan that
# forgot to resolve it would select nothing rather than something wrong (the planner refuses).
_PENDING = datetime(1, 1, 2, tzinfo=UTC)


class RelativeInstant(datetime):
    """An instant written relative to when the plan is made: ``today``, ``yesterday``,
    ``30d ago``. It is a ``datetime`` (the resolved instant) that keeps the ``text`` it came
    from; until :func:`resolve_relative` gives it one, it is ``pending``. Build one with
    :meth:`of`; what datetime arithmetic derives from it has no text."""

    text: str = ""
    pending: bool = False

    @classmethod
    def of(cls, at: datetime, text: str, *, pending: bool = False) -> RelativeInstant:
        """The instant ``at`` (any zone; kept in UTC), written as ``text``."""
        at = at.astimezone(UTC)
        value = cls(at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond, UTC)
        value.text = text
        value.pending = pending
        return value

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # datetime's own reduction would rebuild it without its text.
        return (_relative_instant, (self.isoformat(), self.text, self.pending))


def _relative_instant(iso: str, text: str, pending: bool) -> RelativeInstant:
    return RelativeInstant.of(datetime.fromisoformat(iso), text, pending=pending)


def relative_text(value: Any) -> str | None:
    """The normal form of a relative date (``today``, ``30d ago``), or None if it is not one."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.strip().lower().split())
    if text in ("today", "yesterday"):
        return text
    match = _RELATIVE.fullmatch(text)
    return f"{int(match.group(1))}{match.group(2)} ago" if match else None


def resolve_relative(text: str, now: datetime, timezone: str) -> RelativeInstant:
    """``text`` (a :func:`relative_text`) as an instant: ``today`` and ``yesterday`` are the
    start of that day in ``timezone``; ``N{s,m,h,d,w} ago`` is that long before ``now``."""
    if text in ("today", "yesterday"):
        zone = ZoneInfo(timezone)
        day = now.astimezone(zone).date() - timedelta(days=1 if text == "yesterday" else 0)
        return RelativeInstant.of(datetime.combine(day, time(0), tzinfo=zone), text)
    amount, unit = text.removesuffix(" ago")[:-1], text.removesuffix(" ago")[-1]
    size = _WEEK if unit == "w" else _DURATION_UNITS[unit]
    seconds = int(amount) * size
    if seconds > _MAX_DURATION_DAYS * 86400:
        raise SpecIssue(f"{text} is too far back (at most {_MAX_DURATION_DAYS}d)")
    return RelativeInstant.of(now - timedelta(seconds=seconds), text)


def _validate_instant(value: Any, info: ValidationInfo) -> datetime:
    name = str(info.field_name)
    if isinstance(value, RelativeInstant) and value.text and not value.pending:
        return value
    if isinstance(value, dict) and set(value) == {"relative", "at"}:
        # A saved plan records a resolved relative date with both its text and its instant.
        text = relative_text(value["relative"])
        if text is None:
            raise SpecIssue(f"{name}: {describe_value(value['relative'])} is not a relative date")
        return RelativeInstant.of(parse_instant(value["at"], name), text)
    text = relative_text(value.text if isinstance(value, RelativeInstant) else value)
    if text is None:
        return parse_instant(value, name)
    context = info.context or {}
    if "now" not in context:
        # Validated offline: the form is checked, the instant waits for the plan.
        if text not in ("today", "yesterday"):
            resolve_relative(text, datetime(9999, 1, 1, tzinfo=UTC), "UTC")
        return RelativeInstant.of(_PENDING, text, pending=True)
    return resolve_relative(text, context["now"], context["timezone"])


def _dump_instant(value: datetime) -> str | dict[str, str]:
    if isinstance(value, RelativeInstant) and value.text:
        if value.pending:
            return value.text
        return {"relative": value.text, "at": format_instant(value)}
    return format_instant(value)


Instant = Annotated[
    datetime,
    BeforeValidator(_validate_instant),
    PlainSerializer(_dump_instant),
]
"""A point in time as a plan writes it: ``2025-11-17``, a zoned ISO datetime, or relative to
when the plan is made (``today``, ``yesterday``, ``30d ago``, ``12h ago``, ``2w ago``)."""


def parse_timezone(value: Any, name: str) -> str:
    """An IANA time zone name the tz database knows, like ``Europe/Paris``."""
    if isinstance(value, str) and value.strip():
        zone = value.strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return zone
        raise SpecIssue(
            f"{name} must be an IANA time zone like Europe/Paris or "
            f"America/New_York, got {describe_value(value)}"
            + suggest(zone, sorted(available_timezones()))
        )
    raise SpecIssue(
        f"{name} must be an IANA time zone like Europe/Paris, got {describe_value(value)}"
    )


def parse_clock(value: Any, name: str) -> time:
    """A time of day written ``HH:MM`` (24-hour clock), like ``05:00``."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    hint = " (quote it: YAML reads 05:00 unquoted as a number)" if isinstance(value, int) else ""
    raise SpecIssue(
        f'{name} must be a time of day like "05:00" (24-hour HH:MM), '
        f"got {describe_value(value)}{hint}"
    )


def format_clock(value: time) -> str:
    """The ``HH:MM`` text :func:`parse_clock` reads back."""
    return f"{value.hour:02d}:{value.minute:02d}"


def _validate_clock(value: Any, info: ValidationInfo) -> time:
    return parse_clock(value, str(info.field_name))


Clock = Annotated[
    time,
    BeforeValidator(_validate_clock),
    PlainSerializer(format_clock, return_type=str),
]
"""A time of day as a plan writes it, ``"05:00"``."""
