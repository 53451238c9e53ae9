"""The HTML page: one self-contained file with a timeline per show above the same tables."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

from tests.support import REPO
from tests.support.cli import invoke
from trakt_plan.view.html import render_html
from trakt_plan.view.plan import GroupView, PlanHeader, PlanSummary, PlanView, PlayRow, RuleCount


def _row(n: int, *, title_reason: str = "bulk") -> PlayRow:
    return PlayRow(
        history_id=1000 + n,
        watched_at=f"2025-11-17 01:02:{n:02d}Z",
        what=f"S01E{n + 1:02d}",
        action="watch",
        reasons=(title_reason,),
        at=datetime(2025, 11, 17, 1, 2, n, tzinfo=UTC),
    )


def _view(title: str = "Agents of S.H.I.E.L.D. (2013)", rows: int = 3) -> PlanView:
    group = GroupView(
        kind="show",
        trakt_id=1394,
        title=title,
        rows=tuple(_row(n) for n in range(rows)),
        kept=2,
        after="last S03E16, next S03E17",
        kept_rows=tuple(replace(_row(n), reasons=(), history_id=n) for n in (40, 41)),
    )
    return PlanView(
        header=PlanHeader(
            description="Undo the accidental mark",
            account="sandbox-user",
            api_base="sandbox",
            planned_at="2026-12-01 04:00:00Z",
            plan_id="ab" * 32,
            source="plans/aos.yaml",
            timezone="UTC",
        ),
        summary=PlanSummary(
            plays_seen=83,
            removed=rows,
            shows=1,
            movies=0,
            by_action=(("watch", rows), ("scrobble", 0), ("checkin", 0)),
            first_removed="2025-11-17 01:02:00Z",
            last_removed="2025-11-17 01:02:02Z",
        ),
        rules=(RuleCount("bulk", 83, rows),),
        groups=(group,),
        warnings=(),
        document={},
    )


class _Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags


def test_the_page_shows_header_summary_rules_and_each_deletion():
    """A reviewer finds the account, plan id, summary line, rule counts and every play."""
    page = render_html(_view())
    for expected in (
        "Undo the accidental mark",
        "sandbox-user on sandbox",
        "ab" * 32,
        "Plan: remove 3 plays of 1 show (83 plays seen).",
        "3 watch · 0 scrobble · 0 checkin",
        "last S03E16, next S03E17",
    ):
        assert expected in page
    rows = [attrs for tag, attrs in _elements(page) if tag == "td" and attrs.get("class") == "mark"]
    assert len(rows) == 3


def test_each_show_has_a_timeline_above_its_tables():
    """The show's section holds one inline SVG, a cross per removed and a dot per kept play."""
    page = render_html(_view(rows=4))
    section = page.split('<section class="group"', 1)[1]
    assert section.index("<svg") < section.index("<table")
    assert len(re.findall(r'<path class="removed"', section)) == 4
    assert len(re.findall(r'<circle class="kept"', section)) == 2


def test_the_page_asks_nothing_of_any_other_host():
    """No element loads a script, style, font or picture, and the page's policy forbids it."""
    page = render_html(_view())
    loaders = [
        (tag, attrs)
        for tag, attrs in _elements(page)
        if tag in {"script", "link", "img", "iframe", "object", "embed", "image", "use"}
        or {"src", "href", "srcset"} & set(attrs)
    ]
    assert loaders == []
    assert "url(" not in page
    assert "@import" not in page
    assert "default-src 'none'" in page


def test_titles_and_reasons_are_text_never_markup():
    """A show title or rule name holding HTML is shown escaped, in the table and the picture."""
    evil = '<script>alert("x")</script>'
    view = _view(title=evil)
    page = render_html(view)
    assert "<script" not in page
    assert "&lt;script&gt;" in page


def test_the_same_plan_renders_the_same_bytes():
    """Rendering twice gives identical pages: a saved page diffs cleanly."""
    assert render_html(_view()) == render_html(_view())


def test_long_deletion_lists_start_folded():
    """A show with many deletions keeps its table in a closed <details>; a short one opens."""
    short, long = render_html(_view(rows=3)), render_html(_view(rows=40))
    assert "<details open>" in short
    assert "<details>" in long


def test_plan_and_show_print_the_same_page(tmp_path):
    """`plan --format html` and `show --format html` of its saved plan are byte-identical."""
    saved = tmp_path / "aos.plan.json"
    spec = str(REPO / "plans" / "aos-cleanup.yaml")
    planned = invoke("--sandbox", "plan", spec, "-o", str(saved), "--format", "html")
    shown = invoke("show", str(saved), "--format", "html")
    assert (planned.exit_code, shown.exit_code) == (0, 0), planned.stderr + shown.stderr
    assert planned.stdout == shown.stdout
    assert planned.stdout.startswith("<!DOCTYPE html>")
