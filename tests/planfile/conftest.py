"""A small planned account for the saved-plan tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from trakt_plan.planfile import SavedPlan, make_saved_plan
from trakt_plan.planner import PlanResult, ShowProgress, build_plan, progress_after
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope

PLAN_YAML = """\
version: 1
description: Undo the accidental mark as watched
rules:
  - name: aos-after-s03e16
    show: 1394
    drop: {after: S03E16}
  - name: dupe-movies
    movie: tron-legacy-2010
    drop: {repeats: {keep: first, within: 30m}, action: [watch, checkin]}
  - name: bulk
    history: all
    watched_from: 2025-11-01
    drop: {same_timestamp: 3}
    unless: {episodes: [S03E13]}
protect:
  - {show: 1394, when: {seasons: [0]}}
"""

SPEC_DATA: dict[str, Any] = YAML(typ="safe").load(PLAN_YAML)

AOS = ResolvedScope(
    type="show",
    title="Marvel's Agents of S.H.I.E.L.D.",
    year=2013,
    ids=Ids(trakt=1394, slug="marvel-s-agents-of-s-h-i-e-l-d", imdb="tt2364582", tvdb=263365),
)
TRON = ResolvedScope(
    type="movie",
    title="TRON: Legacy",
    year=2010,
    ids=Ids(trakt=12601, slug="tron-legacy-2010", imdb="tt1104001", tmdb=20526),
)


def episode(play_id: int, code: str, at: str, action: str = "watch") -> HistoryItem:
    season, number = (int(part) for part in code.lstrip("S").split("E"))
    return HistoryItem.model_validate(
        {
            "id": play_id,
            "watched_at": at,
            "action": action,
            "type": "episode",
            "show": {"title": AOS.title, "year": AOS.year, "ids": AOS.ids.model_dump()},
            "episode": {
                "season": season,
                "number": number,
                "title": f"Episode {number}",
                "ids": {"trakt": 900_000 + season * 100 + number, "tvdb": 5_000_000 + number},
            },
        }
    )


def movie(play_id: int, at: str, action: str) -> HistoryItem:
    return HistoryItem.model_validate(
        {
            "id": play_id,
            "watched_at": at,
            "action": action,
            "type": "movie",
            "movie": {"title": TRON.title, "year": TRON.year, "ids": TRON.ids.model_dump()},
        }
    )


HISTORY = [
    episode(10_000_000_027, "S03E16", "2025-11-20T10:11:12.000Z", "scrobble"),
    episode(10_000_000_023, "S03E13", "2025-11-17T01:02:03.000Z"),
    episode(10_000_000_001, "S06E02", "2025-11-17T01:02:03.000Z"),
    episode(10_000_000_002, "S06E03", "2025-11-17T01:02:03.000Z"),
    episode(10_000_000_003, "S00E01", "2025-11-17T01:02:03.000Z"),
    movie(20_000_000_001, "2025-10-01T20:00:00.000Z", "scrobble"),
    movie(20_000_000_002, "2025-10-01T20:10:00.000Z", "watch"),
    movie(20_000_000_003, "2025-10-05T20:00:00.000Z", "checkin"),
]


@dataclass
class Planned:
    """Everything ``make_saved_plan`` needs, plus a ``save`` helper."""

    spec: PlanSpec
    resolved: dict[ScopeRef, ResolvedScope]
    result: PlanResult
    progress: dict[int, ShowProgress]

    def save(self, created_at: datetime | None = None, **changes: Any) -> SavedPlan:
        arguments: dict[str, Any] = {
            "spec": self.spec,
            "resolved": self.resolved,
            "source_path": "plans/aos-cleanup.yaml",
            "source_text": PLAN_YAML,
            "username": "sean",
            "api_base": "https://api.trakt.tv",
            "last_activities": {
                "movies.watched_at": "2025-11-20T10:11:12.000Z",
                "episodes.watched_at": None,
            },
            "fetched_at": datetime(2025, 11, 21, 8, 0, tzinfo=UTC),
            "created_at": created_at or datetime(2025, 11, 21, 8, 0, 5, tzinfo=UTC),
            "progress": self.progress,
            "history": HISTORY,
        }
        arguments.update(changes)
        return make_saved_plan(self.result, **arguments)


@pytest.fixture
def planned() -> Planned:
    """The example plan, resolved and planned over a small history."""
    spec = PlanSpec.model_validate(SPEC_DATA)
    resolved = {
        ScopeRef(kind="show", ref="1394"): AOS,
        ScopeRef(kind="movie", ref="tron-legacy-2010"): TRON,
    }
    result = build_plan(spec, resolved, HISTORY)
    # The seasons of Agents of S.H.I.E.L.D. the history reaches, 22 episodes each.
    ends = {1394: {3: 22, 6: 22}}
    progress = progress_after(HISTORY, {d.item.id for d in result.deletions}, ends)
    return Planned(spec, resolved, result, progress)


@pytest.fixture
def history() -> list[HistoryItem]:
    """The plays the example plan was computed from."""
    return list(HISTORY)


@pytest.fixture
def edit_json() -> Callable[..., None]:
    """Rewrite a JSON file through a function of its parsed content."""

    def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    return edit
