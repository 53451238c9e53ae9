"""Relative dates: checked offline, resolved once when the plan is made, kept with their text."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from trakt_plan.errors import SpecError
from trakt_plan.spec.model import PlanSpec

NOW = datetime(2026, 3, 29, 4, 0, tzinfo=UTC)  # 06:00 in Paris, the morning clocks go forward

PLAN = """
version: 1
rules:
  - name: recent
    history: all
    watched_from: {start}
    drop:
      action: watch
      watched_until: {end}
protect:
  - history: all
    when: {{watched_from: 2w ago}}
"""


def window(load_plan: Callable[[str], PlanSpec], start: str, end: str = "today") -> PlanSpec:
    return load_plan(PLAN.format(start=start, end=end))


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("today", datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),  # midnight in Paris, still +01:00
        ("yesterday", datetime(2026, 3, 27, 23, 0, tzinfo=UTC)),
        ("30d ago", datetime(2026, 2, 27, 4, 0, tzinfo=UTC)),
        ("12h ago", datetime(2026, 3, 28, 16, 0, tzinfo=UTC)),
        ("2w ago", datetime(2026, 3, 15, 4, 0, tzinfo=UTC)),
        ("90M AGO", datetime(2026, 3, 29, 2, 30, tzinfo=UTC)),
    ],
)
def test_each_relative_form_resolves_in_the_accounts_time_zone(load_plan, written, instant):
    """today/yesterday start the local day; `N ago` counts back from the moment of planning."""
    spec = window(load_plan, written, "2026-12-01")
    resolved = spec.resolve_dates(now=NOW, timezone="Europe/Paris", source="plan.yaml")
    assert instant == resolved.rules[0].watched_from


def test_relative_dates_wait_unresolved_until_the_plan_is_made(load_plan):
    """Validation keeps the text of every relative date, in file order, each once."""
    spec = window(load_plan, "30d ago")
    assert spec.pending_dates() == ("30d ago", "today", "2w ago")


def test_the_saved_form_records_the_text_and_the_instant_and_reads_back(load_plan):
    """A resolved date dumps as {relative, at} and validates back to the same instant and text."""
    resolved = window(load_plan, "30d ago").resolve_dates(
        now=NOW, timezone="Europe/Paris", source="plan.yaml"
    )
    dumped = resolved.model_dump(mode="json", exclude_none=True)
    assert dumped["rules"][0]["watched_from"] == {
        "relative": "30d ago",
        "at": "2026-02-27T04:00:00Z",
    }
    again = PlanSpec.model_validate(dumped)
    assert (again, (), "30d ago") == (
        resolved,
        again.pending_dates(),
        again.rules[0].watched_from.text,
    )


def test_a_window_that_resolves_backwards_names_the_file_and_the_key(load_plan):
    """30d ago to 40d ago is refused once resolved, naming both dates and when they resolved."""
    spec = load_plan(
        """
        version: 1
        rules:
          - name: backwards
            history: all
            drop: {watched_from: 30d ago, watched_until: 40d ago}
        """
    )
    with pytest.raises(SpecError) as caught:
        spec.resolve_dates(now=NOW, timezone="UTC", source="plan.yaml")
    assert caught.value.key_path == "rules[0].drop.watched_until"
    assert str(caught.value).startswith("plan.yaml: watched_until (40d ago: 2026-02-17T04:00:00Z)")


def test_a_resolved_date_works_as_any_instant_in_any_zone(load_plan):
    """Converted to Paris time, copied or shifted, a resolved `30d ago` is still its instant."""
    resolved = window(load_plan, "30d ago").resolve_dates(
        now=NOW, timezone="Europe/Paris", source="plan.yaml"
    )
    start = resolved.rules[0].watched_from
    assert start is not None
    paris = start.astimezone(ZoneInfo("Europe/Paris"))
    assert (start, "2026-02-27T05:00:00+01:00") == (paris, paris.isoformat())
    assert ("30d ago", start) == (deepcopy(start).text, deepcopy(start))
