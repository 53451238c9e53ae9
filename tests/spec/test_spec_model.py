"""The plan models: episode codes, scopes, rules, protect entries and the JSON round trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from trakt_plan.spec.conditions import Conditions
from trakt_plan.spec.episodes import EpisodeCode, EpisodeRange
from trakt_plan.spec.load import load_spec
from trakt_plan.spec.model import PlanSpec, ProtectEntry, Rule, ScopeRef
from trakt_plan.spec.values import format_duration, format_instant, parse_duration, parse_instant

EVERYTHING = """
version: 1
description: every key of the language at least once
max_deletions: 12
rules:
  - name: a.b_c-1
    show: 1394
    year: 2013
    watched_from: 2025-01-01
    watched_until: '2026-01-01T12:30:00+02:00'
    drop:
      after: s3e16
      before: S09E01
      seasons: [0, "3-5"]
      episodes: [S03E13, S06E02-S06E05]
      watched_from: '2025-11-17T01:02:03.250Z'
      watched_until: 2025-12-01
      action: [watch, checkin]
      same_timestamp: 3
      burst: {plays: 10, within: 90s}
      repeats: {keep: first, within: 120m}
      runtime_chain: {plays: 4, tolerance: 30s}
      at_release: {within: 1h}
      flood: {plays: 200, timezone: Europe/Paris}
      history_ids: [10000000021, 10000000020]
      all: true
    unless:
      repeats: {keep: last, per: day, timezone: America/New_York}
  - name: chains
    show: [1394, the-simpsons]
    drop: {runtime_chain: 5, at_release: true, flood: 300, repeats: {keep: first, within: runtime}}
  - name: first-plans
    movie: [tt0111161]
    drop:
      repeats: {keep: first, per: day, day_starts: "05:00", prefer: scrobble}
      flood: {plays: 50, day_starts: "04:30"}
      time_of_day: {between: "22:00-02:00", timezone: Europe/Paris}
      history_ids: {from: 30000000000, to: 30000099999}
  - name: nightly
    history: all
    drop: {time_of_day: "02:00-05:00"}
  - name: movies
    movie: imdb:tt0111161
    drop: {repeats: keep_last}
protect:
  - show: 1394
    when: {seasons: 3}
  - history: movies
