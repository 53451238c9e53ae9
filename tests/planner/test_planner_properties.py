"""Properties of the planner over generated histories and plans (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trakt_plan.planner import PlanResult, build_plan
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, Ids, ResolvedScope

BASE = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
WINDOW_FROM = "2025-01-01T23:00:00Z"
WINDOW_UNTIL = "2025-01-02T10:01:00Z"

RULES: list[dict[str, Any]] = [
    {"name": "after", "show": 1394, "drop": {"after": "S01E02"}},
    {"name": "bulk", "history": "all", "drop": {"same_timestamp": 2}},
    {"name": "burst", "show": 1390, "drop": {"burst": {"plays": 3, "within": "1m"}}},
    {"name": "dupes", "history": "episodes", "drop": {"repeats": "keep_first"}},
    {"name": "late", "history": "all", "drop": {"repeats": {"keep": "last", "within": "2m"}}},
    {"name": "daily", "history": "all", "drop": {"repeats": {"keep": "first", "per": "day"}}},
    {"name": "watch", "history": "movies", "drop": {"action": "watch"}},
    {"name": "specials", "show": 1394, "drop": {"seasons": [0]}, "unless": {"action": "scrobble"}},
    {
        "name": "window",
        "show": 1394,
        "watched_from": WINDOW_FROM,
        "watched_until": WINDOW_UNTIL,
        "drop": {"same_timestamp": 2},
    },
    {"name": "movie", "movie": 12601, "drop": {"repeats": "keep_last"}},
]

play_shapes = st.tuples(
    st.sampled_from(["episode", "episode", "movie"]),
    st.sampled_from([1394, 1390]),
    st.integers(0, 3),
    st.integers(1, 3),
    st.integers(0, 1),
    st.sampled_from([10, 23]),
    st.integers(0, 3),
    st.sampled_from([0, 30]),
    st.sampled_from([0, 500_000]),
    st.sampled_from(["scrobble", "checkin", "watch"]),
)


@st.composite
def histories(draw: st.DrawFn) -> list[HistoryItem]:
    shapes = draw(st.lists(play_shapes, max_size=30))
    ids = draw(
        st.lists(st.integers(1, 10**9), min_size=len(shapes), max_size=len(shapes), unique=True)
    )
    items = []
    for play_id, shape in zip(ids, shapes, strict=True):
        kind, show, season, number, day, hour, minute, second, micro, action = shape
        at = BASE.replace(hour=hour, minute=minute, second=second, microsecond=micro)
        data: dict[str, Any] = {
            "id": play_id,
            "watched_at": at + timedelta(days=day),
            "action": action,
            "type": kind,
        }
        if kind == "episode":
            data["show"] = {"title": f"Show {show}", "year": 2010, "ids": {"trakt": show}}
            data["episode"] = {
                "season": season,
                "number": number,
                "ids": {"trakt": show * 100 + season * 10 + number},
            }
        else:
            movie = 12601 if show == 1394 else 4
            data["movie"] = {"title": f"Movie {movie}", "year": 2010, "ids": {"trakt": movie}}
        items.append(HistoryItem.model_validate(data))
    return items


rule_sets = st.lists(st.sampled_from(RULES), min_size=1, max_size=4, unique_by=lambda r: r["name"])
timezones = st.sampled_from(["UTC", "America/Los_Angeles", "Asia/Kolkata"])


def spec_of(rules: list[dict[str, Any]], protect: list[Any] | None = None) -> PlanSpec:
    return PlanSpec.model_validate({"version": 1, "rules": rules, "protect": protect or []})


def resolved_of(spec: PlanSpec) -> dict[ScopeRef, ResolvedScope]:
    return {
        scope: ResolvedScope(type=scope.kind, ids=Ids(trakt=int(scope.ref)))
        for scope in spec.scopes()
        if scope.kind != "history"
    }


def plan(
    rules: list[dict[str, Any]],
    history: list[HistoryItem],
    timezone: str,
    protect: list[Any] | None = None,
) -> PlanResult:
    spec = spec_of(rules, protect)
    return build_plan(spec, resolved_of(spec), history, timezone=timezone)


def in_scope(rule: dict[str, Any], item: HistoryItem) -> bool:
    """The rule's scope, written out independently of the planner."""
    if "show" in rule:
        inside = item.show is not None and item.show.ids.trakt == rule["show"]
    elif "movie" in rule:
        inside = item.movie is not None and item.movie.ids.trakt == rule["movie"]
    else:
        inside = rule["history"] == "all" or item.type == rule["history"].rstrip("s")
    if "watched_from" in rule:
        start = datetime.fromisoformat(rule["watched_from"])
        end = datetime.fromisoformat(rule["watched_until"])
        inside = inside and start <= item.watched_at < end
    return inside


