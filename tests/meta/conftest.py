"""Helpers for the guardrail tests: fresh interpreters, the command tree, the package's imports."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.support import REPO
from tests.support.cli import Run
from tests.support.cli import invoke as invoke_cli
from tests.support.cli import run_python as run_python_argv
from trakt_plan.cli import app

PACKAGE = REPO / "trakt_plan"


@dataclass(frozen=True)
class CommandInfo:
    """One node of the command tree: ``("sandbox", "serve")`` and its click command."""

    path: tuple[str, ...]
    command: Any

    @property
    def name(self) -> str:
        return " ".join(self.path) or "trakt-plan"

    @property
    def is_group(self) -> bool:
        return hasattr(self.command, "commands")


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[CommandInfo]:
    yield CommandInfo(path, command)
    # Typer ships its own copy of click, so duck-typing beats isinstance(click.Group).
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def command_tree() -> list[CommandInfo]:
    """The root group, every command and every sub-command, as typer builds them."""
    return list(_walk(typer.main.get_command(app), ()))


def run_fresh(code: str, env: Mapping[str, str] | None = None) -> Run:
    """``python -c CODE`` in a new interpreter, from the repository's root."""
    return run_python_argv(["-c", code], env)


def modules_after(statement: str, env: Mapping[str, str] | None = None) -> set[str]:
    """Which modules a fresh interpreter has loaded after running ``statement``.

    ``statement`` may end the process through ``SystemExit`` (a CLI run); the list is
    printed on the way out either way.
    """
    code = (
        "import json, sys\n"
        "try:\n"
        + "".join(f"    {line}\n" for line in statement.splitlines())
        + "except SystemExit:\n"
        "    pass\n"
        "finally:\n"
        "    print('\\nMODULES=' + json.dumps(sorted(sys.modules)))\n"
    )
    run = run_fresh(code, env)
    marker = [line for line in run.stdout.splitlines() if line.startswith("MODULES=")]
    assert marker, f"the interpreter did not finish: {run.stderr}"
    return set(json.loads(marker[-1].removeprefix("MODULES=")))


def loaded(modules: set[str], name: str) -> bool:
    """Whether ``name`` or any of its submodules was imported."""
    return any(module == name or module.startswith(name + ".") for module in modules)


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports anywhere (top level, functions, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from trakt_plan.trakt import client` imports trakt_plan.trakt.client.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def package_sources() -> list[Path]:
    """Every Python file of the package."""
    return sorted(PACKAGE.rglob("*.py"))


@pytest.fixture
def tree() -> list[CommandInfo]:
    """The whole command tree, the top-level group first."""
    return command_tree()


@pytest.fixture(scope="module")
def probes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, set[str]]:
    """The modules loaded by each of the test module's ``PROBES`` statements.

    Each statement gets its own fresh interpreter; they run side by side to keep the
    suite quick. The config dir is a scratch one, for probes that run a command.
    """
    env = {"TRAKT_PLAN_CONFIG_DIR": str(tmp_path_factory.mktemp("probe-config"))}
    wanted: dict[str, str] = request.module.PROBES
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(modules_after, code, env) for name, code in wanted.items()}
    return {name: future.result() for name, future in futures.items()}


@pytest.fixture
def is_loaded() -> Callable[[set[str], str], bool]:
    """``is_loaded(modules, "httpx")``: the package or one of its submodules was imported."""
    return loaded


@pytest.fixture(scope="module")
def package_imports() -> dict[str, set[str]]:
    """What each of the package's files imports, by path relative to ``trakt_plan/``."""
    return {str(path.relative_to(PACKAGE)): imported_modules(path) for path in package_sources()}


@pytest.fixture
def repo() -> Path:
    """The repository's root."""
    return REPO


@pytest.fixture
def invoke() -> Callable[..., Run]:
    """Run trakt-plan in-process with extra environment variables, stdout and stderr apart."""
    return invoke_cli


@pytest.fixture
def run_python() -> Callable[..., Run]:
    """Run ``python -c`` in a fresh interpreter."""
    return run_fresh


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``command`` runs a test for every node of the command tree, ``leaf`` for every command."""
    if "command" in metafunc.fixturenames:
        tree = command_tree()
        metafunc.parametrize("command", tree, ids=[info.name for info in tree])
    if "leaf" in metafunc.fixturenames:
        leaves = [info for info in command_tree() if not info.is_group]
        metafunc.parametrize("leaf", leaves, ids=[info.name for info in leaves])
