"""The cookbook's transcripts are what trakt-plan prints, each recipe replayed on the demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.cli import invoke
from tests.support.transcripts import Recipe, Shell, missing, read_recipes

COOKBOOK = REPO / "docs" / "cookbook.md"
RECIPES = read_recipes(COOKBOOK)


def test_every_recipe_in_the_contents_has_a_transcript():
    """Each recipe the cookbook lists at the top shows, and so checks, what its commands print."""
    contents = re.findall(r"^- \[(.+?)\]\(#", COOKBOOK.read_text(encoding="utf-8"), re.MULTILINE)

    assert contents == [recipe.title for recipe in RECIPES]


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.title for recipe in RECIPES])
def test_the_recipe_prints_what_the_cookbook_shows(
    recipe: Recipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run with --sandbox in a fresh directory, every command prints its transcript's lines."""
    monkeypatch.chdir(tmp_path)
    for name, text in recipe.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    shell = Shell(tmp_path, invoke)
    problems = []
    for number, command in enumerate(recipe.commands):
        run = shell.run(command.text)
        following = recipe.commands[number + 1 : number + 2]
        status_shown = [next_command.text for next_command in following] == ["echo $?"]
        where = f"cookbook.md:{command.line}: $ {command.text}"
        if run.exit_code != 0 and not status_shown:
            problems.append(f"{where}\nexited {run.exit_code}:\n{run.stdout}{run.stderr}")
        for block in missing(command.expected, run):
            problems.append(f"{where}\ndid not print:\n{block}\nit printed:\n{run.output}")

    assert problems == [], "\n\n".join(problems)
