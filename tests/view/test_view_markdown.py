"""The Markdown rendering parses, as GitHub-flavoured Markdown, into the tables it promises."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.view.conftest import bulk_history, plan_of
from trakt_plan.view.markdown import LIMIT, render_markdown
from trakt_plan.view.plan import plan_view


def parse(text: str) -> list[Token]:
    """Tokens as a GitHub-like parser sees them: CommonMark with tables and raw HTML."""
    return MarkdownIt("commonmark").enable("table").parse(text)


def text_of(inline: Token) -> str:
    """What a reader sees of an inline token: its text with escapes and entities decoded."""
    parts = [child.content for child in inline.children or [] if child.type != "softbreak"]
    return "".join(parts)


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    found: list[list[list[str]]] = []
    row: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(text_of(tokens[index + 1]))
        elif token.type == "tr_close":
            found[-1].append(row)
    return found


def test_the_markdown_has_a_header_summary_groups_rules_and_a_details_table(bulk_plan):
    """Header, summary, per-show table, rules table and one <details> table of deletions."""
    text = render_markdown(plan_view(bulk_plan))
    tokens = parse(text)
    found = tables(tokens)
    assert len(found) == 4
    header, groups, rules, deletions = found
    assert ["plan_id", bulk_plan.plan_id] == header[3]
    assert groups[:1] == [["show / movie", "removed", "kept", "after apply"]]
    assert groups[1][:2] == ["Agents of S.H.I.E.L.D. (2013) · show 1394", "60"]
    assert (rules) == [
        ["rule", "scope", "plays in scope", "removed", "spared by protect", "spared by unless"],
        ["bulk", "Agents of S.H.I.E.L.D. (2013)", "61", "60", "0", "0"],
        ["never", "Agents of S.H.I.E.L.D. (2013)", "61", "0", "0", "0"],
    ]
    assert len(deletions) == 61
    why = "bulk: 60 plays share the second 2025-11-17 01:02:03Z"
    assert deletions[1] == ["-", "1000", "2025-11-17 01:02:03Z", "S01E01", "watch", why]
    html = [t.content for t in tokens if t.type == "html_block"]
    assert html[0].startswith("<details>\n<summary>Agents of S.H.I.E.L.D. (2013) · show 1394")
    assert "**Plan: remove 60 plays of 1 show (61 plays seen).**" in text
    assert "By action: 60 watch · 0 scrobble · 0 checkin." in text
    assert "### trakt-plan: Undo the accidental mark as watched" in text


def test_a_title_with_table_and_html_syntax_stays_inside_its_cell(make_plan):
    """A Trakt title holding `|`, `<script>` and `**` neither adds a column nor injects HTML."""
    title = "A | B <script>alert(1)</script> **bold** [x](http://e.invalid)"
    text = render_markdown(plan_view(make_plan(bulk_history(3, title=title))))
    tokens = parse(text)
    groups = tables(tokens)[1]
    assert len(groups[1]) == 4
    assert f"{title} (2013) · show 1394" == groups[1][0]
    assert "<script>" not in text
    assert [t for t in tokens if t.type == "link_open"] == []


def test_a_huge_plan_is_cut_under_githubs_limit_and_says_how_many_rows_are_left_out():
    """2,000 deletions: the Markdown stays under 65,000 characters and counts what it left out."""
    view = plan_view(plan_of(bulk_history(2000)))
    text = render_markdown(view)
    rows = len(tables(parse(text))[3]) - 1
    assert len(text) <= LIMIT
    assert f"{2000 - rows:,} deletions left out above".replace(",", "") in text.replace(",", "")
    assert f"plan_id {view.header.plan_id}" in text


def test_a_plan_with_nothing_to_remove_renders_the_summary_and_the_rules_only(make_plan):
    """No deletions: no per-show table and no <details>, but the summary and the rules."""
    text = render_markdown(plan_view(make_plan(bulk_history(2))))
    tokens = parse(text)
    assert len(tables(tokens)) == 2
    assert "<details>" not in text
    assert "**Plan: nothing to remove (3 plays seen).**" in text
