"""Shared helpers for the starter tests: the demo history, scopes, and planning a starter.

Test files cannot import each other or this module (pytest's importlib mode), so the
helpers reach them as fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from trakt_plan.planner import PlanResult, build_plan
from trakt_plan.resolve import resolve_offline
from trakt_plan.sandbox import demo_state
from trakt_plan.sandbox.demo_2026 import FIRST_ID as FIRST_2026_ID
from trakt_plan.spec.load import load_spec_text
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope

# A day after the last demo play: the bulk mark is four days old.
NOW = datetime(2025, 11, 21, 12, 0, tzinfo=UTC)
AOS = ResolvedScope(
    type="show",
    title="Marvel's Agents of S.H.I.E.L.D.",
    year=2013,
    ids=Ids(trakt=1394, slug="marvel-s-agents-of-s-h-i-e-l-d", imdb="tt2364582"),
)
TRON = ResolvedScope(
    type="movie", title="TRON: Legacy", year=2010, ids=Ids(trakt=12601, slug="tron-legacy-2010")
)


def demo_history() -> list[HistoryItem]:
    """The emulator's demo account as Trakt held it at NOW (its 2026 plays, with the ids
    Trakt gave them later, left out), parsed as the CLI would parse `history all --json`."""
    rows = [row for row in demo_state().history() if row["id"] < FIRST_2026_ID]
    return [HistoryItem.model_validate(row) for row in rows]


@pytest.fixture
def history() -> list[HistoryItem]:
    """A fresh copy of the demo history."""
    return demo_history()


def plan_text(text: str, history: Sequence[HistoryItem]) -> PlanResult:
    """Load a plan's text and plan it over ``history``, resolving scopes from the plays."""
    spec = load_spec_text(text, "starter.yaml")
    return build_plan(spec, resolve_offline(spec, history), history, timezone="UTC")


def deleted_ids(text: str, history: Sequence[HistoryItem]) -> set[int]:
    """The history ids a plan's text removes from ``history``."""
    return {deletion.item.id for deletion in plan_text(text, history).deletions}


def uncomment_hints(text: str) -> str:
    """Turn on every commented-out hint, as a user following the comments would.

    A hint starts after a comment that says to uncomment and ends with a colon; its lines
    are the following comments at the same indent, up to the next instruction, blank line
    or live line.
    """
    out: list[str] = []
    indent: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        here = len(line) - len(stripped)
        is_comment = stripped.startswith("#")
        instruction = is_comment and "uncomment" in stripped and stripped.endswith(":")
        if instruction:
            indent = here
            out.append(line)
        elif indent is not None and is_comment and here == indent and stripped.startswith("# "):
            out.append(" " * here + stripped[2:])
        else:
            indent = None
            out.append(line)
    return "\n".join(out) + "\n"


def episode_play(
    history_id: int,
    at: str,
    code: tuple[int, int],
    *,
    action: str = "scrobble",
    show: int = 1394,
    title: str = "Marvel's Agents of S.H.I.E.L.D.",
) -> HistoryItem:
    """A made-up episode play; ``at`` is ``2025-11-17T01:02:03Z``."""
    season, number = code
    return HistoryItem.model_validate(
        {
            "id": history_id,
            "watched_at": at,
            "action": action,
            "type": "episode",
            "show": {"title": title, "year": 2013, "ids": {"trakt": show}},
            "episode": {
                "season": season,
                "number": number,
                "ids": {"trakt": show * 100_000 + season * 100 + number},
            },
        }
    )


@pytest.fixture
def now() -> datetime:
    """The clock the starters are written at: a day after the demo's last play."""
    return NOW


@pytest.fixture
def aos() -> ResolvedScope:
    """Agents of S.H.I.E.L.D. as `resolve` returns it."""
    return AOS


@pytest.fixture
def tron() -> ResolvedScope:
    """TRON: Legacy as `resolve` returns it."""
    return TRON


@pytest.fixture
def plan_of() -> Callable[[str, Sequence[HistoryItem]], PlanResult]:
    """Load and plan a plan's text over a history: ``plan_of(text, history)``."""
    return plan_text


@pytest.fixture
def deleted_by() -> Callable[[str, Sequence[HistoryItem]], set[int]]:
    """The history ids a plan's text removes: ``deleted_by(text, history)``."""
    return deleted_ids


@pytest.fixture
def uncomment() -> Callable[[str], str]:
    """Turn on every commented-out hint of a starter."""
    return uncomment_hints


@pytest.fixture
def episode() -> Callable[..., HistoryItem]:
    """Make an episode play: ``episode(id, "2025-11-17T01:02:03Z", (6, 2), action="watch")``."""
    return episode_play


@pytest.fixture
def movie() -> Callable[..., HistoryItem]:
    """Make a movie play: ``movie(id, "2025-09-12T19:30:00Z", action="watch")``."""
    return movie_play


def movie_play(
    history_id: int,
    at: str,
    *,
    action: str = "scrobble",
    trakt: int = 12601,
    title: str = "TRON: Legacy",
) -> HistoryItem:
    """A made-up movie play."""
    return HistoryItem.model_validate(
        {
            "id": history_id,
            "watched_at": at,
            "action": action,
            "type": "movie",
            "movie": {"title": title, "year": 2010, "ids": {"trakt": trakt}},
        }
    )


class FakeCatalogue:
    """Runtimes and air times by episode id, as the detector reads a catalogue."""

    def __init__(
        self,
        runtimes: dict[int, int] | None = None,
        aired: dict[int, datetime] | None = None,
        default_minutes: int | None = 42,
    ) -> None:
        self.runtimes = runtimes or {}
        self.aired = aired or {}
        self.default_minutes = default_minutes

    def episode_runtime(self, episode_id: int | None, show_id: int | None) -> timedelta | None:
        minutes = self.runtimes.get(episode_id or 0, self.default_minutes)
        return timedelta(minutes=minutes) if minutes else None

    def movie_runtime(self, movie_id: int | None) -> timedelta | None:
        minutes = self.runtimes.get(movie_id or 0, self.default_minutes)
        return timedelta(minutes=minutes) if minutes else None

    def episode_release(self, episode_id: int | None) -> datetime | None:
        return self.aired.get(episode_id or 0)

    def movie_release(self, movie_id: int | None) -> datetime | None:
        return self.aired.get(movie_id or 0)


@pytest.fixture
def catalogue() -> Callable[..., FakeCatalogue]:
    """Make a catalogue: ``catalogue(runtimes={id: minutes}, aired={id: instant})``."""
    return FakeCatalogue
