"""The client's parts depend one way: the OAuth calls never need the API client."""

from __future__ import annotations

import ast
from pathlib import Path

import trakt_plan.trakt

TRAKT = Path(trakt_plan.trakt.__file__).parent


def _imports(name: str) -> set[str]:
    tree = ast.parse((TRAKT / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_auth_takes_its_headers_from_the_leaf_module_not_the_client():
    """auth.py shares Trakt's headers through wire.py and imports nothing of client.py."""
    imports = _imports("auth")
    assert ("trakt_plan.trakt.client" in imports, "trakt_plan.trakt.wire" in imports) == (
        False,
        True,
    )


def test_the_wire_module_is_a_leaf():
    """wire.py imports nothing from the package but its version."""
    package_imports = {name for name in _imports("wire") if name.startswith("trakt_plan")}
    assert {"trakt_plan"} == package_imports
