"""Conditions that recognise the bulk marks of 2026 (contract 6.1-6.2).

``runtime_chain`` (plays stamped one runtime apart), ``at_release`` (plays stamped at the
release) and ``flood`` (a day with too many plays). Each has a short form and a mapping
form; both dump to the mapping, which reads back equal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import field_serializer, field_validator, model_validator

from trakt_plan.spec.values import (
    Clock,
    SpecIssue,
    SpecModel,
    describe_value,
    format_duration,
    parse_duration,
    parse_timezone,
    whole_number,
)

__all__ = ["AtRelease", "Flood", "RuntimeChain"]


def _plays_or_mapping(value: Any, name: str, example: str) -> Any:
    """The short form ``name: N`` as ``{plays: N}``; a mapping as it is; anything else refused."""
    if isinstance(value, dict | SpecModel):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return {"plays": value}
    raise SpecIssue(
        f"{name} must be a number of plays like 5 or a mapping like {example}, "
        f"got {describe_value(value)}"
    )


class RuntimeChain(SpecModel):
    """``runtime_chain: {plays: N, tolerance: 0s}``: N or more plays of a show, each one
    episode runtime after the previous (within ``tolerance``)."""

    plays: int
    tolerance: timedelta = timedelta(0)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return _plays_or_mapping(value, "runtime_chain", "{plays: 5, tolerance: 0s}")

    @field_validator("plays", mode="before")
    @classmethod
    def _check_plays(cls, value: Any) -> int:
        return whole_number(value, "runtime_chain plays", 2)

    @field_validator("tolerance", mode="before")
    @classmethod
    def _check_tolerance(cls, value: Any) -> timedelta:
        return parse_duration(value, "runtime_chain tolerance")

    @field_serializer("tolerance")
    def _dump_tolerance(self, value: timedelta) -> str:
        return format_duration(value)


class AtRelease(SpecModel):
    """``at_release: {within: 0s}``: plays stamped at most ``within`` from the release."""

    within: timedelta = timedelta(0)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if value is True:
            return {}
        if isinstance(value, dict | AtRelease):
            return value
        hint = " (leave at_release out to not use it)" if value is False else ""
        raise SpecIssue(
            "at_release must be true or a mapping like {within: 1h}, "
            f"got {describe_value(value)}{hint}"
        )

    @field_validator("within", mode="before")
    @classmethod
    def _check_within(cls, value: Any) -> timedelta:
        return parse_duration(value, "at_release within")

    @field_serializer("within")
    def _dump_within(self, value: timedelta) -> str:
        return format_duration(value)


class Flood(SpecModel):
    """``flood: {plays: N, timezone: ...}``: every play of a calendar day with >= N plays.

    The day starts at ``day_starts`` (default midnight) in ``timezone`` (default: the
    account's)."""

    plays: int
    timezone: str | None = None
    day_starts: Clock | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return _plays_or_mapping(value, "flood", "{plays: 200, timezone: Europe/Paris}")

    @field_validator("plays", mode="before")
    @classmethod
    def _check_plays(cls, value: Any) -> int:
        return whole_number(value, "flood plays", 2)

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> str | None:
        return None if value is None else parse_timezone(value, "flood timezone")
