"""The plan language as pydantic models (section 2 of the product contract).

Every model is frozen and refuses unknown keys. Values arrive either from YAML
(through :mod:`trakt_plan.spec.load`) or from the JSON a saved plan embeds, so each
field accepts the text forms a person writes (``S03E16``, ``2m``, ``2025-11-17``,
``"6-7"``) and dumps back to those same forms: ``PlanSpec.model_validate(
spec.model_dump(mode="json"))`` gives back an equal spec.

Validation messages are written for the person who wrote the YAML. A failure that
concerns a value *below* the model being validated (the ``after`` inside a rule's
``drop``) raises :class:`SpecIssue` with the relative path, so the loader can point
at the exact line and column. This module does no I/O.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from functools import total_ordering
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from trakt_plan import __version__

__all__ = [
    "ACTIONS",
    "EPISODE_ONLY_CONDITIONS",
    "HISTORY_SCOPES",
    "Burst",
    "Conditions",
    "EpisodeCode",
    "EpisodeRange",
    "PlanSpec",
    "ProtectEntry",
    "Repeats",
    "Rule",
    "ScopeRef",
    "SpecIssue",
    "describe_value",
    "format_duration",
    "format_instant",
    "parse_duration",
    "parse_instant",
]

ACTIONS: frozenset[str] = frozenset({"scrobble", "checkin", "watch"})
HISTORY_SCOPES: tuple[str, ...] = ("all", "episodes", "movies")
# Conditions that look at (season, number): meaningless for movie plays.
EPISODE_ONLY_CONDITIONS: tuple[str, ...] = ("after", "before", "seasons", "episodes")

# Season numbers are small, but talk shows number seasons by year; the cap keeps a
# range like "1-999999999" from building a huge set.
_MAX_SEASON = 9999
# ASCII only: `\d` would also take other scripts' digits, which int() may not read.
_EPISODE_CODE = re.compile(r"[sS](\d{1,4})[eE](\d{1,5})", re.ASCII)
_DURATION = re.compile(r"(\d{1,9})\s*([smhd])", re.ASCII)
_DURATION_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
# A century: longer than any history, short enough for exact integer arithmetic anywhere.
_MAX_DURATION_DAYS = 36500
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_RULE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_SEASON_RANGE = re.compile(r"(\d{1,4})(?:\s*-\s*(\d{1,4}))?", re.ASCII)


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


def _suggest(word: str, choices: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    """``"; did you mean 'x'?"`` when a close match exists, else nothing."""
    if len(word) > 64:
        # difflib is quadratic; nobody mistypes a name that long.
        return ""
    close = get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _whole_number(value: Any, name: str, minimum: int, hint: str = "") -> int:
    # YAML `true` is a bool, which Python treats as an int: refuse it explicitly.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SpecIssue(
            f"{name} must be a whole number >= {minimum}{hint}, got {describe_value(value)}"
        )
    return value


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        if isinstance(value, set | frozenset):
            # Sets come from Python callers; give them a stable order for messages.
            items.sort(key=repr)
        return items
    return None


def _one_or_many(value: Any, empty: str) -> tuple[list[Any], bool]:
    """A condition written as one value or a list: (the items, whether it was one value).

    An empty list is refused with ``empty``: it would match nothing and hide a typo.
    """
    items = _as_list(value)
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
        text = value.strip()
        if _DATE_ONLY.fullmatch(text):
            try:
                return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
            except ValueError:
                raise SpecIssue(f"{name}: {text} is not a calendar date") from None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                raise SpecIssue(
                    f"{name} must say which time zone it is in: write {text}Z for UTC "
                    f"or add an offset like +01:00 (a date alone means midnight UTC)"
                )
            try:
                return parsed.astimezone(UTC)
            except OverflowError:
                raise SpecIssue(f"{name}: {text} is out of range") from None
    raise SpecIssue(
        f"{name} must be a date like 2025-11-17 or a date and time with a zone "
        f"like 2025-11-17T18:30:00Z, got {describe_value(value)}"
    )


def format_instant(value: datetime) -> str:
    """The text form :func:`parse_instant` reads back: a bare date for midnight UTC."""
    value = value.astimezone(UTC)
    if value.time() == time(0):
        return value.date().isoformat()
    fraction = f".{value.microsecond:06d}" if value.microsecond else ""
    return value.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


# ------------------------------------------------------------------------------ models


class _SpecModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@total_ordering
class EpisodeCode(_SpecModel):
    """One episode, ``S03E16``; ordered by (season, number). Season 0 holds the specials."""

    season: int
    number: int

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            code = cls.parse(value)
            return {"season": code.season, "number": code.number}
        return value

    @model_validator(mode="after")
    def _check_numbers(self) -> EpisodeCode:
        if self.season < 0:
            raise SpecIssue(f"season must be 0 (specials) or more, got {self.season}")
        if self.number < 1:
            raise SpecIssue(f"episode numbers start at 1, got {self.number}")
        return self

    @classmethod
    def parse(cls, text: str, name: str = "episode") -> EpisodeCode:
        """Read ``S03E16`` / ``s3e16`` (case-insensitive, any zero padding)."""
        match = _EPISODE_CODE.fullmatch(text.strip())
        if not match:
            raise SpecIssue(
                f"{name} must be an episode code like S03E16 (season 3, episode 16), "
                f"got {describe_value(text)}"
            )
        season, number = int(match.group(1)), int(match.group(2))
        if number < 1:
            raise SpecIssue(f"{name}: episode numbers start at 1, got {text.strip()}")
        return cls.model_construct(season=season, number=number)

    @model_serializer
    def _to_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"S{self.season:02d}E{self.number:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, EpisodeCode):
            return NotImplemented
        return (self.season, self.number) < (other.season, other.number)


class EpisodeRange(_SpecModel):
    """An inclusive run of episodes, ``S06E02-S06E05``; a single code is a range of one."""

    first: EpisodeCode
    last: EpisodeCode

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            parsed = cls.parse(value)
            return {"first": parsed.first, "last": parsed.last}
        if isinstance(value, EpisodeCode):
            return {"first": value, "last": value}
        return value

    @model_validator(mode="after")
    def _check_order(self) -> EpisodeRange:
        if self.last < self.first:
            raise SpecIssue(
                f"the episode range {self.first}-{self.last} runs backwards; "
                f"write {self.last}-{self.first}"
            )
        return self

    @classmethod
    def parse(cls, text: str, name: str = "episodes") -> EpisodeRange:
        """Read ``S06E02-S06E05`` or a single code such as ``S03E13``."""
        parts = text.split("-")
        if len(parts) > 2:
            raise SpecIssue(
                f"{name} items are episode codes or ranges like S06E02-S06E05, "
                f"got {describe_value(text)}"
            )
        try:
            first = EpisodeCode.parse(parts[0], name)
            last = EpisodeCode.parse(parts[-1], name) if len(parts) == 2 else first
        except SpecIssue:
            raise SpecIssue(
                f"{name} items are episode codes or ranges like S06E02-S06E05, "
                f"got {describe_value(text)}"
            ) from None
        if last < first:
            raise SpecIssue(
                f"the episode range {text.strip()} runs backwards; write {last}-{first}"
            )
        return cls.model_construct(first=first, last=last)

    def contains(self, code: EpisodeCode) -> bool:
        """Whether ``code`` lies in the range, both ends included."""
        return self.first <= code <= self.last

    @model_serializer
    def _to_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


class Burst(_SpecModel):
    """``burst: {plays: N, within: 2m}``: runs of >= N plays, each within ``within`` of the last."""

    plays: int
    within: timedelta

    @model_validator(mode="before")
    @classmethod
    def _need_mapping(cls, value: Any) -> Any:
        if not isinstance(value, dict | Burst):
            raise SpecIssue(
                "burst must be a mapping like {plays: 5, within: 2m}, "
                f"got {describe_value(value)}"
            )
        return value

    @field_validator("plays", mode="before")
    @classmethod
    def _check_plays(cls, value: Any) -> int:
        return _whole_number(value, "burst plays", 2)

    @field_validator("within", mode="before")
    @classmethod
    def _check_within(cls, value: Any) -> timedelta:
        return parse_duration(value, "burst within")

    @field_serializer("within")
    def _dump_within(self, value: timedelta) -> str:
        return format_duration(value)


class Repeats(_SpecModel):
    """Repeated plays of one episode or movie: keep the first or last, drop the others.

    ``within`` only counts plays that close to the kept one (double scrobbles);
    ``per: day`` keeps one play per calendar day in ``timezone`` (default: the
    account's). ``within`` and ``per`` exclude each other.
    """

    keep: Literal["first", "last"]
    within: timedelta | None = None
    per: Literal["day"] | None = None
    timezone: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            short = {"keep_first": "first", "keep_last": "last"}
            if value.strip() in short:
                return {"keep": short[value.strip()]}
            raise SpecIssue(
                "repeats must be keep_first, keep_last or a mapping like "
                f"{{keep: first, within: 30m}}, got {describe_value(value)}"
                + _suggest(value.strip(), tuple(short))
            )
        if not isinstance(value, dict | Repeats):
            raise SpecIssue(
                "repeats must be keep_first, keep_last or a mapping like "
                f"{{keep: first, within: 30m}}, got {describe_value(value)}"
            )
        return value

    @field_validator("keep", mode="before")
    @classmethod
    def _check_keep(cls, value: Any) -> str:
        if value in ("first", "last"):
            return str(value)
        raise SpecIssue(f"repeats keep must be first or last, got {describe_value(value)}")

    @field_validator("within", mode="before")
    @classmethod
    def _check_within(cls, value: Any) -> timedelta | None:
        if value is None:
            return None
        within = parse_duration(value, "repeats within")
        if within <= timedelta(0):
            raise SpecIssue(
                "repeats within must be longer than 0s (to drop every repeat, leave within out)"
            )
        return within

    @field_validator("per", mode="before")
    @classmethod
    def _check_per(cls, value: Any) -> str | None:
        if value is None:
            return None
        if value == "day":
            return "day"
        raise SpecIssue(f"repeats per must be day, got {describe_value(value)}")

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            name = value.strip()
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
            else:
                return name
            raise SpecIssue(
                f"repeats timezone must be an IANA time zone like Europe/Paris or "
                f"America/New_York, got {describe_value(value)}"
                + _suggest(name, sorted(available_timezones()))
            )
        raise SpecIssue(
            "repeats timezone must be an IANA time zone like Europe/Paris, "
            f"got {describe_value(value)}"
        )

    @model_validator(mode="after")
    def _check_combination(self) -> Repeats:
        if self.within is not None and self.per is not None:
            raise SpecIssue(
                "repeats takes either within: (plays close to the kept one) or per: day "
                "(one play per day), not both",
                ("per",),
            )
        if self.timezone is not None and self.per is None:
            raise SpecIssue("repeats timezone only applies with per: day", ("timezone",))
        return self

    @field_serializer("within")
    def _dump_within(self, value: timedelta | None) -> str | None:
        return None if value is None else format_duration(value)


class Conditions(_SpecModel):
    """The conditions under ``drop:``, ``unless:`` and ``when:``; all given ones must hold.

    A block with nothing set is *empty* (:attr:`is_empty`). ``all: true`` matches
    every play, also alongside other conditions.
    """

    after: EpisodeCode | None = None
    before: EpisodeCode | None = None
    seasons: frozenset[int] | None = None
    episodes: tuple[EpisodeRange, ...] | None = None
    watched_from: datetime | None = None
    watched_until: datetime | None = None
    action: frozenset[str] | None = None
    same_timestamp: int | None = None
    burst: Burst | None = None
    repeats: Repeats | None = None
    history_ids: frozenset[int] | None = None
    all: bool = False

    @field_validator("after", "before", mode="before")
    @classmethod
    def _check_code(cls, value: Any, info: ValidationInfo) -> EpisodeCode | None:
        if value is None or isinstance(value, EpisodeCode):
            return value
        if isinstance(value, str):
            return EpisodeCode.parse(value, str(info.field_name))
        raise SpecIssue(
            f"{info.field_name} must be an episode code like S03E16, got {describe_value(value)}"
        )

    @field_validator("seasons", mode="before")
    @classmethod
    def _check_seasons(cls, value: Any) -> frozenset[int] | None:
        if value is None:
            return None
        items = _as_list(value)
        if items is None:
            return frozenset(_season_item(value))
        if not items:
            raise SpecIssue("seasons must list at least one season")
        seasons: set[int] = set()
        for index, item in enumerate(items):
            try:
                seasons.update(_season_item(item))
            except SpecIssue as issue:
                raise SpecIssue(issue.message, (index,)) from None
        return frozenset(seasons)

    @field_validator("episodes", mode="before")
    @classmethod
    def _check_episodes(cls, value: Any) -> tuple[EpisodeRange, ...] | None:
        if value is None:
            return None
        items, single = _one_or_many(value, "episodes must list at least one episode code or range")
        ranges: list[EpisodeRange] = []
        for index, item in enumerate(items):
            where: tuple[str | int, ...] = () if single else (index,)
            if isinstance(item, EpisodeRange):
                ranges.append(item)
            elif isinstance(item, EpisodeCode):
                ranges.append(EpisodeRange.model_construct(first=item, last=item))
            elif isinstance(item, str):
                try:
                    ranges.append(EpisodeRange.parse(item))
                except SpecIssue as issue:
                    raise SpecIssue(issue.message, where) from None
            else:
                raise SpecIssue(
                    "episodes items are episode codes or ranges like S06E02-S06E05, "
                    f"got {describe_value(item)}",
                    where,
                )
        return tuple(ranges)

    @field_validator("watched_from", "watched_until", mode="before")
    @classmethod
    def _check_instant(cls, value: Any, info: ValidationInfo) -> datetime | None:
        return None if value is None else parse_instant(value, str(info.field_name))

    @field_validator("action", mode="before")
    @classmethod
    def _check_action(cls, value: Any) -> frozenset[str] | None:
        if value is None:
            return None
        items, single = _one_or_many(
            value, "action must name at least one of scrobble, checkin, watch"
        )
        actions: set[str] = set()
        for index, item in enumerate(items):
            if isinstance(item, str) and item.strip() in ACTIONS:
                actions.add(item.strip())
                continue
            hint = _suggest(item.strip(), ACTIONS) if isinstance(item, str) else ""
            raise SpecIssue(
                f"action must be scrobble, checkin or watch, got {describe_value(item)}{hint}",
                () if single else (index,),
            )
        return frozenset(actions)

    @field_validator("same_timestamp", mode="before")
    @classmethod
    def _check_same_timestamp(cls, value: Any) -> int | None:
        if value is None:
            return None
        return _whole_number(value, "same_timestamp", 2)

    @field_validator("history_ids", mode="before")
    @classmethod
    def _check_history_ids(cls, value: Any) -> frozenset[int] | None:
        if value is None:
            return None
        items, single = _one_or_many(value, "history_ids must list at least one history id")
        ids: set[int] = set()
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                raise SpecIssue(
                    "history_ids must be history ids (whole numbers, as shown by "
                    f"`trakt-plan history`), got {describe_value(item)}",
                    () if single else (index,),
                )
            ids.add(item)
        return frozenset(ids)

    @field_validator("all", mode="before")
    @classmethod
    def _check_all(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise SpecIssue(f"all must be true or false, got {describe_value(value)}")

    @model_validator(mode="after")
    def _check_window(self) -> Conditions:
        _check_window(self.watched_from, self.watched_until)
        return self

    @field_serializer("after", "before")
    def _dump_code(self, value: EpisodeCode | None) -> str | None:
        return None if value is None else str(value)

    @field_serializer("episodes")
    def _dump_episodes(self, value: tuple[EpisodeRange, ...] | None) -> list[str] | None:
        return None if value is None else [str(item) for item in value]

    @field_serializer("seasons", "history_ids")
    def _dump_numbers(self, value: frozenset[int] | None) -> list[int] | None:
        return None if value is None else sorted(value)

    @field_serializer("action")
    def _dump_action(self, value: frozenset[str] | None) -> list[str] | None:
        return None if value is None else sorted(value)

    @field_serializer("watched_from", "watched_until")
    def _dump_instant(self, value: datetime | None) -> str | None:
        return None if value is None else format_instant(value)

    @property
    def present(self) -> tuple[str, ...]:
        """The names of the conditions that are set, in declaration order."""
        names = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None and value is not False:
                names.append(name)
        return tuple(names)

    @property
    def is_empty(self) -> bool:
        """True when no condition is set (``all: false`` counts as not set)."""
        return not self.present


def _season_item(value: Any) -> range:
    hint = 'seasons must be season numbers like [6, 7] or a range like "6-7"'
    if isinstance(value, bool):
        raise SpecIssue(f"{hint}, got {describe_value(value)}")
    if isinstance(value, int):
        if not 0 <= value <= _MAX_SEASON:
            raise SpecIssue(f"seasons must be between 0 (specials) and {_MAX_SEASON}, got {value}")
        return range(value, value + 1)
    if isinstance(value, str):
        text = value.strip()
        match = _SEASON_RANGE.fullmatch(text)
        if match:
            low = int(match.group(1))
            high = low if match.group(2) is None else int(match.group(2))
            if high < low:
                raise SpecIssue(f"the season range {text} runs backwards; write {high}-{low}")
            return range(low, high + 1)
    raise SpecIssue(f"{hint}, got {describe_value(value)}")


def _check_window(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and start >= end:
        raise SpecIssue(
            f"watched_until ({format_instant(end)}) must be later than watched_from "
            f"({format_instant(start)}): watched_from is inclusive, watched_until exclusive",
            ("watched_until",),
        )


class ScopeRef(_SpecModel):
    """What a rule or protect entry looks at; hashable, so it keys resolved scopes.

    ``kind`` is ``show``, ``movie`` or ``history``. For ``history`` the ``ref`` is
    ``all``, ``episodes`` or ``movies``; for shows and movies it is the reference as
    the user wrote it (id, slug, URL, ``imdb:tt...`` or title), which ``resolve``
    interprets.
    """

    kind: Literal["show", "movie", "history"]
    ref: str
    year: int | None = None

    @model_validator(mode="after")
    def _check_history_ref(self) -> ScopeRef:
        if self.kind == "history" and self.ref not in HISTORY_SCOPES:
            raise SpecIssue(
                f"history must be all, episodes or movies, got {describe_value(self.ref)}", ("ref",)
            )
        return self

    @property
    def movies_only(self) -> bool:
        """True when the scope holds no episode plays (a movie, or ``history: movies``)."""
        return self.kind == "movie" or (self.kind == "history" and self.ref == "movies")

    def __str__(self) -> str:
        year = f" ({self.year})" if self.year is not None else ""
        return f"{self.kind}: {self.ref}{year}"


def _check_media_ref(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise SpecIssue(
        f"{name} must be a Trakt id, slug, URL, imdb:/tvdb:/tmdb: id or exact title, "
        f"got {describe_value(value)}"
    )


def _check_history_ref(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in HISTORY_SCOPES:
        return value.strip()
    hint = _suggest(value.strip(), HISTORY_SCOPES) if isinstance(value, str) else ""
    raise SpecIssue(f"history must be all, episodes or movies, got {describe_value(value)}{hint}")


def _check_year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1800 <= value <= 2999:
        return value
    raise SpecIssue(f"year must be a four-digit year like 2013, got {describe_value(value)}")


def _scope_of(
    owner: str, show: str | None, movie: str | None, history: str | None, year: int | None
) -> ScopeRef:
    given = [
        (kind, ref)
        for kind, ref in (("show", show), ("movie", movie), ("history", history))
        if ref is not None
    ]
    if not given:
        raise SpecIssue(f"{owner} needs a scope: one of show:, movie: or history:")
    if len(given) > 1:
        raise SpecIssue(
            f"{owner} has exactly one scope, but this one has both {given[0][0]}: "
            f"and {given[1][0]}:",
            (given[1][0],),
        )
    kind, ref = given[0]
    if year is not None and kind == "history":
        raise SpecIssue(
            "year only narrows a show: or movie: title, not a history: scope", ("year",)
        )
    return ScopeRef(kind=kind, ref=ref, year=year)


def _check_episode_only(scope: ScopeRef, block: str, conditions: Conditions | None) -> None:
    if conditions is None or not scope.movies_only:
        return
    for name in EPISODE_ONLY_CONDITIONS:
        if getattr(conditions, name) is not None:
            raise SpecIssue(
                f"{name} only applies to episode plays, but this scope is {scope} "
                "(movies have no seasons or episodes)",
                (block, name),
            )


def _need_mapping(value: Any, what: str) -> Any:
    if not isinstance(value, dict | BaseModel):
        raise SpecIssue(f"{what}, got {describe_value(value)}")
    return value


def _check_block(value: Any, block: str) -> Any:
    if value is None or isinstance(value, Conditions):
        return value
    return _need_mapping(value, f"{block} must be a mapping of conditions (key: value lines)")


class _Scoped(_SpecModel):
    """The scope keys a rule and a protect entry share: exactly one of show/movie/history."""

    # How error messages name the model ("a rule must have ...").
    _what: ClassVar[str] = "a scope"

    show: str | None = None
    movie: str | None = None
    history: Literal["all", "episodes", "movies"] | None = None
    year: int | None = None

    @field_validator("show", "movie", mode="before")
    @classmethod
    def _check_ref(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_media_ref(value, str(info.field_name))

    @field_validator("history", mode="before")
    @classmethod
    def _check_history(cls, value: Any) -> str | None:
        return _check_history_ref(value)

    @field_validator("year", mode="before")
    @classmethod
    def _check_year(cls, value: Any) -> int | None:
        return _check_year(value)

    @property
    def scope(self) -> ScopeRef:
        """The plays this rule looks at, or this entry protects."""
        return _scope_of(self._what, self.show, self.movie, self.history, self.year)


class Rule(_Scoped):
    """One rule: a scope, an optional time window, what to ``drop`` and what to spare."""

    _what: ClassVar[str] = "a rule"

    name: str
    watched_from: datetime | None = None
    watched_until: datetime | None = None
    drop: Conditions
    unless: Conditions | None = None

    @model_validator(mode="before")
    @classmethod
    def _need_rule_mapping(cls, value: Any) -> Any:
        return _need_mapping(
            value,
            "each rule must be a mapping with name:, a scope (show:, movie: or history:) and drop:",
        )

    @field_validator("name", mode="before")
    @classmethod
    def _check_name(cls, value: Any) -> str:
        if isinstance(value, str) and _RULE_NAME.fullmatch(value):
            return value
        raise SpecIssue(
            "a rule name is made of letters, digits, '_', '.' and '-' "
            f"(like aos-bulk), got {describe_value(value)}"
        )

    @field_validator("watched_from", "watched_until", mode="before")
    @classmethod
    def _check_instant(cls, value: Any, info: ValidationInfo) -> datetime | None:
        return None if value is None else parse_instant(value, str(info.field_name))

    @field_validator("drop", mode="before")
    @classmethod
    def _check_drop(cls, value: Any) -> Any:
        if value is None:
            raise SpecIssue(_EMPTY_DROP)
        return _check_block(value, "drop")

    @field_validator("unless", mode="before")
    @classmethod
    def _check_unless(cls, value: Any) -> Any:
        return _check_block(value, "unless")

    @model_validator(mode="after")
    def _check_rule(self) -> Rule:
        scope = self.scope
        _check_window(self.watched_from, self.watched_until)
        if self.drop.is_empty:
            raise SpecIssue(_EMPTY_DROP, ("drop",))
        if self.unless is not None and self.unless.is_empty:
            raise SpecIssue(
                "unless has no conditions; remove it, or list the plays to spare", ("unless",)
            )
        _check_episode_only(scope, "drop", self.drop)
        _check_episode_only(scope, "unless", self.unless)
        return self

    @field_serializer("watched_from", "watched_until")
    def _dump_instant(self, value: datetime | None) -> str | None:
        return None if value is None else format_instant(value)


_EMPTY_DROP = (
    "drop has no conditions, which would remove every play in scope; "
    "write `drop: {all: true}` if that is what you mean"
)


class ProtectEntry(_Scoped):
    """A top-level ``protect:`` entry: plays no rule may remove (all of a scope, or ``when``)."""

    _what: ClassVar[str] = "a protect entry"

    when: Conditions | None = None

    @model_validator(mode="before")
    @classmethod
    def _need_entry_mapping(cls, value: Any) -> Any:
        return _need_mapping(
            value,
            "each protect entry must be a mapping like {show: 1394} or "
            "{show: 1394, when: {seasons: [3]}}",
        )

    @field_validator("when", mode="before")
    @classmethod
    def _check_when(cls, value: Any) -> Any:
        return _check_block(value, "when")

    @model_validator(mode="after")
    def _check_entry(self) -> ProtectEntry:
        scope = self.scope
        if self.when is not None and self.when.is_empty:
            raise SpecIssue(
                "when has no conditions; remove it to protect the whole scope", ("when",)
            )
        _check_episode_only(scope, "when", self.when)
        return self


class PlanSpec(_SpecModel):
    """A whole plan file: the rules whose deletions are unioned, and what to protect."""

    version: Literal[1]
    description: str | None = None
    max_deletions: int = 5000
    rules: tuple[Rule, ...]
    protect: tuple[ProtectEntry, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _need_plan_mapping(cls, value: Any) -> Any:
        return _need_mapping(value, "a plan must be a mapping with version: 1 and rules:")

    @field_validator("version", mode="before")
    @classmethod
    def _check_version(cls, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            if value == 1:
                return 1
            raise SpecIssue(
                f"version {value} is not supported by trakt-plan {__version__}; "
                "this version reads version 1"
            )
        raise SpecIssue(f"version must be the number 1, got {describe_value(value)}")

    @field_validator("description", mode="before")
    @classmethod
    def _check_description(cls, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        raise SpecIssue(f"description must be text, got {describe_value(value)}")

    @field_validator("max_deletions", mode="before")
    @classmethod
    def _check_max_deletions(cls, value: Any) -> int:
        return _whole_number(value, "max_deletions", 0)

    @field_validator("rules", mode="before")
    @classmethod
    def _check_rules(cls, value: Any) -> Any:
        items = _as_list(value)
        if items is None:
            raise SpecIssue(
                f"rules must be a list of rules (each starting with `- name:`), "
                f"got {describe_value(value)}"
            )
        if not items:
            raise SpecIssue("rules is empty; a plan needs at least one rule")
        return items

    @field_validator("protect", mode="before")
    @classmethod
    def _check_protect(cls, value: Any) -> Any:
        if value is None:
            return ()
        items = _as_list(value)
        if items is None:
            raise SpecIssue(
                "protect must be a list of entries like `- show: 1394`, "
                f"got {describe_value(value)}"
            )
        return items

    @model_validator(mode="after")
    def _check_names(self) -> PlanSpec:
        seen: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.name in seen:
                raise SpecIssue(
                    f"two rules are named {rule.name!r} (rules[{seen[rule.name]}] and "
                    f"rules[{index}]); deletions cite rules by name, so names must be unique",
                    ("rules", index, "name"),
                )
            seen[rule.name] = index
        return self

    def scopes(self) -> tuple[ScopeRef, ...]:
        """Every distinct scope named by a rule or protect entry, in file order."""
        ordered: dict[ScopeRef, None] = {}
        for rule in self.rules:
            ordered.setdefault(rule.scope, None)
        for entry in self.protect:
            ordered.setdefault(entry.scope, None)
        return tuple(ordered)
