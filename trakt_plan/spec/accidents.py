"""Conditions that recognise the bulk marks of 2026 (contract 6.1-6.2).

``runtime_chain`` (plays stamped one runtime apart), ``at_release`` (plays stamped at the
release) and ``flood`` (a day with too many plays). Each has a short form and a mapping
form; both dump to the mapping, which reads back equal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import model_validator

from trakt_plan.spec.values import (
    AS_DURATION,
    Clock,
    SpecIssue,
    SpecModel,
    checked,
    describe_value,
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

    plays: Annotated[int, checked(whole_number, "runtime_chain plays", 2)]
    tolerance: Annotated[
        timedelta, checked(parse_duration, "runtime_chain tolerance"), AS_DURATION
    ] = timedelta(0)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return _plays_or_mapping(value, "runtime_chain", "{plays: 5, tolerance: 0s}")


class AtRelease(SpecModel):
    """``at_release: {within: 0s}``: plays stamped at most ``within`` from the release."""

    within: Annotated[timedelta, checked(parse_duration, "at_release within"), AS_DURATION] = (
        timedelta(0)
    )

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


class Flood(SpecModel):
    """``flood: {plays: N, timezone: ...}``: every play of a calendar day with >= N plays.

    The day starts at ``day_starts`` (default midnight) in ``timezone`` (default: the
    account's)."""

    plays: Annotated[int, checked(whole_number, "flood plays", 2)]
    timezone: Annotated[str | None, checked(parse_timezone, "flood timezone", optional=True)] = None
    day_starts: Clock | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return _plays_or_mapping(value, "flood", "{plays: 200, timezone: Europe/Paris}")
