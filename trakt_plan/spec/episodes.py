"""Episode codes (``S03E16``), inclusive ranges of them, and season lists (``"6-7"``)."""

from __future__ import annotations

import re
from abc import abstractmethod
from functools import total_ordering
from typing import Any

from pydantic import model_serializer, model_validator

from trakt_plan.labels import episode_code
from trakt_plan.spec.values import SpecIssue, SpecModel, as_list, describe_value

__all__ = ["MAX_SEASON", "EpisodeCode", "EpisodeRange", "parse_seasons"]

# Season numbers are small, but talk shows number seasons by year; the cap keeps a
# range like "1-999999999" from building a huge set.
MAX_SEASON = 9999
# ASCII only: `\d` would also take other scripts' digits, which int() may not read.
_EPISODE_CODE = re.compile(r"[sS](\d{1,4})[eE](\d{1,5})", re.ASCII)
_SEASON_RANGE = re.compile(r"(\d{1,4})(?:\s*-\s*(\d{1,4}))?", re.ASCII)
_RANGE_HINT = "items are episode codes or ranges like S06E02-S06E05"


class _Written(SpecModel):
    """A value a plan writes as one piece of text, read by ``parse`` and dumped back as it."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return dict(cls.parse(value)) if isinstance(value, str) else value

    @classmethod
    @abstractmethod
    def parse(cls, text: str) -> _Written:
        """The value ``text`` writes, or a SpecIssue saying what the text should look like."""

    @model_serializer
    def _to_text(self) -> str:
        return str(self)


@total_ordering
class EpisodeCode(_Written):
    """One episode, ``S03E16``; ordered by (season, number). Season 0 holds the specials."""

    season: int
    number: int

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

    @property
    def key(self) -> tuple[int, int]:
        """(season, number), the order episodes are compared in."""
        return (self.season, self.number)

    def __str__(self) -> str:
        return episode_code(self.season, self.number)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, EpisodeCode):
            return NotImplemented
        return self.key < other.key


class EpisodeRange(_Written):
    """An inclusive run of episodes, ``S06E02-S06E05``; a single code is a range of one."""

    first: EpisodeCode
    last: EpisodeCode

    @model_validator(mode="before")
    @classmethod
    def _from_code(cls, value: Any) -> Any:
        return {"first": value, "last": value} if isinstance(value, EpisodeCode) else value

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
            raise SpecIssue(f"{name} {_RANGE_HINT}, got {describe_value(text)}")
        try:
            first = EpisodeCode.parse(parts[0], name)
            last = EpisodeCode.parse(parts[-1], name) if len(parts) == 2 else first
        except SpecIssue:
            raise SpecIssue(f"{name} {_RANGE_HINT}, got {describe_value(text)}") from None
        if last < first:
            raise SpecIssue(
                f"the episode range {text.strip()} runs backwards; write {last}-{first}"
            )
        return cls.model_construct(first=first, last=last)

    @classmethod
    def coerce(cls, item: Any) -> EpisodeRange:
        """One item of an ``episodes:`` list: a range, a code or their text."""
        if isinstance(item, EpisodeRange):
            return item
        if isinstance(item, EpisodeCode):
            return cls.model_construct(first=item, last=item)
        if isinstance(item, str):
            return cls.parse(item)
        raise SpecIssue(f"episodes {_RANGE_HINT}, got {describe_value(item)}")

    def contains(self, code: tuple[int, int]) -> bool:
        """Whether the episode ``(season, number)`` lies in the range, both ends included."""
        return self.first.key <= code <= self.last.key

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def parse_seasons(value: Any) -> frozenset[int]:
    """``seasons:``: one season, a ``"6-7"`` range, or a list of either."""
    items = as_list(value)
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


def _season_item(value: Any) -> range:
    hint = 'seasons must be season numbers like [6, 7] or a range like "6-7"'
    if isinstance(value, bool):
        raise SpecIssue(f"{hint}, got {describe_value(value)}")
    if isinstance(value, int):
        if not 0 <= value <= MAX_SEASON:
            raise SpecIssue(f"seasons must be between 0 (specials) and {MAX_SEASON}, got {value}")
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
