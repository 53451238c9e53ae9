"""The fake Trakt of tests.support, and a history and plans over its catalogue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from tests.support.catalog import MOVIES, SHOWS, episode_play, movie_play
from tests.support.fakes import FakeTrakt
from trakt_plan.spec.model import PlanSpec
from trakt_plan.trakt.models import HistoryItem


@pytest.fixture
def trakt() -> FakeTrakt:
    """A fake client over the catalog, with no history."""
    return FakeTrakt()


@pytest.fixture
def fake_trakt() -> Callable[..., FakeTrakt]:
    """Build a fake client: ``fake_trakt(history, has_exact=False)``."""
    return FakeTrakt


@pytest.fixture
def sample_history() -> list[HistoryItem]:
    """Plays of AoS, both Offices, Game of Thrones and TRON: Legacy."""
    aos, office, office_uk, got, _dexter = SHOWS
    return [
        episode_play(1, "2025-11-01T10:00:00.000Z", "S01E01", show=aos),
        episode_play(2, "2025-11-17T01:02:03.000Z", "S06E02", show=aos),
        episode_play(3, "2025-11-10T20:00:00.000Z", "S01E01", show=office),
        episode_play(4, "2025-11-11T20:00:00.000Z", "S01E01", show=office_uk),
        episode_play(5, "2025-11-18T00:00:00.000Z", "S01E01", show=got),
        movie_play(6, "2025-11-12T21:00:00.000Z", MOVIES[0]),
    ]


@pytest.fixture
def spec_of() -> Callable[..., PlanSpec]:
    """Build a plan: ``spec_of(rule, rule, protect=[...])``."""

    def build(*rules: dict[str, Any], protect: Sequence[Any] = ()) -> PlanSpec:
        return PlanSpec.model_validate(
            {"version": 1, "rules": list(rules), "protect": list(protect)}
        )

    return build
