"""Guardrails on code shape: modules read in one sitting, imports that point one way."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.meta.conftest import PACKAGE, package_sources

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names, relative ones resolved against ``path``."""
    if node.level == 0:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _targets(module: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``path`` imports anywhere, TYPE_CHECKING blocks included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, path, node)
            # `from trakt_plan.apply import journal` depends on the submodule, not the package.
            subs = {f"{base}.{alias.name}" for alias in node.names} & known
            found.update(subs or {base})
    return found & known


def import_graph() -> dict[str, set[str]]:
    """Which package modules each package module imports."""
    paths = {_module_name(path): path for path in package_sources()}
    known = set(paths)
    return {module: _targets(module, path, known) - {module} for module, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path that ends where it starts, or ``[]`` when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: fully explored
    stack: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return []


def test_no_module_is_longer_than_a_sitting():
    """Every module in trakt_plan/ has at most 600 lines."""
    lengths = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in package_sources()
    }
    assert {path: n for path, n in lengths.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_is_longer_than_a_screen():
    """Every function in trakt_plan/ has at most 60 lines, from its def line to its last line."""
    long: dict[str, int] = {}
    for path in package_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"] = size
    assert long == {}


def test_the_package_has_no_import_cycle():
    """No chain of imports in trakt_plan/ leads back to its start, TYPE_CHECKING ones included."""
    assert find_cycle(import_graph()) == []


def test_a_cycle_through_a_relative_import_is_reported_with_its_path():
    """The cycle finder names each module on the loop, in order, back to the first."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_relative_imports_resolve_to_the_modules_they_name():
    """``from ..trakt import client`` in apply/engine.py names trakt_plan.trakt, as Python does."""
    node = ast.parse("from ..trakt import client").body[0]
    assert isinstance(node, ast.ImportFrom)
    engine = PACKAGE / "apply" / "engine.py"
    assert _base("trakt_plan.apply.engine", engine, node) == "trakt_plan.trakt"


def test_type_checking_imports_count_as_edges():
    """An import only under ``if TYPE_CHECKING:`` is still an edge of the import graph."""
    assert "trakt_plan.trakt.client" in import_graph()["trakt_plan.runtime"]
