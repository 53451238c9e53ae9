"""The fake Trakt of tests.support, and plays and plans built over its catalog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from tests.support.fakes import MOVIES, SHOWS, FakeTrakt
from trakt_plan.spec.model import PlanSpec
from trakt_plan.trakt.models import HistoryItem, Movie, Show


@pytest.fixture
def trakt() -> FakeTrakt:
    """A fake client over the catalog, with no history."""
    return FakeTrakt()


@pytest.fixture
def fake_trakt() -> Callable[..., FakeTrakt]:
    """Build a fake client: ``fake_trakt(history, has_exact=False)``."""
    return FakeTrakt


def episode_play(play_id: int, show: Show, code: str, at: str) -> HistoryItem:
    season, number = (int(part) for part in code.lstrip("S").split("E"))
    return HistoryItem.model_validate(
        {
            "id": play_id,
            "watched_at": at,
            "action": "watch",
            "type": "episode",
            "show": show,
            "episode": {"season": season, "number": number, "ids": {"trakt": play_id * 10}},
        }
    )


def movie_play(play_id: int, movie: Movie, at: str) -> HistoryItem:
    return HistoryItem.model_validate(
        {"id": play_id, "watched_at": at, "action": "scrobble", "type": "movie", "movie": movie}
    )


@pytest.fixture
def sample_history() -> list[HistoryItem]:
    """Plays of AoS, both Offices, Game of Thrones and TRON: Legacy."""
    aos, office, office_uk, got, _dexter = SHOWS
    return [
        episode_play(1, aos, "S01E01", "2025-11-01T10:00:00.000Z"),
        episode_play(2, aos, "S06E02", "2025-11-17T01:02:03.000Z"),
        episode_play(3, office, "S01E01", "2025-11-10T20:00:00.000Z"),
        episode_play(4, office_uk, "S01E01", "2025-11-11T20:00:00.000Z"),
        episode_play(5, got, "S01E01", "2025-11-18T00:00:00.000Z"),
        movie_play(6, MOVIES[0], "2025-11-12T21:00:00.000Z"),
    ]


@pytest.fixture
def spec_of() -> Callable[..., PlanSpec]:
    """Build a plan: ``spec_of(rule, rule, protect=[...])``."""

    def build(*rules: dict[str, Any], protect: Sequence[Any] = ()) -> PlanSpec:
        return PlanSpec.model_validate(
            {"version": 1, "rules": list(rules), "protect": list(protect)}
        )

    return build
