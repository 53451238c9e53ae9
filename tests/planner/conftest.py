"""Builders for the planner tests: plays, plans and resolved scopes, all in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from trakt_plan.catalogue import Catalogue
from trakt_plan.planner import PlanResult, build_plan
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope

SHOW_TITLES = {1394: ("Marvel's Agents of S.H.I.E.L.D.", 2013), 1390: ("Game of Thrones", 2011)}
MOVIE_TITLES = {12601: ("TRON: Legacy", 2010), 4: ("Interstellar", 2014)}


def when(text: str) -> datetime:
    """``2025-11-17 01:02:03`` (optionally with ``.123``) as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def episode_id(code: str, show: int = 1394) -> int:
    """The trakt id :meth:`Plays.episode` gives the episode ``code`` of ``show``."""
    season, number = (int(part) for part in code.upper().lstrip("S").split("E"))
    return show * 10_000 + season * 100 + number


class Plays:
    """Makes history items with fresh, increasing history ids unless one is given."""

    def __init__(self) -> None:
        self.next_id = 5000

    def _id(self, given: int | None) -> int:
        if given is not None:
            return given
        self.next_id += 1
        return self.next_id

    def episode(
        self,
        code: str,
        at: str,
        *,
        show: int = 1394,
        action: str = "watch",
        id: int | None = None,
    ) -> HistoryItem:
        """An episode play; ``code`` is ``S03E16``; the episode's trakt id derives from it."""
        season, number = (int(part) for part in code.upper().lstrip("S").split("E"))
        title, year = SHOW_TITLES.get(show, (f"Show {show}", 2000))
        # episode_id() gives the same id.
        return HistoryItem.model_validate(
            {
                "id": self._id(id),
                "watched_at": when(at),
                "action": action,
                "type": "episode",
                "show": {"title": title, "year": year, "ids": {"trakt": show}},
                "episode": {
                    "season": season,
                    "number": number,
                    "ids": {"trakt": episode_id(code, show)},
                },
            }
        )

    def movie(
        self, movie: int, at: str, *, action: str = "scrobble", id: int | None = None
    ) -> HistoryItem:
        """A movie play."""
        title, year = MOVIE_TITLES.get(movie, (f"Movie {movie}", 2001))
        return HistoryItem.model_validate(
            {
                "id": self._id(id),
                "watched_at": when(at),
                "action": action,
                "type": "movie",
                "movie": {"title": title, "year": year, "ids": {"trakt": movie}},
            }
        )


@pytest.fixture
def plays() -> Plays:
    """A fresh play builder."""
    return Plays()


def make_spec(rules: Sequence[Mapping[str, Any]], protect: Sequence[Any] = ()) -> PlanSpec:
    """A validated plan from YAML-shaped rules (and protect entries)."""
    return PlanSpec.model_validate({"version": 1, "rules": list(rules), "protect": list(protect)})


def resolve_ids(spec: PlanSpec) -> dict[ScopeRef, ResolvedScope]:
    """Resolve numeric show/movie refs to themselves, as Trakt would."""
    resolved: dict[ScopeRef, ResolvedScope] = {}
    for scope in spec.scopes():
        if scope.kind == "show":
            title, year = SHOW_TITLES.get(int(scope.ref), (None, None))
            resolved[scope] = ResolvedScope(
                type="show", title=title, year=year, ids=Ids(trakt=int(scope.ref))
            )
        elif scope.kind == "movie":
            title, year = MOVIE_TITLES.get(int(scope.ref), (None, None))
            resolved[scope] = ResolvedScope(
                type="movie", title=title, year=year, ids=Ids(trakt=int(scope.ref))
            )
    return resolved


@pytest.fixture
def spec_of() -> Callable[..., PlanSpec]:
    """Build a plan: ``spec_of(rule, rule, protect=[...])``."""

    def build(*rules: Mapping[str, Any], protect: Sequence[Any] = ()) -> PlanSpec:
        return make_spec(rules, protect)

    return build


@pytest.fixture
def resolved_of() -> Callable[[PlanSpec], dict[ScopeRef, ResolvedScope]]:
    """Resolve a plan's numeric references offline."""
    return resolve_ids


@pytest.fixture
def run_plan() -> Callable[..., PlanResult]:
    """Plan ``history`` with the given rules: ``run_plan(history, rule, ..., protect=[...])``."""

    def run(
        history: Sequence[HistoryItem],
        *rules: Mapping[str, Any],
        protect: Sequence[Any] = (),
        timezone: str = "UTC",
        catalogue: Catalogue | None = None,
    ) -> PlanResult:
        spec = make_spec(rules, protect)
        return build_plan(spec, resolve_ids(spec), history, timezone=timezone, catalogue=catalogue)

    return run
