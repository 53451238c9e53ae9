"""The YAML in the docs: every example loads, and the cookbook's plans remove what it says."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.transcripts import read_recipes
from trakt_plan.catalogue import Catalogue, EpisodeFacts, MovieFacts
from trakt_plan.planner import build_plan
from trakt_plan.resolve import resolve_offline
from trakt_plan.sandbox import demo_state
from trakt_plan.spec.load import load_spec_text
from trakt_plan.timefmt import parse_trakt_time
from trakt_plan.trakt.models import HistoryItem

DOCS = REPO / "docs"
_FENCE = re.compile(r"^```yaml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# Keys a reference page may show on their own: they complete into a plan as they stand.
_PLAN_KEYS = {"rules", "protect", "description", "max_deletions"}
_PLACEHOLDER_RULE = "rules:\n  - name: example\n    history: all\n    drop: {action: watch}\n"

DEMO_TIMEZONE = "America/New_York"


def yaml_blocks(doc: Path) -> list[tuple[int, str]]:
    """Every ```yaml block of a Markdown file, with the line its text starts on."""
    text = doc.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in _FENCE.finditer(text)]


def top_level_keys(block: str) -> set[str]:
    """The keys written at column 0 (comments and list items aside)."""
    keys = set()
    for line in block.splitlines():
        if line and not line[0].isspace() and line[0] not in "#-" and ":" in line:
            keys.add(line.split(":", 1)[0].strip())
    return keys


def as_plan(block: str) -> str:
    """A reference page's fragment, completed into a plan the way its text describes it.

    A whole plan stays as is; ``rules:``/``protect:`` get ``version: 1`` (and a rule when
    they have none); a ``drop:`` block becomes the conditions of a rule on show 1394.
    """
    keys = top_level_keys(block)
    if "version" in keys:
        return block
    if keys and keys <= _PLAN_KEYS:
        rules = "" if "rules" in keys else _PLACEHOLDER_RULE
        return "version: 1\n" + block + rules
    if keys == {"drop"}:
        rule = "version: 1\nrules:\n  - name: example\n    show: 1394\n"
        return rule + textwrap.indent(block, "    ")
    raise AssertionError(f"no way to complete a YAML block with top-level keys {sorted(keys)}")


README = REPO / "README.md"
COOKBOOK = DOCS / "cookbook.md"


def _cases() -> list[tuple[Path, int, str]]:
    pages = [*sorted(DOCS.glob("*.md")), README]
    return [(doc, line, block) for doc in pages for line, block in yaml_blocks(doc)]


CASES = _cases()


def test_the_cookbook_and_the_language_reference_both_have_yaml_examples():
    """Both pages are covered, so an emptied or renamed page cannot pass unnoticed."""
    pages = {doc.name for doc, _line, _block in CASES}

    assert {"cookbook.md", "plan-language.md", "README.md"} <= pages


@pytest.mark.parametrize(
    ("doc", "line", "block"), CASES, ids=[f"{doc.name}:{line}" for doc, line, _b in CASES]
)
def test_every_yaml_block_in_the_docs_loads(doc, line, block):
    """A ```yaml block is a plan (a cookbook one exactly as printed) that validates."""
    text = block if doc.name in {"cookbook.md", "README.md"} else as_plan(block)

    spec = load_spec_text(text, f"{doc.name} (block at line {line})")

    assert spec.version == 1
    assert spec.rules


_ANNOUNCED = re.compile(r"^Plan: remove (\d+) plays? ")


def announced_deletions(page: Path) -> dict[str, int]:
    """For each plan file of the page, what its transcript's `plan FILE` says it removes."""
    announced = {}
    for recipe in read_recipes(page):
        for command in recipe.commands:
            words = command.text.split()
            counts = [int(m.group(1)) for m in map(_ANNOUNCED.match, command.expected) if m]
            if words[1:2] == ["plan"] and words[2] in recipe.files and counts:
                announced[words[2]] = counts[-1]
    return announced


def test_every_cookbook_plan_has_a_transcript_saying_what_it_removes():
    """Each YAML plan of the cookbook is planned in a transcript that shows the plan's total."""
    names = {block.splitlines()[0].lstrip("# ").strip() for _l, block in yaml_blocks(COOKBOOK)}

    assert sorted(announced_deletions(COOKBOOK)) == sorted(names)


def demo_catalogue() -> Catalogue:
    """The demo's runtimes and release dates, as `plan` reads them from the emulator."""
    catalog = demo_state().catalog
    episodes = {
        episode.trakt: EpisodeFacts(episode.runtime, parse_trakt_time(episode.first_aired))
        for episode in catalog.all_episodes()
    }
    movies = {
        movie.trakt: MovieFacts(movie.runtime, date.fromisoformat(movie.released))
        for movie in catalog.movies.values()
    }
    shows = {show.trakt: show.runtime for show in catalog.shows.values()}
    return Catalogue(episodes=episodes, shows=shows, movies=movies)


def test_each_cookbook_recipe_removes_what_the_cookbook_says():
    """Planned offline over the demo account, each recipe removes what its transcript shows."""
    history = [HistoryItem.model_validate(row) for row in demo_state().history()]
    catalogue = demo_catalogue()
    removed = {}
    for _line, block in yaml_blocks(COOKBOOK):
        name = block.splitlines()[0].lstrip("# ").strip()
        spec = load_spec_text(block, name)
        resolved = resolve_offline(spec, history)
        result = build_plan(spec, resolved, history, timezone=DEMO_TIMEZONE, catalogue=catalogue)
        removed[name] = len(result.deletions)

    assert removed == announced_deletions(COOKBOOK)
