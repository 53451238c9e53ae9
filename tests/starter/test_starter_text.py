"""The starter as text: valid when nothing is wrong, deterministic, safe with any title."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trakt_plan.detect import find_accidents
from trakt_plan.planner import build_plan
from trakt_plan.spec.load import load_spec_text
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.starter import render_starter
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope


def test_a_clean_history_gives_a_valid_plan_with_one_rule_that_matches_nothing(
    episode, now, plan_of
):
    """No findings: the starter says so, and its single guard rule removes nothing yet."""
    history = [
        episode(1, "2025-11-01T20:00:00Z", (1, 1)),
        episode(2, "2025-11-02T20:00:00Z", (1, 2)),
        episode(3, "2025-11-02T21:00:00Z", (1, 3), action="checkin"),
    ]

    text = render_starter(None, history, now=now, source="demo")
    result = plan_of(text, history)

    assert find_accidents(history) == []
    assert "# Nothing looks wrong: no bulk marks, back-to-back or release-date marks," in text
    assert result.deletions == ()
    assert result.unmatched_rules == ("future-bulk-marks",)


def test_an_empty_history_still_gives_a_valid_plan(aos, now, plan_of):
    """A show with no plays yet gets the guard rule and a note that there are no plays."""
    text = render_starter(aos, [], now=now, source="demo")

    assert "# There are no plays yet." in text
    assert plan_of(text, []).unmatched_rules == ("future-bulk-marks",)


def test_the_same_inputs_give_the_same_text_whatever_the_order(history, aos, now):
    """Rendering twice, or from the history in another order, gives byte-identical text."""
    shuffled = list(history)
    random.Random(7).shuffle(shuffled)

    for scope in (aos, None):
        first = render_starter(scope, history, now=now, source="demo")
        assert render_starter(scope, history, now=now, source="demo") == first
        assert render_starter(scope, shuffled, now=now, source="demo") == first


@pytest.mark.parametrize(
    "title",
    [
        "Marvel's Agents of S.H.I.E.L.D.",
        'The "Office": An American Workplace',
        "Law & Order: Special Victims Unit # 2",
        "- dash: {not: a, map} [list] *alias &anchor !tag %percent @at `tick`",
        "Back\\slash 'single' \"double\"",
    ],
)
def test_titles_with_quotes_and_colons_round_trip(title, now, episode):
    """The title comes back unchanged in the description, and the plan still loads."""
    scope = ResolvedScope(type="show", title=title, year=2013, ids=Ids(trakt=1394, slug="x"))
    history = [episode(1, "2025-11-01T20:00:00Z", (1, 1), title=title)]

    spec = load_spec_text(render_starter(scope, history, now=now, source=title), "starter.yaml")

    assert spec.description == f"Starter plan for {title} (2013)"


def test_a_title_with_line_breaks_cannot_inject_yaml(now, episode):
    """Line breaks in a title become spaces, so a title cannot add keys or rules."""
    title = "Evil\nrules: []\r\nprotect:\u2028- history: all"
    scope = ResolvedScope(type="show", title=title, year=None, ids=Ids(trakt=1394))
    history = [episode(n, f"2025-11-01T20:00:0{n}Z", (1, n), action="watch") for n in (1, 2, 3)]

    spec = load_spec_text(render_starter(scope, history, now=now, source=title), "starter.yaml")

    assert spec.description == "Starter plan for Evil rules: []  protect: - history: all"
    assert spec.protect == ()
    assert [rule.name for rule in spec.rules] == ["manual-marks"]


@settings(max_examples=60, deadline=None)
@given(title=st.text(max_size=40), source=st.text(max_size=40))
def test_any_title_and_source_give_a_loadable_plan(title, source):
    """Whatever Trakt calls a show, the starter loads and the description keeps the title."""
    scope = ResolvedScope(type="show", title=title, year=2013, ids=Ids(trakt=1394))
    now = datetime(2025, 11, 21, tzinfo=UTC)

    spec = load_spec_text(render_starter(scope, [], now=now, source=source), "starter.yaml")

    assert spec.description is not None
    assert spec.description.startswith("Starter plan for ")


@pytest.mark.parametrize("whole", [True, False], ids=["history-all", "show"])
def test_every_commented_hint_uncomments_into_a_valid_plan(whole, history, aos, now, uncomment):
    """Uncommenting each hint, as the comments suggest, keeps the plan valid."""
    text = render_starter(None if whole else aos, history, now=now, source="demo")

    spec = load_spec_text(uncomment(text), "starter.yaml")

    assert len(spec.protect) == 1
    assert all(rule.unless is not None for rule in spec.rules)


def _random_history(seed: int) -> list[HistoryItem]:
    rng = random.Random(seed)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    items = []
    for history_id in range(1, rng.randint(0, 40) + 1):
        # Few distinct seconds and few episodes, so bulk marks and doubles happen often.
        at = start + timedelta(seconds=rng.choice([0, 1, 240, 600, 601, 900, 3600, 86400]))
        show = rng.choice([1394, 1388])
        season, number = 1, rng.randint(1, 3)
        items.append(
            HistoryItem.model_validate(
                {
                    "id": history_id,
                    "watched_at": at,
                    "action": rng.choice(["scrobble", "watch", "checkin"]),
                    "type": "episode",
                    "show": {"title": f"Show {show}", "ids": {"trakt": show}},
                    "episode": {
                        "season": season,
                        "number": number,
                        "ids": {"trakt": show * 100 + number},
                    },
                }
            )
        )
    return items


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_findings_agree_with_the_rules_the_starter_writes(seed):
    """Bulk and double findings are what same_timestamp: 3 and repeats within 10m remove, once."""
    history = _random_history(seed)
    spec = PlanSpec.model_validate(
        {
            "version": 1,
            "rules": [
                {"name": "bulk", "history": "all", "drop": {"same_timestamp": 3}},
                {
                    "name": "double",
                    "history": "all",
                    "drop": {"repeats": {"keep": "first", "within": "10m"}},
                },
            ],
        }
    )
    result = build_plan(spec, {}, history, timezone="UTC")
    by_rule: dict[str, set[int]] = {"bulk": set(), "double": set()}
    for deletion in result.deletions:
        for reason in deletion.reasons:
            by_rule[reason].add(deletion.item.id)

    findings = find_accidents(history)

    found = {kind: set() for kind in ("same_second", "manual", "double_play")}
    for finding in findings:
        found[finding.kind].update(finding.history_ids)
    assert found["same_second"] == by_rule["bulk"]
    assert found["double_play"] == by_rule["double"] - by_rule["bulk"]
    watch = {item.id for item in history if item.action == "watch"}
    assert found["manual"] == watch - by_rule["bulk"] - by_rule["double"]


def test_scope_ref_of_a_show_starter_is_the_trakt_id(aos, now):
    """The rule names the show by Trakt id, the reference that never becomes ambiguous."""
    spec = load_spec_text(render_starter(aos, [], now=now, source="demo"), "starter.yaml")

    assert spec.scopes() == (ScopeRef(kind="show", ref="1394"),)


def test_a_long_list_of_findings_is_cut_short_newest_first(movie, now, plan_of):
    """Fourteen movies marked by hand: the header shows the newest twelve and counts the rest."""
    history = [
        movie(n, f"2025-11-{n:02d}T20:00:00Z", action="watch", trakt=100 + n, title=f"Film {n}")
        for n in range(1, 15)
    ]

    text = render_starter(None, history, now=now, source="demo")

    listed = [line for line in text.splitlines() if line.startswith("#   - manual mark: ")]
    assert len(listed) == 12
    assert "at 2025-11-14 20:00:00Z" in listed[0]
    assert "#   - and 2 more manual marks" in text
    assert len(plan_of(text, history).deletions) == 14
