"""Every rendering's summary and rules table say what `protect` and `unless` spared."""

from __future__ import annotations

import io

from rich.console import Console

from tests.view.conftest import START, episode_play, plan_of
from trakt_plan.view.html import render_html
from trakt_plan.view.markdown import render_markdown
from trakt_plan.view.plan import PlanView, plan_view
from trakt_plan.view.text import render_text

SPARING = """\
version: 1
rules:
  - name: bulk
    show: 1394
    drop: {same_timestamp: 3}
    unless: {episodes: [S01E02, S01E03]}
protect:
  - {show: 1394, when: {episodes: [S01E03, S01E04]}}
"""


def sparing_view() -> PlanView:
    """Five plays marked in one second: 1 and 5 go, 3 and 4 are protected, 2 is excepted."""
    history = [episode_play(n, 1, n, START) for n in range(1, 6)]
    return plan_view(plan_of(history, SPARING))


def text_of(view: PlanView) -> list[str]:
    console = Console(width=100, color_system=None, file=io.StringIO())
    console.print(render_text(view))
    return [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]


def test_the_summary_counts_the_plays_spared_by_protect_and_by_unless():
    """2 protected (S01E03 counts under protect only), 1 kept by the rule's unless."""
    view = sparing_view()

    assert view.summary.spared == "2 by protect, 1 by unless"
    assert [(r.name, r.deletions, r.spared_by_protect, r.spared_by_unless) for r in view.rules] == [
        ("bulk", 2, 2, 1)
    ]


def test_every_rendering_shows_the_spared_plays_in_its_summary_and_rules_table():
    """Text, Markdown and HTML each say `2 by protect, 1 by unless` and count them per rule."""
    view = sparing_view()
    text = text_of(view)
    markdown = render_markdown(view)
    page = render_html(view)

    assert "  spared: 2 by protect, 1 by unless" in text
    assert text[-2].split() == ["Rule", "Scope", "In", "scope", "Removed", "Protect", "Unless"]
    assert text[-1].split()[-4:] == ["5", "2", "2", "1"]
    assert "Spared: 2 by protect, 1 by unless." in markdown
    assert "| bulk | Agents of S.H.I.E.L.D. (2013) | 5 | 2 | 2 | 1 |" in markdown
    assert "<dt>spared</dt><dd>2 by protect, 1 by unless</dd>" in page
    assert '<td class="num">2</td><td class="num">2</td><td class="num">1</td>' in page
