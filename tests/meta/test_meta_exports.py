"""Guardrails: every module's `__all__` names only things that exist, once each."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import trakt_plan

# __main__ runs the command line when imported: it is a script, not a module to inspect.
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(trakt_plan.__path__, prefix="trakt_plan.")
    if info.name != "trakt_plan.__main__"
)


def test_the_package_has_modules_to_check():
    """The walk finds the package's modules, including ones that define __all__."""
    assert {"trakt_plan.cli", "trakt_plan.planner", "trakt_plan.sandbox"} <= set(MODULES)
    with_all = [name for name in MODULES if hasattr(importlib.import_module(name), "__all__")]
    assert "trakt_plan.sandbox" in with_all


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_only_existing_names(name):
    """A module's __all__ (where it has one) lists each existing public name exactly once."""
    module = importlib.import_module(name)
    exported = list(getattr(module, "__all__", ()))
    assert [item for item in exported if not hasattr(module, item)] == []
    assert len(exported) == len(set(exported))
    assert all(isinstance(item, str) for item in exported)
