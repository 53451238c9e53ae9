"""Guardrails: the layers of docs/architecture.md hold, in fresh interpreters and in the source."""

from __future__ import annotations

import pytest

PURE_MODULES = [
    "trakt_plan.planner",
    "trakt_plan.judges",
    "trakt_plan.catalogue",
    "trakt_plan.spec.model",
    "trakt_plan.spec.load",
    "trakt_plan.planfile",
    "trakt_plan.trakt.models",
    "trakt_plan.apply.journal",
    "trakt_plan.labels",
    "trakt_plan.view.plan",
    "trakt_plan.view.jsondoc",
    "trakt_plan.view.markdown",
    "trakt_plan.apply.resume",
]
PLAN = "plans/aos-cleanup.yaml"
_RUN = "from trakt_plan.cli import main\nmain({!r})"
# What each fresh interpreter runs (see the `probes` fixture).
PROBES = {
    **{module: f"import {module}" for module in PURE_MODULES},
    "import cli": "import trakt_plan.cli",
    "validate": _RUN.format(["validate", PLAN]),
    "--sandbox whoami": _RUN.format(["--sandbox", "whoami"]),
}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_core_modules_load_no_http_cli_or_terminal_library(probes, is_loaded, module):
    """Importing a core module pulls in none of httpx, typer or rich."""
    modules = probes[module]
    assert module in modules
    assert [name for name in ("httpx", "typer", "rich") if is_loaded(modules, name)] == []


def test_the_planner_does_not_load_the_trakt_client(probes, is_loaded):
    """The pure planner can be imported without the HTTP client or the auth."""
    modules = probes["trakt_plan.planner"]
    assert not is_loaded(modules, "trakt_plan.trakt.client")
    assert not is_loaded(modules, "trakt_plan.trakt.auth")


def test_the_cli_does_not_load_the_emulator(probes, is_loaded):
    """Importing the CLI leaves the sandbox package unloaded."""
    modules = probes["import cli"]
    assert "trakt_plan.cli" in modules
    assert not is_loaded(modules, "trakt_plan.sandbox")


def test_only_the_sandbox_flag_loads_the_emulator(probes, is_loaded):
    """A plain command runs without the emulator; a command with --sandbox loads it."""
    assert "trakt_plan.spec.load" in probes["validate"]
    assert not is_loaded(probes["validate"], "trakt_plan.sandbox")
    assert is_loaded(probes["--sandbox whoami"], "trakt_plan.sandbox.server")


def _importers(package_imports, name):
    return sorted(
        path
        for path, imports in package_imports.items()
        if any(m == name or m.startswith(name + ".") for m in imports)
    )


def test_only_the_trakt_and_sandbox_packages_import_httpx(package_imports):
    """httpx is imported only under trakt_plan/trakt/ and trakt_plan/sandbox/."""
    importers = _importers(package_imports, "httpx")
    assert "trakt/client.py" in importers
    assert [p for p in importers if not p.startswith(("trakt/", "sandbox/"))] == []


def test_only_ui_and_the_text_rendering_import_rich(package_imports):
    """rich is imported by ui.py and the terminal rendering of a plan, and nowhere else."""
    assert _importers(package_imports, "rich") == ["ui.py", "view/text.py"]


def test_the_plan_view_is_built_without_any_renderer(package_imports):
    """view/plan.py, the value every rendering takes, imports no rendering and no Ui."""
    ours = {m for m in package_imports["view/plan.py"] if m.startswith("trakt_plan")}
    assert {m for m in ours if m.startswith(("trakt_plan.view", "trakt_plan.ui"))} == set()


def test_labels_import_nothing_from_the_package(package_imports):
    """labels.py is a leaf, so every layer can word counts and episodes the same way."""
    assert [m for m in package_imports["labels.py"] if m.startswith("trakt_plan")] == []


def test_only_the_cli_path_imports_the_sandbox(package_imports):
    """Outside the emulator itself, only the CLI and its runtime import trakt_plan.sandbox."""
    importers = _importers(package_imports, "trakt_plan.sandbox")
    outside = [p for p in importers if not p.startswith("sandbox/")]
    assert "runtime.py" in outside
    assert {p for p in outside if not p.startswith("cli/")} <= {"runtime.py"}


def test_errors_imports_nothing_from_the_package(package_imports):
    """errors.py stays importable by every layer: it imports nothing from trakt_plan."""
    assert [m for m in package_imports["errors.py"] if m.startswith("trakt_plan")] == []


def test_the_planner_does_no_io_and_reads_no_clock(package_imports):
    """The planner imports only the pure layers and no file, process, network or clock module."""
    imports = package_imports["planner.py"]
    allowed = (
        "errors",
        "labels",
        "media",
        "spec.model",
        "spec.conditions",
        "catalogue",
        "judges",
        "trakt.models",
        "timefmt",
    )
    ours = sorted(m for m in imports if m.startswith("trakt_plan"))
    assert ours
    assert [
        m
        for m in ours
        if not any(m == f"trakt_plan.{a}" or m.startswith(f"trakt_plan.{a}.") for a in allowed)
    ] == []
    effects = {"os", "io", "pathlib", "time", "random", "socket", "subprocess", "shutil"}
    assert {m.split(".")[0] for m in imports} & effects == set()


@pytest.mark.parametrize("path", ["judges.py", "catalogue.py"])
def test_the_planners_helpers_do_no_io_and_read_no_clock(package_imports, path):
    """The condition judges and the catalogue value import no file, process, network or clock."""
    imports = package_imports[path]
    effects = {"os", "io", "pathlib", "time", "random", "socket", "subprocess", "shutil"}
    assert {m.split(".")[0] for m in imports} & effects == set()
    assert [m for m in imports if m.startswith(("trakt_plan.trakt.client", "httpx"))] == []
