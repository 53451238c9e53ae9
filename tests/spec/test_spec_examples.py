"""The example plans in plans/ and the language reference in docs/ stay true to the models."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from trakt_plan.spec.accidents import AtRelease, Flood, RuntimeChain
from trakt_plan.spec.conditions import Burst, Conditions, Repeats
from trakt_plan.spec.episodes import EpisodeCode, EpisodeRange
from trakt_plan.spec.load import load_spec
from trakt_plan.spec.model import PlanSpec, ProtectEntry, Rule, ScopeRef

PLANS = Path(__file__).parents[2] / "plans"
LANGUAGE_DOC = Path(__file__).parents[2] / "docs" / "plan-language.md"


def test_the_examples_named_in_the_docs_exist(example_plans_dir: Path) -> None:
    """Every example the brief and docs promise ships in plans/."""
    names = {path.name for path in example_plans_dir.glob("*.yaml")}
    assert {
        "aos-cleanup.yaml",
        "jellyfin-guard.yaml",
        "double-scrobbles.yaml",
        "one-per-day.yaml",
        "manual-marks-since.yaml",
        "back-to-back-marks.yaml",
        "release-date-marks.yaml",
        "resync-flood.yaml",
        "rewatch-safe-repeats.yaml",
    } <= names


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_plan_loads_and_is_commented(path: Path) -> None:
    """A user copying an example gets a valid plan that explains itself."""
    spec = load_spec(path)
    assert spec.rules
    assert path.read_text(encoding="utf-8").lstrip().startswith("#")


def test_seed_story_plan_reads_as_the_contract_says(example_plans_dir: Path) -> None:
    """aos-cleanup.yaml drops show 1394 after S03E16 and bulk marks, sparing S03E13."""
    spec = load_spec(example_plans_dir / "aos-cleanup.yaml")
    after, bulk = spec.rules
    assert spec.scopes() == (ScopeRef(kind="show", ref="1394"),)
    assert after.drop == Conditions(after=EpisodeCode(season=3, number=16))
    assert bulk.drop == Conditions(same_timestamp=3)
    s03e13 = EpisodeCode(season=3, number=13)
    assert bulk.unless == Conditions(episodes=(EpisodeRange(first=s03e13, last=s03e13),))


def test_jellyfin_guard_uses_rule_level_windows_that_move_by_themselves(
    example_plans_dir: Path,
) -> None:
    """jellyfin-guard.yaml looks at the past week, resolved each time the plan is made."""
    spec = load_spec(example_plans_dir / "jellyfin-guard.yaml")
    assert spec.pending_dates() == ("7d ago",)
    now = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    resolved = spec.resolve_dates(now=now, timezone="Europe/Paris", source="jellyfin-guard.yaml")
    week_ago = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    assert [week_ago] * 3 == [rule.watched_from for rule in resolved.rules]
    drops = [rule.drop for rule in spec.rules]
    assert drops[0].same_timestamp == 5
    assert drops[1].burst == Burst(plays=10, within=timedelta(minutes=2))
    assert drops[2].action == frozenset({"watch"})
    assert spec.max_deletions == 300


def test_repeat_examples_use_the_long_forms(example_plans_dir: Path) -> None:
    """The double-scrobble and one-per-day examples use `within` and `per: day`."""
    doubles = load_spec(example_plans_dir / "double-scrobbles.yaml").rules[0].drop.repeats
    per_day = load_spec(example_plans_dir / "one-per-day.yaml").rules[0].drop.repeats
    assert doubles == Repeats(keep="first", within=timedelta(minutes=10))
    assert per_day == Repeats(keep="first", per="day", timezone="Europe/Paris")


def test_manual_marks_example_protects_plays(example_plans_dir: Path) -> None:
    """manual-marks-since.yaml drops `watch` plays since a date and has protect entries."""
    spec = load_spec(example_plans_dir / "manual-marks-since.yaml")
    drop = spec.rules[0].drop
    assert (drop.action, drop.watched_from) == (
        frozenset({"watch"}),
        datetime(2025, 9, 1, tzinfo=UTC),
    )
    assert [entry.scope.kind for entry in spec.protect] == ["show", "history"]


@pytest.mark.parametrize(
    "model",
    [PlanSpec, Rule, ProtectEntry, Conditions, Burst, Repeats, RuntimeChain, AtRelease, Flood],
    ids=lambda m: m.__name__,
)
def test_language_doc_documents_every_key(model: type[BaseModel]) -> None:
    """docs/plan-language.md mentions every key a plan may use, as written in YAML."""
    doc = LANGUAGE_DOC.read_text(encoding="utf-8")
    missing = [key for key in model.model_fields if not re.search(rf"`{key}\b", doc)]
    assert missing == []


def test_the_2026_examples_use_one_new_condition_each(example_plans_dir: Path) -> None:
    """Each 2026 example plan shows its condition, limited to marks (action: watch) where real
    plays could look alike."""
    drops = {
        name: load_spec(example_plans_dir / f"{name}.yaml").rules[0].drop
        for name in ("back-to-back-marks", "release-date-marks", "resync-flood")
    }
    assert drops["back-to-back-marks"].runtime_chain == RuntimeChain(plays=5)
    assert drops["release-date-marks"].at_release == AtRelease()
    assert drops["resync-flood"].flood == Flood(plays=200, timezone="Europe/Paris")
    assert {frozenset({"watch"})} == {drop.action for drop in drops.values()}
    repeats = load_spec(example_plans_dir / "rewatch-safe-repeats.yaml").rules[0].drop.repeats
    assert repeats == Repeats(keep="first", within="runtime")