"""


def test_episode_codes_print_in_the_usual_form() -> None:
    """`str()` of a code is the padded S03E16 form people read."""
    assert str(EpisodeCode.model_validate("s3e16")) == "S03E16"
    assert str(EpisodeCode(season=0, number=1)) == "S00E01"


def test_episode_codes_order_by_season_then_number() -> None:
    """Codes sort by season first, then number; specials come first."""
    codes = [EpisodeCode.parse(text) for text in ["S03E16", "S00E05", "S03E02", "S10E01"]]
    assert [str(c) for c in sorted(codes)] == ["S00E05", "S03E02", "S03E16", "S10E01"]
    assert EpisodeCode.parse("S03E16") > EpisodeCode.parse("S03E15")
    assert EpisodeCode.parse("S03E16") <= EpisodeCode.parse("s3e16")


def test_episode_codes_are_hashable_values() -> None:
    """Equal codes hash alike, so they can key a dict or fill a set."""
    assert len({EpisodeCode.parse("S03E16"), EpisodeCode.parse("s03e016")}) == 1


def test_episode_code_rejects_nonsense() -> None:
    """A code that is not SxxEyy is refused with the expected shape in the message."""
    with pytest.raises(ValueError, match="like S03E16"):
        EpisodeCode.parse("3x16")


def test_episode_range_contains_its_ends_across_seasons() -> None:
    """A range spans season breaks and includes both ends."""
    span = EpisodeRange.parse("S01E10-S02E03")
    codes = ["S01E09", "S01E10", "S01E99", "S02E01", "S02E03", "S02E04"]
    inside = [t for t in codes if span.contains(EpisodeCode.parse(t).key)]
    assert inside == ["S01E10", "S01E99", "S02E01", "S02E03"]
    assert str(span) == "S01E10-S02E03"
    assert str(EpisodeRange.parse("s3e13")) == "S03E13"


def test_reversed_episode_range_is_refused_by_the_model() -> None:
    """Building a backwards range directly also fails."""
    with pytest.raises(ValidationError, match="runs backwards"):
        EpisodeRange(first=EpisodeCode.parse("S06E05"), last=EpisodeCode.parse("S06E02"))


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (90, "90s"), (120, "2m"), (3600, "1h"), (172800, "2d")]
)
def test_durations_format_to_the_shortest_text(seconds: int, text: str) -> None:
    """Durations dump to the shortest form that reads back the same."""
    assert format_duration(timedelta(seconds=seconds)) == text
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_instants_format_as_a_date_at_midnight_and_iso_otherwise() -> None:
    """Midnight UTC dumps as a bare date; any other instant as ISO with Z."""
    assert format_instant(datetime(2025, 11, 17, tzinfo=UTC)) == "2025-11-17"
    value = datetime(2025, 11, 17, 1, 2, 3, 250000, tzinfo=UTC)
    assert format_instant(value) == "2025-11-17T01:02:03.250000Z"
    assert parse_instant(format_instant(value)) == value


def test_scope_refs_keep_what_the_user_wrote(load_plan: Callable[[str], PlanSpec]) -> None:
    """Numeric ids become text; slugs, URLs, prefixed ids and titles stay as written."""
    spec = load_plan(
        """
        version: 1
        rules:
          - {name: a, show: 1394, drop: {all: true}}
          - {name: b, show: marvel-s-agents-of-s-h-i-e-l-d, drop: {all: true}}
          - {name: c, show: "https://trakt.tv/shows/the-expanse", drop: {all: true}}
          - {name: d, show: "imdb:tt2364582", drop: {all: true}}
          - {name: e, show: "Marvel's Agents of S.H.I.E.L.D.", year: 2013, drop: {all: true}}
          - {name: f, movie: tmdb:603, drop: {all: true}}
          - {name: g, history: episodes, drop: {all: true}}
        """
    )
    assert [rule.scope for rule in spec.rules] == [
        ScopeRef(kind="show", ref="1394"),
        ScopeRef(kind="show", ref="marvel-s-agents-of-s-h-i-e-l-d"),
        ScopeRef(kind="show", ref="https://trakt.tv/shows/the-expanse"),
        ScopeRef(kind="show", ref="imdb:tt2364582"),
        ScopeRef(kind="show", ref="Marvel's Agents of S.H.I.E.L.D.", year=2013),
        ScopeRef(kind="movie", ref="tmdb:603"),
        ScopeRef(kind="history", ref="episodes"),
    ]


def test_scopes_are_distinct_and_in_file_order(load_plan: Callable[[str], PlanSpec]) -> None:
    """`scopes()` lists each scope once, rules first, then protect entries."""
    spec = load_plan(
        """
        version: 1
        rules:
          - {name: a, show: 1394, drop: {after: S03E16}}
          - {name: b, show: "1394", drop: {same_timestamp: 3}}
          - {name: c, history: all, drop: {action: watch}}
        protect:
          - {movie: tt0111161}
          - {show: 1394, when: {seasons: [3]}}
        """
    )
    assert spec.scopes() == (
        ScopeRef(kind="show", ref="1394"),
        ScopeRef(kind="history", ref="all"),
        ScopeRef(kind="movie", ref="tt0111161"),
    )
    resolved = {scope: str(scope) for scope in spec.scopes()}
    assert resolved[spec.rules[1].scope] == "show: 1394"


def test_history_scope_refs_are_checked() -> None:
    """A history scope names all, episodes or movies; anything else is refused."""
    with pytest.raises(ValidationError, match="all, episodes or movies"):
        ScopeRef(kind="history", ref="shows")


def test_plan_built_in_code_from_models() -> None:
    """Code (such as planner tests) can assemble a plan from model instances."""
    rule = Rule(name="r", show="1394", drop=Conditions(after=EpisodeCode(season=3, number=16)))
    spec = PlanSpec(version=1, rules=(rule,), protect=(ProtectEntry(history="movies"),))
    assert spec.scopes() == (rule.scope, ScopeRef(kind="history", ref="movies"))


def test_movies_only_scopes_are_known() -> None:
    """A movie and `history: movies` hold no episode plays; the others do."""
    assert ScopeRef(kind="movie", ref="x").movies_only
    assert ScopeRef(kind="history", ref="movies").movies_only
    assert not ScopeRef(kind="history", ref="all").movies_only
    assert not ScopeRef(kind="show", ref="1394").movies_only


def test_defaults_of_a_minimal_plan(load_plan: Callable[[str], PlanSpec]) -> None:
    """A minimal plan has no description, max_deletions 5000 and nothing protected."""
    spec = load_plan("version: 1\nrules: [{name: a, show: 1, drop: {all: true}}]\n")
    rule = spec.rules[0]
    assert (spec.description, spec.max_deletions, spec.protect) == (None, 5000, ())
    assert (rule.unless, rule.watched_from, rule.watched_until, rule.year) == (
        None,
        None,
        None,
        None,
    )


def test_protect_entries_have_a_scope_and_optional_when(
    load_plan: Callable[[str], PlanSpec],
) -> None:
    """`- show: 1394` protects a whole show; `when:` narrows it."""
    spec = load_plan(
        """
        version: 1
        rules: [{name: a, history: all, drop: {action: watch}}]
        protect:
          - show: 1394
          - {show: 1394, when: {seasons: [3]}}
        """
    )
    whole, season_three = spec.protect
    assert (whole.scope, whole.when) == (ScopeRef(kind="show", ref="1394"), None)
    assert season_three.when == Conditions(seasons=frozenset({3}))


def test_models_are_frozen() -> None:
    """A validated spec cannot be changed by accident."""
    rule = Rule(name="r", history="all", drop=Conditions(all=True))
    with pytest.raises(ValidationError):
        rule.name = "other"  # type: ignore[misc]


def test_models_refuse_unknown_fields() -> None:
    """Typos in code that builds models are caught like typos in YAML."""
    with pytest.raises(ValidationError, match="extra"):
        ProtectEntry.model_validate({"show": "1394", "whne": {"seasons": [3]}})


def test_rule_built_in_code_accepts_unless_none() -> None:
    """Python callers may spell out `unless=None`; only the YAML `unless:` must not be blank."""
    rule = Rule(name="r", show="1394", drop=Conditions(all=True), unless=None)
    assert rule.scope == ScopeRef(kind="show", ref="1394")


def test_full_spec_survives_the_json_round_trip(load_plan: Callable[[str], PlanSpec]) -> None:
    """A spec dumped as JSON (as saved plans embed it) validates back to an equal spec."""
    spec = load_plan(EVERYTHING)
    dumped = json.loads(json.dumps(spec.model_dump(mode="json")))
    assert PlanSpec.model_validate(dumped) == spec
    assert PlanSpec.model_validate(spec.model_dump(mode="json", exclude_none=True)) == spec
    assert PlanSpec.model_validate(spec.model_dump()) == spec


def test_json_dump_uses_the_yaml_text_forms(load_plan: Callable[[str], PlanSpec]) -> None:
    """Codes, ranges, durations and dates are dumped the way a person writes them."""
    drop = load_plan(EVERYTHING).model_dump(mode="json")["rules"][0]["drop"]
    assert (drop["after"], drop["episodes"], drop["seasons"]) == (
        "S03E16",
        ["S03E13", "S06E02-S06E05"],
        [0, 3, 4, 5],
    )
    assert (drop["burst"], drop["repeats"]["within"]) == ({"plays": 10, "within": "90s"}, "2h")
    assert (drop["watched_from"], drop["watched_until"]) == (
        "2025-11-17T01:02:03.250000Z",
        "2025-12-01",
    )
    assert drop["action"] == ["checkin", "watch"]


@pytest.mark.parametrize("path", sorted(Path(__file__).parents[2].glob("plans/*.yaml")))
def test_example_plans_survive_the_json_round_trip(path: Path) -> None:
    """Each shipped example dumps to JSON and back unchanged."""
    spec = load_spec(path)
    assert PlanSpec.model_validate(json.loads(spec.model_dump_json())) == spec


def test_equal_specs_hash_alike(load_plan: Callable[[str], PlanSpec]) -> None:
    """Specs are values: the same YAML gives equal, equally hashed specs."""
    assert hash(load_plan(EVERYTHING)) == hash(load_plan(EVERYTHING))
