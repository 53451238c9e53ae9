"""Saved plans built in memory, for the renderings of the plan view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from ruamel.yaml import YAML

from trakt_plan.planfile import SavedPlan, make_saved_plan
from trakt_plan.planner import build_plan, movies_kept, progress_after
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope

SHOW = ResolvedScope(type="show", title="Agents of S.H.I.E.L.D.", year=2013, ids=Ids(trakt=1394))
START = datetime(2025, 11, 17, 1, 2, 3, tzinfo=UTC)

PLAN_YAML = """\
version: 1
description: Undo the accidental mark as watched
rules:
  - name: bulk
    show: 1394
    drop: {same_timestamp: 3}
  - name: never
    show: 1394
    drop: {history_ids: [1]}
"""


def episode_play(
    play_id: int,
    season: int,
    number: int,
    at: datetime,
    *,
    action: str = "watch",
    title: str = "Agents of S.H.I.E.L.D.",
) -> HistoryItem:
    """One play of an episode of the test show."""
    return HistoryItem.model_validate(
        {
            "id": play_id,
            "watched_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "action": action,
            "type": "episode",
            "show": {"title": title, "year": 2013, "ids": {"trakt": 1394}},
            "episode": {"season": season, "number": number, "ids": {"trakt": 9000 + number}},
        }
    )


def bulk_history(count: int, *, title: str = "Agents of S.H.I.E.L.D.") -> list[HistoryItem]:
    """``count`` plays marked in one second (a bulk mark), and one real play a day later."""
    marked = [
        episode_play(1000 + n, 1 + n // 20, 1 + n % 20, START, title=title) for n in range(count)
    ]
    real = episode_play(999, 9, 1, START + timedelta(days=1), action="scrobble", title=title)
    return [*marked, real]


def plan_of(
    history: Sequence[HistoryItem],
    plan_yaml: str = PLAN_YAML,
    timezone: str | None = None,
    *,
    shows: Sequence[ResolvedScope] = (SHOW,),
) -> SavedPlan:
    """The saved plan of ``plan_yaml`` over ``history``, as `plan -o` would write it; its
    references are the trakt ids of ``shows``."""
    spec = PlanSpec.model_validate(YAML(typ="safe").load(plan_yaml))
    resolved = {ScopeRef(kind="show", ref=str(show.ids.trakt)): show for show in shows}
    result = build_plan(spec, resolved, history)
    removed = {d.item.id for d in result.deletions}
    when = datetime(2025, 11, 21, 8, 0, 5, tzinfo=UTC)
    return make_saved_plan(
        result,
        spec=spec,
        resolved=resolved,
        source_path="plans/aos.yaml",
        source_text=plan_yaml,
        username="sean",
        api_base="https://api.trakt.tv",
        last_activities={},
        fetched_at=when,
        created_at=when,
        progress=progress_after(history, removed),
        movies_kept=movies_kept(history, removed),
        timezone=timezone,
        history=history,
    )


@pytest.fixture
def make_plan() -> Callable[..., SavedPlan]:
    """``make_plan(history, plan_yaml)``: a saved plan built in memory."""
    return plan_of


@pytest.fixture
def bulk_plan() -> SavedPlan:
    """A 60-play bulk mark of one show, planned away by the `bulk` rule."""
    return plan_of(bulk_history(60))