def reasons_by_id(result: PlanResult) -> dict[int, set[str]]:
    return {d.item.id: set(d.reasons) for d in result.deletions}


@settings(max_examples=150, deadline=None)
@given(history=histories(), rules=rule_sets, timezone=timezones)
def test_every_deletion_lies_in_the_scope_of_each_rule_that_chose_it(history, rules, timezone):
    """A deleted play is inside the scope of every rule its reasons name, and only those."""
    result = plan(rules, history, timezone)
    by_name = {rule["name"]: rule for rule in rules}
    by_id = {item.id: item for item in history}
    for deletion in result.deletions:
        assert deletion.reasons, deletion
        for name in deletion.reasons:
            assert in_scope(by_name[name], by_id[deletion.item.id])


@settings(max_examples=150, deadline=None)
@given(history=histories(), rules=rule_sets, timezone=timezones)
def test_a_plan_is_the_union_of_its_rules(history, rules, timezone):
    """Planning the rules together gives the union of planning each alone, reasons included."""
    together = reasons_by_id(plan(rules, history, timezone))
    apart: dict[int, set[str]] = {}
    for rule in rules:
        for play_id, names in reasons_by_id(plan([rule], history, timezone)).items():
            apart.setdefault(play_id, set()).update(names)
    assert together == apart


@settings(max_examples=150, deadline=None)
@given(history=histories(), rules=rule_sets, timezone=timezones, data=st.data())
def test_unless_and_protect_always_win_over_drop(history, rules, timezone, data):
    """Plays named by `unless` on every rule, or by a protect entry, are never deleted."""
    ids = sorted(item.id for item in history)
    spared = set(data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else [])
    plain = [{k: v for k, v in rule.items() if k != "unless"} for rule in rules]
    baseline = {d.item.id for d in plan(plain, history, timezone).deletions}

    with_unless = [{**rule, "unless": {"history_ids": sorted(spared)}} for rule in plain]
    with_protect = [{"history": "all", "when": {"history_ids": sorted(spared)}}]
    if spared:
        unless_result = plan(with_unless, history, timezone)
        assert {d.item.id for d in unless_result.deletions} == baseline - spared
    protected = plan(rules, history, timezone, protect=with_protect if spared else None)
    unprotected = plan(rules, history, timezone)
    assert {d.item.id for d in protected.deletions} == (
        {d.item.id for d in unprotected.deletions} - spared
    )


@settings(max_examples=150, deadline=None)
@given(history=histories(), rules=rule_sets, timezone=timezones, data=st.data())
def test_order_of_history_and_rules_does_not_change_the_plan(history, rules, timezone, data):
    """Shuffling the history or the rules gives the same deletions with the same reasons."""
    first = plan(rules, history, timezone)
    shuffled_history = data.draw(st.permutations(history))
    shuffled_rules = data.draw(st.permutations(rules))
    second = plan(list(shuffled_rules), list(shuffled_history), timezone)
    assert [d.item.id for d in second.deletions] == [d.item.id for d in first.deletions]
    assert reasons_by_id(second) == reasons_by_id(first)
    assert second.plays_seen == first.plays_seen
