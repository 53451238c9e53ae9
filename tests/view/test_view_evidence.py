"""Every rendering shows why each play goes (the planner's evidence) and every scope of a rule."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console

from tests.view.conftest import SHOW, START, bulk_history, episode_play, plan_of
from trakt_plan.trakt.models import Ids, ResolvedScope
from trakt_plan.view.html import render_html
from trakt_plan.view.markdown import render_markdown
from trakt_plan.view.plan import PlanView, plan_view
from trakt_plan.view.text import render_text

TWO_RULES = """\
version: 1
rules:
  - name: after-s01e01
    show: 1394
    drop: {after: S01E01}
  - name: bulk
    show: 1394
    drop: {same_timestamp: 3}
"""

BULK = "bulk: 3 plays share the second 2025-11-17 01:02:03Z"
AFTER = "after-s01e01: matches after S01E01"


def text_of(view: PlanView, width: int = 100) -> str:
    """The terminal rendering as a terminal ``width`` columns wide shows it, without styles."""
    console = Console(width=width, color_system=None, file=io.StringIO())
    console.print(render_text(view))
    return console.file.getvalue()  # type: ignore[attr-defined]


def three_marked() -> list:
    """S01E01 to S01E03 marked in one second."""
    return [episode_play(1 + n, 1, 1 + n, START) for n in range(3)]


def test_a_play_chosen_by_two_rules_shows_each_rules_evidence():
    """S01E02 of a bulk mark: one line per rule, in plan order, saying what matched."""
    view = plan_view(plan_of(three_marked(), TWO_RULES))
    row = view.groups[0].rows[1]

    assert (row.what, row.why_lines) == ("S01E02", (AFTER, BULK))
    assert row.why == f"{AFTER}; {BULK}"


def test_the_terminal_lists_the_evidence_under_the_row_it_explains():
    """The text table's Why column has a line per rule beside the removed play."""
    text = text_of(plan_view(plan_of(three_marked(), TWO_RULES)))
    lines = [line.rstrip() for line in text.splitlines()]
    at = next(i for i, line in enumerate(lines) if " S01E02 " in line)

    assert lines[at].endswith(AFTER)
    assert lines[at + 1].strip() == BULK


def test_markdown_and_html_show_the_evidence_of_every_removed_play():
    """The Markdown deletions table and the HTML page carry each rule's evidence per play."""
    view = plan_view(plan_of(three_marked(), TWO_RULES))

    markdown = render_markdown(view)
    page = render_html(view)

    assert "| - | 2 | 2025-11-17 01:02:03Z | S01E02 | watch |" in markdown
    assert f"after-s01e01: matches after S01E01<br>{BULK} |" in markdown
    assert markdown.count(BULK) == 3
    assert page.count(BULK) == 3
    assert f"{AFTER}<br>{BULK}</td>" in page


def test_a_plan_saved_without_evidence_still_names_its_rules():
    """Plans saved before evidence was recorded list the rules that chose each play."""
    saved = plan_of(three_marked(), TWO_RULES)
    old = saved.model_copy(
        update={"deletions": tuple(d.model_copy(update={"evidence": ()}) for d in saved.deletions)}
    )

    row = plan_view(old).groups[0].rows[1]

    assert row.why_lines == ("after-s01e01, bulk",)


SEVERAL = """\
version: 1
rules:
  - name: bulk-anywhere
    show: [1394, 1390]
    drop: {same_timestamp: 3}
  - name: everything
    history: episodes
    drop: {history_ids: [999]}
"""
GOT = ResolvedScope(type="show", title="Game of Thrones", year=2011, ids=Ids(trakt=1390))


def test_a_rule_over_several_shows_names_every_one_in_each_rules_table():
    """`show: [1394, 1390]` reads as both titles in the text, Markdown and HTML rules tables."""
    history = [*bulk_history(3), episode_play(5, 2, 1, START + timedelta(hours=1))]
    view = plan_view(plan_of(history, SEVERAL, shows=(SHOW, GOT)))
    both = "Agents of S.H.I.E.L.D. (2013), Game of Thrones (2011)"

    assert [(rule.name, rule.scope) for rule in view.rules] == [
        ("bulk-anywhere", both),
        ("everything", "history: episodes"),
    ]
    assert any(
        line.split()[:1] == ["bulk-anywhere"] and both in line
        for line in text_of(view, width=160).splitlines()
    )
    assert f"| bulk-anywhere | {both} |" in render_markdown(view)
    assert f"<td>bulk-anywhere</td><td>{both}</td>" in render_html(view)
