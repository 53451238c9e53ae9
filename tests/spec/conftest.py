"""Helpers for the plan-language tests: load YAML text, catch the SpecError it raises."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from trakt_plan.errors import SpecError
from trakt_plan.spec.conditions import Conditions
from trakt_plan.spec.load import load_spec_text
from trakt_plan.spec.model import PlanSpec

BAD_PLANS_DIR = Path(__file__).parent / "bad_plans"
EXAMPLE_PLANS_DIR = Path(__file__).parents[2] / "plans"


@pytest.fixture
def bad_plans_dir() -> Path:
    """The corpus of invalid plans, one problem each."""
    return BAD_PLANS_DIR


@pytest.fixture
def example_plans_dir() -> Path:
    """The commented example plans shipped in ``plans/``."""
    return EXAMPLE_PLANS_DIR


@pytest.fixture
def load_plan() -> Callable[[str], PlanSpec]:
    """Load a plan from (indented) YAML text, as if read from ``plan.yaml``."""

    def load(text: str) -> PlanSpec:
        return load_spec_text(dedent(text), "plan.yaml")

    return load


@pytest.fixture
def spec_error() -> Callable[[str], SpecError]:
    """Load (indented) YAML text that must fail, and return the SpecError."""

    def fail(text: str) -> SpecError:
        with pytest.raises(SpecError) as caught:
            load_spec_text(dedent(text), "plan.yaml")
        return caught.value

    return fail


@pytest.fixture
def drop_of() -> Callable[..., Conditions]:
    """Load a one-rule plan whose ``drop:`` is the given flow mapping and return it."""

    def conditions(drop: str, scope: str = "show: 1394") -> Conditions:
        text = f"version: 1\nrules:\n  - name: r\n    {scope}\n    drop: {drop}\n"
        return load_spec_text(text, "plan.yaml").rules[0].drop

    return conditions
