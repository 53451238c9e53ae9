"""The docs' transcripts are what trakt-plan prints: each one replayed on the demo account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.cli import invoke
from tests.support.transcripts import Recipe, read_recipes, replay

COOKBOOK = REPO / "docs" / "cookbook.md"
README = REPO / "README.md"
RECIPES = read_recipes(COOKBOOK)
README_STORIES = read_recipes(README)


def test_every_recipe_in_the_contents_has_a_transcript():
    """Each recipe the cookbook lists at the top shows, and so checks, what its commands print."""
    contents = re.findall(r"^- \[(.+?)\]\(#", COOKBOOK.read_text(encoding="utf-8"), re.MULTILINE)

    assert contents == [recipe.title for recipe in RECIPES]


def test_the_readme_tells_the_sandbox_story_as_a_transcript():
    """The README's walk through the sandbox is a transcript too, so it is checked below."""
    assert [story.title for story in README_STORIES] == ["The whole story, in the sandbox"]


@pytest.mark.parametrize("recipe", RECIPES, ids=[recipe.title for recipe in RECIPES])
def test_the_recipe_prints_what_the_cookbook_shows(
    recipe: Recipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run with --sandbox in a fresh directory, every command prints its transcript's lines."""
    monkeypatch.chdir(tmp_path)

    problems = replay(recipe, tmp_path, "docs/cookbook.md", invoke)

    assert problems == [], "\n\n".join(problems)


@pytest.mark.parametrize("story", README_STORIES, ids=[story.title for story in README_STORIES])
def test_the_readme_story_prints_what_the_readme_shows(
    story: Recipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's sandbox transcript, replayed on a fresh demo account, prints its lines."""
    monkeypatch.chdir(tmp_path)

    problems = replay(story, tmp_path, "README.md", invoke)

    assert problems == [], "\n\n".join(problems)
