"""Property tests: whatever a user or a fuzzer writes, the loader answers a spec or a SpecError."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from trakt_plan.errors import SpecError
from trakt_plan.spec.accidents import AtRelease, Flood, RuntimeChain
from trakt_plan.spec.conditions import Burst, Conditions, Repeats
from trakt_plan.spec.load import load_spec_text
from trakt_plan.spec.model import PlanSpec, ProtectEntry, Rule

KEYS = sorted(
    {
        *PlanSpec.model_fields,
        *Rule.model_fields,
        *ProtectEntry.model_fields,
        *Conditions.model_fields,
        *Burst.model_fields,
        *Repeats.model_fields,
        *RuntimeChain.model_fields,
        *AtRelease.model_fields,
        *Flood.model_fields,
        "rule",
        "same_timestmp",
        "x-anchor",
    }
)
WORDS = [
    "S03E16", "s3e16", "S06E02-S06E05", "S06E05-S06E02", "S00E00", "6-7", "7-6", "2m", "0s",
    "90s", "2d", "1h30m", "2025-11-17", "2025-02-30", "2025-11-17T01:02:03Z",
    "2025-11-17T01:02:03", "keep_first", "keep_last", "first", "last", "watch", "scrobble",
    "checkin", "all", "episodes", "movies", "day", "Europe/Paris", "Mars/Olympus", "1394",
    "imdb:tt2364582", "a-b.c_d", "", "runtime",
]  # fmt: skip
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    ),
    max_leaves=25,
)
conditions = st.dictionaries(st.sampled_from(sorted(Conditions.model_fields)), values, max_size=4)
rules = st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b", "bad name", ""]), "drop": st.one_of(conditions, values)},
    optional={
        "show": st.sampled_from(["1394", "the-expanse"]) | st.integers(),
        "movie": st.sampled_from(["tt0111161"]),
        "history": st.sampled_from(["all", "episodes", "movies", "everything"]),
        "year": st.integers(min_value=1700, max_value=3100),
        "watched_from": st.sampled_from(WORDS),
        "unless": st.one_of(conditions, values),
    },
)
plans = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 1, 2, "1"]), "rules": st.lists(rules, max_size=3)},
    optional={
        "max_deletions": st.integers(min_value=-2, max_value=10_000),
        "protect": st.lists(st.dictionaries(st.sampled_from(KEYS), values, max_size=3), max_size=2),
        "description": scalars,
    },
)


def to_yaml(data: Any) -> str:
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return stream.getvalue()


def check(text: str) -> None:
    """The loader's whole contract on arbitrary input: a spec that round-trips, or a SpecError."""
    try:
        spec = load_spec_text(text, "fuzz.yaml")
    except SpecError as error:
        assert error.file == "fuzz.yaml"
        assert error.line is not None and error.line >= 1
        assert error.column is not None and error.column >= 1
        assert str(error).startswith(f"fuzz.yaml:{error.line}:{error.column}: ")
        assert "Traceback" not in str(error)
    else:
        assert PlanSpec.model_validate(json.loads(spec.model_dump_json())) == spec


@SETTINGS
@given(plans)
def test_generated_plans_load_or_raise_spec_error(plan: dict[str, Any]) -> None:
    """Plan-shaped documents with random keys and values either load or raise SpecError."""
    check(to_yaml(plan))


@SETTINGS
@given(plans)
def test_generated_plans_as_json_load_or_raise_spec_error(plan: dict[str, Any]) -> None:
    """The same documents written as JSON (which is YAML too) behave the same way."""
    check(json.dumps(plan))


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_loads_or_raises_spec_error(text: str) -> None:
    """Any text at all, including control characters and surrogates, ends in a SpecError."""
    check(text)


SEED = """\
version: 1
x-a: &a {show: 1394}
rules:
  - <<: *a
    name: aos-after-s03e16
    drop: {after: S03E16, seasons: "6-7"}
  - name: aos-bulk
    show: 1394
    drop:
      same_timestamp: 3
      burst: {plays: 3, within: 2m}
    unless:
      episodes: [S03E13]
protect:
  - {history: movies, when: {repeats: {keep: first, per: day}}}
"""


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(SEED)),
            st.integers(min_value=0, max_value=3),
            st.sampled_from(list("-:{}[]&*!|>'\"#\t\n ,?%@`~0123456789aS")) | st.characters(),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_seed_plan_loads_or_raises_spec_error(edits: list[tuple[int, int, str]]) -> None:
    """A valid plan with a few characters deleted or inserted anywhere never crashes the loader."""
    text = SEED
    for position, cut, insert in edits:
        text = text[:position] + insert + text[position + cut :]
    check(text)
