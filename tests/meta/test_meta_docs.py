"""Guardrails: the README and docs/ keep up with the commands, the plan language and settings."""

from __future__ import annotations

import ast
import re

from trakt_plan.spec import conditions, model


def _readme_command_cells(repo):
    """The backticked entries of the first column of README.md's `## Commands` table."""
    readme = (repo / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    assert rows, "README.md has no command table under ## Commands"
    cells = []
    for row in rows:
        first = re.split(r"(?<!\\)\|", row)[1]
        cells.extend(span.split() for span in re.findall(r"`([^`]+)`", first))
    return cells


def test_every_command_is_in_the_readme_command_table(repo, leaf):
    """Each command and sub-command appears in the first column of README.md's command table."""
    depth = len(leaf.path)
    listed = [cell[:depth] for cell in _readme_command_cells(repo)]
    assert list(leaf.path) in listed, f"add `{leaf.name}` to the table under ## Commands"


def test_the_readme_command_table_names_only_real_commands(repo, tree):
    """Every command the README's table names exists (docs do not outlive a rename)."""
    real = {info.path for info in tree}
    groups = {info.path for info in tree if info.is_group}
    unknown = []
    for cell in _readme_command_cells(repo):
        path = (cell[0],)
        if path in groups and len(cell) > 1:
            path = (cell[0], cell[1])
        if path not in real or path in groups:
            unknown.append(" ".join(cell))
    assert unknown == []


def test_every_condition_has_a_section_in_the_plan_language_doc(repo):
    """Each condition of the plan language has its own `### ` section in docs/plan-language.md."""
    doc = (repo / "docs" / "plan-language.md").read_text(encoding="utf-8")
    headings = " ".join(line for line in doc.splitlines() if line.startswith("### "))
    documented = set(re.findall(r"`(\w+)`", headings))
    assert sorted(set(conditions.Conditions.model_fields) - documented) == []


def test_every_plan_key_is_in_the_plan_language_doc(repo):
    """Every key a plan YAML may contain is named (in backticks) in docs/plan-language.md."""
    doc = (repo / "docs" / "plan-language.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(\w+)(?::[^`]*)?`", doc))
    keys = set()
    for cls in (
        model.PlanSpec,
        model.Rule,
        model.ProtectEntry,
        conditions.Repeats,
        conditions.Burst,
    ):
        keys.update(field.alias or name for name, field in cls.model_fields.items())
    assert sorted(keys - named) == []


def test_every_environment_variable_is_in_the_readme(repo):
    """Each TRAKT_* variable that settings.py reads is listed in README.md."""
    source = (repo / "trakt_plan" / "settings.py").read_text(encoding="utf-8")
    names = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"TRAKT_[A-Z_]+", node.value)
    }
    assert "TRAKT_ACCESS_TOKEN" in names
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert sorted(name for name in names if name not in readme) == []
