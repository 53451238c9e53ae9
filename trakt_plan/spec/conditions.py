"""The conditions under ``drop:``, ``unless:`` and ``protect: when:``, as pydantic models.

A condition either looks at one play at a time (its episode, time, action, id) or is
*scope-wide*: it judges a play by the other plays of its scope (how many share its second,
whether it repeats an earlier play). :data:`SCOPE_WIDE` names the second kind once, for the
planner (which judges them before any other filtering) and for the fetch layer (which must
read a protect entry's whole scope for them).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from trakt_plan.spec.accidents import AtRelease, Flood, RuntimeChain
from trakt_plan.spec.episodes import EpisodeCode, EpisodeRange, parse_seasons
from trakt_plan.spec.values import (
    AS_DURATION,
    Clock,
    Instant,
    RelativeInstant,
    SpecIssue,
    SpecModel,
    checked,
    describe_value,
    format_clock,
    format_duration,
    format_instant,
    one_or_many,
    parse_clock,
    parse_duration,
    parse_timezone,
    suggest,
    whole_number,
)

__all__ = [
    "ACTIONS",
    "EPISODE_ONLY_CONDITIONS",
    "RUNTIME",
    "SCOPE_WIDE",
    "Burst",
    "Conditions",
    "IdRange",
    "Repeats",
    "TimeOfDay",
    "check_window",
    "scope_wide",
]

ACTIONS: frozenset[str] = frozenset({"scrobble", "checkin", "watch"})
# Conditions that look at (season, number): meaningless for movie plays.
EPISODE_ONLY_CONDITIONS: tuple[str, ...] = ("after", "before", "seasons", "episodes")
# Conditions that judge a play by the other plays of its scope.
SCOPE_WIDE: tuple[str, ...] = ("same_timestamp", "burst", "repeats", "runtime_chain", "flood")
RUNTIME = "runtime"


class Burst(SpecModel):
    """``burst: {plays: N, within: 2m}``: runs of >= N plays, each within ``within`` of the last."""

    plays: Annotated[int, checked(whole_number, "burst plays", 2)]
    within: Annotated[timedelta, checked(parse_duration, "burst within"), AS_DURATION]

    @model_validator(mode="before")
    @classmethod
    def _need_mapping(cls, value: Any) -> Any:
        if not isinstance(value, dict | Burst):
            raise SpecIssue(
                "burst must be a mapping like {plays: 5, within: 2m}, "
                f"got {describe_value(value)}"
            )
        return value


_REPEATS_FORMS = (
    "repeats must be keep_first, keep_last or a mapping like {keep: first, within: 30m}"
)


class Repeats(SpecModel):
    """Repeated plays of one episode or movie: keep the first or last, drop the others.

    ``within`` only counts plays that close to the kept one (double scrobbles), or less than
    the item's runtime apart (``within: runtime``); ``per: day`` keeps one play per calendar
    day in ``timezone`` (default: the account's), a day starting at ``day_starts``.
    ``within`` and ``per`` exclude each other. ``prefer: scrobble`` keeps a scrobbled (then
    checked-in) play of each group when there is one.
    """

    keep: Literal["first", "last"]
    within: timedelta | Literal["runtime"] | None = None
    per: Literal["day"] | None = None
    timezone: Annotated[str | None, checked(parse_timezone, "repeats timezone", optional=True)] = (
        None
    )
    day_starts: Clock | None = None
    prefer: Literal["scrobble"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            short = {"keep_first": "first", "keep_last": "last"}
            if value.strip() in short:
                return {"keep": short[value.strip()]}
            raise SpecIssue(
                f"{_REPEATS_FORMS}, got {describe_value(value)}"
                + suggest(value.strip(), tuple(short))
            )
        if not isinstance(value, dict | Repeats):
            raise SpecIssue(f"{_REPEATS_FORMS}, got {describe_value(value)}")
        return value

    @field_validator("keep", mode="before")
    @classmethod
    def _check_keep(cls, value: Any) -> str:
        if value in ("first", "last"):
            return str(value)
        raise SpecIssue(f"repeats keep must be first or last, got {describe_value(value)}")

    @field_validator("within", mode="before")
    @classmethod
    def _check_within(cls, value: Any) -> timedelta | str | None:
        if value is None or value == RUNTIME:
            return None if value is None else RUNTIME
        try:
            within = parse_duration(value, "repeats within")
        except SpecIssue:
            raise SpecIssue(
                "repeats within must be a duration like 30m, or runtime (each episode's or "
                f"movie's own runtime), got {describe_value(value)}"
                + (suggest(value.strip(), (RUNTIME,)) if isinstance(value, str) else "")
            ) from None
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

    @field_validator("prefer", mode="before")
    @classmethod
    def _check_prefer(cls, value: Any) -> str | None:
        if value is None or value == "scrobble":
            return None if value is None else "scrobble"
        raise SpecIssue(
            "repeats prefer must be scrobble (keep a played copy over a marked one), "
            f"got {describe_value(value)}"
            + (suggest(value, ("scrobble",)) if isinstance(value, str) else "")
        )

    @model_validator(mode="after")
    def _check_combination(self) -> Repeats:
        if self.within is not None and self.per is not None:
            raise SpecIssue(
                "repeats takes either within: (plays close to the kept one) or per: day "
                "(one play per day), not both",
                ("per",),
            )
        for name in ("timezone", "day_starts"):
            if getattr(self, name) is not None and self.per is None:
                raise SpecIssue(f"repeats {name} only applies with per: day", (name,))
        return self

    @field_serializer("within")
    def _dump_within(self, value: timedelta | str | None) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return format_duration(value)


class TimeOfDay(SpecModel):
    """``time_of_day: "02:00-05:00"``: plays in that window of local time (it may wrap midnight).

    ``start`` is inclusive and ``end`` exclusive, in ``timezone`` (default: the account's).
    The long form is ``{between: "02:00-05:00", timezone: Europe/Paris}``.
    """

    start: Clock
    end: Clock
    timezone: Annotated[
        str | None, checked(parse_timezone, "time_of_day timezone", optional=True)
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, TimeOfDay):
            return value
        if isinstance(value, dict):
            for key in value:
                if key not in ("between", "timezone"):
                    raise SpecIssue(
                        f"unknown key {key!r} in time_of_day"
                        + (suggest(str(key), ("between", "timezone")) or "; use between:"),
                        (key,),
                    )
            if "between" not in value:
                raise SpecIssue('time_of_day needs between:, like {between: "02:00-05:00"}')
            rest = {key: item for key, item in value.items() if key != "between"}
            return {**_clock_window(value["between"], ("between",)), **rest}
        if isinstance(value, str):
            return _clock_window(value, ())
        raise SpecIssue(
            'time_of_day must be a window like "02:00-05:00" or a mapping like '
            f'{{between: "02:00-05:00", timezone: Europe/Paris}}, got {describe_value(value)}'
        )

    @model_validator(mode="after")
    def _check_window(self) -> TimeOfDay:
        if self.start == self.end:
            raise SpecIssue(
                f"time_of_day {format_clock(self.start)}-{format_clock(self.end)} is empty: "
                "the start is inclusive and the end exclusive"
            )
        return self

    @model_serializer
    def _to_text(self) -> str | dict[str, str]:
        window = f"{format_clock(self.start)}-{format_clock(self.end)}"
        return window if self.timezone is None else {"between": window, "timezone": self.timezone}

    def __str__(self) -> str:
        zone = f" ({self.timezone})" if self.timezone else ""
        return f"{format_clock(self.start)}-{format_clock(self.end)}{zone}"


def _clock_window(value: Any, where: tuple[str | int, ...]) -> dict[str, time]:
    parts = value.split("-") if isinstance(value, str) else []
    if len(parts) != 2:
        raise SpecIssue(
            f'time_of_day must be a window like "02:00-05:00", got {describe_value(value)}', where
        )
    try:
        return {
            "start": parse_clock(parts[0], "time_of_day"),
            "end": parse_clock(parts[1], "time_of_day"),
        }
    except SpecIssue as issue:
        raise SpecIssue(issue.message, where) from None


class IdRange(SpecModel):
    """``history_ids: {from: A, to: B}``: every history id from A to B, both included."""

    first: int = Field(alias="from")
    last: int = Field(alias="to")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("first", "last", mode="before")
    @classmethod
    def _check_id(cls, value: Any, info: ValidationInfo) -> int:
        name = "from" if info.field_name == "first" else "to"
        return whole_number(value, f"history_ids {name}", 1, " (a history id)")

    @model_validator(mode="after")
    def _check_order(self) -> IdRange:
        if self.last < self.first:
            raise SpecIssue(
                f"history_ids runs backwards: from {self.first} is after to {self.last}", ("to",)
            )
        return self

    @model_serializer
    def _to_mapping(self) -> dict[str, int]:
        return {"from": self.first, "to": self.last}

    def __contains__(self, history_id: object) -> bool:
        return isinstance(history_id, int) and self.first <= history_id <= self.last


def _id_range(value: dict[str, Any]) -> IdRange:
    """``{from: A, to: B}``, checked here so a mistake is one message at its key."""
    example = "like {from: 30000000000, to: 30000099999}"
    for key in value:
        if key not in ("from", "to"):
            raise SpecIssue(
                f"unknown key {key!r} in history_ids; a range is {example}"
                + suggest(str(key), ("from", "to")),
                (key,),
            )
    if set(value) != {"from", "to"}:
        raise SpecIssue(f"history_ids needs both from: and to:, {example}")
    bounds = []
    for key in ("from", "to"):
        try:
            bounds.append(whole_number(value[key], f"history_ids {key}", 1, " (a history id)"))
        except SpecIssue as issue:
            raise SpecIssue(issue.message, (key,)) from None
    first, last = bounds
    if last < first:
        raise SpecIssue(f"history_ids runs backwards: from {first} is after to {last}", ("to",))
    return IdRange.model_construct(first=first, last=last)


class Conditions(SpecModel):
    """The conditions under ``drop:``, ``unless:`` and ``when:``; all given ones must hold.

    A block with nothing set is *empty* (:attr:`is_empty`). ``all: true`` matches
    every play, also alongside other conditions.
    """

    after: EpisodeCode | None = None
    before: EpisodeCode | None = None
    seasons: Annotated[frozenset[int] | None, checked(parse_seasons, optional=True)] = None
    episodes: tuple[EpisodeRange, ...] | None = None
    watched_from: Instant | None = None
    watched_until: Instant | None = None
    action: frozenset[str] | None = None
    same_timestamp: Annotated[
        int | None, checked(whole_number, "same_timestamp", 2, optional=True)
    ] = None
    burst: Burst | None = None
    repeats: Repeats | None = None
    runtime_chain: RuntimeChain | None = None
    at_release: AtRelease | None = None
    flood: Flood | None = None
    history_ids: frozenset[int] | IdRange | None = None
    time_of_day: TimeOfDay | None = None
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

    @field_validator("episodes", mode="before")
    @classmethod
    def _check_episodes(cls, value: Any) -> tuple[EpisodeRange, ...] | None:
        if value is None:
            return None
        items, single = one_or_many(value, "episodes must list at least one episode code or range")
        ranges: list[EpisodeRange] = []
        for index, item in enumerate(items):
            try:
                ranges.append(EpisodeRange.coerce(item))
            except SpecIssue as issue:
                raise SpecIssue(issue.message, () if single else (index,)) from None
        return tuple(ranges)

    @field_validator("action", mode="before")
    @classmethod
    def _check_action(cls, value: Any) -> frozenset[str] | None:
        if value is None:
            return None
        items, single = one_or_many(
            value, "action must name at least one of scrobble, checkin, watch"
        )
        actions: set[str] = set()
        for index, item in enumerate(items):
            if isinstance(item, str) and item.strip() in ACTIONS:
                actions.add(item.strip())
                continue
            hint = suggest(item.strip(), ACTIONS) if isinstance(item, str) else ""
            raise SpecIssue(
                f"action must be scrobble, checkin or watch, got {describe_value(item)}{hint}",
                () if single else (index,),
            )
        return frozenset(actions)

    @field_validator("history_ids", mode="before")
    @classmethod
    def _check_history_ids(cls, value: Any) -> frozenset[int] | IdRange | None:
        if value is None or isinstance(value, IdRange):
            return value
        if isinstance(value, dict):
            return _id_range(value)
        items, single = one_or_many(value, "history_ids must list at least one history id")
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
        check_window(self.watched_from, self.watched_until)
        return self

    @field_serializer("episodes")
    def _dump_episodes(self, value: tuple[EpisodeRange, ...] | None) -> list[str] | None:
        return None if value is None else [str(item) for item in value]

    @field_serializer("seasons")
    def _dump_numbers(self, value: frozenset[int] | None) -> list[int] | None:
        return None if value is None else sorted(value)

    @field_serializer("history_ids")
    def _dump_ids(self, value: frozenset[int] | IdRange | None) -> list[int] | IdRange | None:
        return sorted(value) if isinstance(value, frozenset) else value

    @field_serializer("action")
    def _dump_action(self, value: frozenset[str] | None) -> list[str] | None:
        return None if value is None else sorted(value)

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

    @property
    def scope_wide(self) -> tuple[str, ...]:
        """The scope-wide conditions set here (see :data:`SCOPE_WIDE`), in that order."""
        return tuple(name for name in SCOPE_WIDE if getattr(self, name) is not None)

    @property
    def needs_catalogue(self) -> bool:
        """Whether a condition here reads runtimes or release dates (see ``catalogue.py``)."""
        runtime_repeats = self.repeats is not None and self.repeats.within == RUNTIME
        return runtime_repeats or self.runtime_chain is not None or self.at_release is not None


def scope_wide(conditions: Conditions | None) -> bool:
    """Whether ``conditions`` judge a play by the other plays of its scope."""
    return conditions is not None and bool(conditions.scope_wide)


def check_window(start: datetime | None, end: datetime | None) -> None:
    """Refuse a window whose end is not after its start (from inclusive, until exclusive).

    A relative date not yet resolved has no instant to compare: it is checked once the plan
    resolves it (``PlanSpec.resolve_dates``)."""
    pending = any(isinstance(v, RelativeInstant) and v.pending for v in (start, end))
    if start is not None and end is not None and not pending and start >= end:
        raise SpecIssue(
            f"watched_until ({_shown(end)}) must be later than watched_from "
            f"({_shown(start)}): watched_from is inclusive, watched_until exclusive",
            ("watched_until",),
        )


def _shown(value: datetime) -> str:
    text = format_instant(value)
    return f"{value.text}: {text}" if isinstance(value, RelativeInstant) else text
