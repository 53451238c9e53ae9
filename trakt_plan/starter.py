"""The starter plan that ``trakt-plan init`` writes: what the history shows, and rules for it.

:func:`render_starter` turns a history into a commented plan YAML that ``trakt-plan plan``
runs as is: the findings of :mod:`trakt_plan.detect` and the recent plays as comments, one
rule per kind of accident found, and hints (as commented-out lines) for narrowing each rule.
The rules are the ones the detector mirrors, so what the comments point out is what the
plan removes. No I/O, no clock (``now`` is passed in), no rich: the same inputs give the same
text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

from trakt_plan import __version__
from trakt_plan.detect import BULK_PLAYS, KINDS, Finding, Kind, find_accidents
from trakt_plan.labels import episode_code, play_time, plural
from trakt_plan.plays import (
    Play,
    clean,
    clip,
    in_scope,
    media_title,
    plays_in_order,
)
from trakt_plan.trakt.models import HistoryItem, ResolvedScope

__all__ = ["MANUAL_WINDOW", "RECENT_PLAYS", "render_starter", "rule_flow", "rule_yaml"]

# Old manual marks are usually deliberate (catching up a show watched elsewhere);
# recent ones are the ones a media server pushes by mistake.
MANUAL_WINDOW = timedelta(days=30)
RECENT_PLAYS = 15
# Beyond this many findings of one kind the header would bury the plan itself.
_SHOWN_FINDINGS = 12
# Prose comments wrap here; table rows and commands are never wrapped.
_WIDTH = 92

_MARKS: dict[Kind, str] = {
    "same_second": "bulk mark",
    "runtime_chain": "back-to-back mark",
    "at_release": "release-date mark",
    "double_play": "double play",
    "flood": "flood day",
    "manual": "manual mark",
}
# What each rule written from the detector's own rule is for (bulk, manual and double
# plays have their own sections with hints).
_WHY: dict[Kind, str] = {
    "runtime_chain": (
        "Trakt's web app marks 'watched until here' back to back: each play one episode "
        "runtime after the previous. A binge a player reported has gaps of a runtime plus "
        "the minutes between episodes, so it stays."
    ),
    "at_release": (
        "Marks stamped at the very second each episode aired (the web app's 'at release'). "
        "Plays a player reported stay, even at air time."
    ),
    "flood": (
        "An app that re-sent its whole watched list put these plays on one day. Only the "
        "plays marked as watched (action watch) of that day go."
    ),
}


def _quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (apostrophes, colons and ``#`` are safe)."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            # Line breaks and control characters must not end up raw in the scalar.
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _scope_line(scope: ResolvedScope | None) -> tuple[str, str]:
    """The rule's scope key and a comment naming what it is."""
    if scope is None:
        return "history: all", "every play of the account, episodes and movies"
    name = media_title(scope.title, scope.year, f"{scope.type} {scope.trakt_id}")
    slug = f", slug {clean(scope.ids.slug).strip()}" if scope.ids.slug else ""
    return f"{scope.type}: {scope.trakt_id}", f"{clip(name)}{slug}"


class _Writer:
    """Collects the lines of the starter; comments are cleaned so they stay one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str = "", indent: int = 0) -> None:
        """One comment line, as is (table rows, commands)."""
        cleaned = clean(text) if text else ""
        self.lines.append(" " * indent + ("# " + cleaned if cleaned else "#"))

    def prose(self, text: str, indent: int = 0, hang: int = 0) -> None:
        """Sentences wrapped into comment lines; continuation lines are indented by ``hang``."""
        lines = textwrap.wrap(
            clean(text),
            _WIDTH - indent - 2,
            subsequent_indent=" " * hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        for line in lines:
            self.comment(line, indent)

    def raw(self, text: str = "") -> None:
        self.lines.append(text)

    def hint(self, lines: Sequence[str], indent: int) -> None:
        """Commented-out YAML: removing the ``# `` after the indent makes it live."""
        for line in lines:
            self.lines.append(" " * indent + "# " + line)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines) + "\n"


@dataclass(frozen=True)
class _Context:
    scope: ResolvedScope | None
    scope_key: str
    scope_note: str
    plays: list[Play]
    findings: list[Finding]
    window_start: datetime

    def of_kind(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def play(self, history_id: int) -> Play:
        return next(p for p in self.plays if p.id == history_id)

    @property
    def is_show(self) -> bool:
        return self.scope is not None and self.scope.type == "show"

    @property
    def is_movie(self) -> bool:
        return self.scope is not None and self.scope.type == "movie"


def _header(out: _Writer, ctx: _Context, now: datetime, source: str) -> None:
    if ctx.scope is None:
        out.prose("Starter plan for the whole watch history.")
        seen = f"{plural(len(ctx.plays), 'play')} in all"
    else:
        out.prose(f"Starter plan for {ctx.scope_note} ({ctx.scope_key}).")
        seen = f"{plural(len(ctx.plays), 'play')} of this {ctx.scope.type}"
    origin = clip(clean(source).strip() or "an unnamed source")
    out.prose(
        f"Written by trakt-plan {__version__} init on {now.date().isoformat()} "
        f"from {origin}: {seen}."
    )
    out.comment()
    if ctx.findings:
        out.comment("What looks wrong:")
        for kind in KINDS:
            found = ctx.of_kind(kind)
            for finding in found[:_SHOWN_FINDINGS]:
                out.prose(f"  - {_MARKS[kind]}: {finding.summary}", hang=4)
            if len(found) > _SHOWN_FINDINGS:
                more = len(found) - _SHOWN_FINDINGS
                out.comment(f"  - and {plural(more, f'more {_MARKS[kind]}')}")
    else:
        out.prose(
            "Nothing looks wrong: no bulk marks, back-to-back or release-date marks, flood days, "
            "manual marks or double plays were found."
        )
    out.comment()
    _recent(out, ctx)
    out.comment()
    out.comment("Next steps (nothing is removed before apply, and undo puts plays back):")
    out.comment("  trakt-plan validate THIS.yaml                check it, offline")
    out.comment("  trakt-plan plan THIS.yaml -o THIS.plan.json  review every play it removes")
    out.comment("  trakt-plan apply THIS.plan.json              remove exactly those plays")
    out.comment("  trakt-plan undo THIS.plan.json               put them back")


def _recent(out: _Writer, ctx: _Context) -> None:
    if not ctx.plays:
        out.comment("There are no plays yet.")
        return
    flagged: dict[int, str] = {}
    for finding in ctx.findings:
        for history_id in finding.history_ids:
            flagged.setdefault(history_id, _MARKS[finding.kind])
    recent = ctx.plays[::-1][:RECENT_PLAYS]
    out.comment(f"The {plural(len(recent), 'newest play')}, newest first:")
    for play in recent:
        what = episode_code(*play.code) if play.code is not None else ""
        if ctx.scope is None or play.code is None:
            what = f"{clip(play.title, 40)} {what}".strip()
        mark = flagged.get(play.id)
        line = f"  {play.id:>12}  {play_time(play.item.watched_at)}  {play.item.action:<8}  {what}"
        out.comment(f"{line}  <- {mark}" if mark else line)
    if len(ctx.plays) > len(recent):
        out.comment("  ... `trakt-plan history` lists them all.")
    out.comment("Actions: scrobble = a player reported the playback, checkin = a check-in,")
    out.comment("         watch = marked as watched (by hand or by a media server), not played.")


def _rule_head(out: _Writer, ctx: _Context, name: str) -> None:
    out.raw(f"  - name: {name}")
    out.raw(f"    {ctx.scope_key}    # {ctx.scope_note}")


def _bulk_rule(out: _Writer, ctx: _Context) -> None:
    found = ctx.of_kind("same_second")
    count = sum(len(f.history_ids) for f in found)
    marks = "bulk mark" if len(found) == 1 else f"{len(found)} bulk marks"
    out.prose(
        "A 'mark as watched' tap puts many plays in one second. This rule catches the "
        f"{plural(count, 'play')} of the {marks} listed above, and any later one.",
        2,
    )
    _rule_head(out, ctx, "bulk-marks")
    out.raw("    drop:")
    out.raw(f"      same_timestamp: {BULK_PLAYS}    # plays sharing their second with >= 2 others")
    first = ctx.play(found[0].history_ids[0])
    out.prose("To keep some of these plays, uncomment the lines below and list them:", 4)
    if ctx.is_show and first.code is not None:
        out.hint(["unless:", f"  episodes: [{episode_code(*first.code)}]"], 4)
    else:
        out.hint(["unless:", f"  history_ids: [{first.id}]"], 4)


def _manual_rule(out: _Writer, ctx: _Context, live: int) -> None:
    """The manual-marks rule; commented out when no manual mark falls in its window."""
    found = ctx.of_kind("manual")
    start = ctx.window_start.date().isoformat()
    older = sum(len(f.history_ids) for f in found) - live
    if live:
        out.prose(
            "Plays marked as watched rather than played (action watch), since "
            f"{start} (30 days back): the {plural(live, 'recent manual mark')} listed above"
            + (", and recent bulk marks made the same way." if ctx.of_kind("same_second") else "."),
            2,
        )
        if older:
            out.prose(
                f"{plural(older, 'older manual mark')} {'stays' if older == 1 else 'stay'}: "
                "old marks are usually deliberate. "
                "Move watched_from back to include them.",
                2,
            )
    else:
        out.prose(
            f"The manual marks listed above are older than {start} (30 days back), and old "
            "marks are usually deliberate. To remove recent ones from now on, uncomment this "
            "rule:",
            2,
        )
    lines = [
        "- name: manual-marks",
        f"  {ctx.scope_key}    # {ctx.scope_note}",
        f"  watched_from: {start}    # only plays since then are fetched and looked at",
        "  drop:",
        "    action: watch",
    ]
    if live:
        for line in lines:
            out.raw("  " + line)
        indent, nest = 4, ""
    else:
        out.hint(lines, 2)
        indent, nest = 2, "  "
    out.prose("To spare some of them, uncomment the lines below and edit them:", indent)
    if ctx.is_movie:
        example = found[0].history_ids[0]
        out.hint([f"{nest}unless:", f"{nest}  history_ids: [{example}]"], indent)
    else:
        out.hint(
            [f"{nest}unless:", f"{nest}  seasons: [0]    # specials marked on purpose"], indent
        )


def _double_rule(out: _Writer, ctx: _Context) -> None:
    found = ctx.of_kind("double_play")
    count = sum(len(f.history_ids) for f in found)
    within = found[0].rule["drop"]["repeats"]["within"]
    span = "its runtime" if within == "runtime" else f"{within[:-1]} minutes"
    out.prose(
        "The same playback reported twice (two devices, a retry). This rule keeps the first "
        f"play and removes the {plural(count, 'repeat')} within {span} of it; "
        "a play later than that is a real rewatch and stays.",
        2,
    )
    _rule_head(out, ctx, "double-plays")
    out.raw("    drop:")
    out.raw(f"      repeats: {{keep: first, within: {within}}}")
    out.prose("To keep one of them anyway, uncomment the lines below and list it:", 4)
    out.hint(["unless:", f"  history_ids: [{found[0].history_ids[0]}]"], 4)


def _finding_rules(out: _Writer, ctx: _Context, kind: Kind) -> None:
    """The detector's own rules for ``kind``, each after the findings it targets."""
    rules: dict[str, list[Finding]] = {}
    for finding in ctx.of_kind(kind):
        rules.setdefault(repr(sorted(finding.rule.items())), []).append(finding)
    for index, cited in enumerate(rules.values()):
        if index:
            out.raw()
        out.prose(_WHY[kind], 2)
        out.comment("This rule removes:", 2)
        for finding in cited[:_SHOWN_FINDINGS]:
            out.prose(f"  - {finding.summary}", 2, hang=4)
        if len(cited) > _SHOWN_FINDINGS:
            out.comment(f"  - and {len(cited) - _SHOWN_FINDINGS} more", 2)
        for line in rule_yaml(cited[0].rule):
            out.raw("  " + line)


def rule_yaml(rule: Mapping[str, Any]) -> list[str]:
    """A rule mapping of the detector as the lines of one YAML list item."""
    lines = []
    for key, value in rule.items():
        lines.append(f"{key}:" if isinstance(value, Mapping) else f"{key}: {_scalar(value)}")
        if isinstance(value, Mapping):
            for inner, item in value.items():
                lines.append(f"  {inner}: {_scalar(item)}")
    return [("- " if index == 0 else "  ") + line for index, line in enumerate(lines)]


def rule_flow(rule: Mapping[str, Any]) -> str:
    """A rule mapping of the detector on one line, in YAML flow style."""
    return _scalar(rule)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, int):
        return str(value)
    return _quote(str(value)) if any(ch in str(value) for ch in ":#{}[],'\"") else str(value)


def _guard_rule(out: _Writer, ctx: _Context) -> None:
    out.prose(
        "Nothing to clean today, so this rule matches nothing yet (`plan` reports that; "
        "it is expected here). Keep it to catch the next 'mark as watched' tap: plays "
        "sharing their second with at least 2 others.",
        2,
    )
    _rule_head(out, ctx, "future-bulk-marks")
    out.raw("    drop:")
    out.raw(f"      same_timestamp: {BULK_PLAYS}")


def _protect_hint(out: _Writer, ctx: _Context) -> None:
    out.raw()
    if ctx.is_movie:
        out.prose(
            "Plays no rule may remove, whatever the rules say: here, the viewings a player "
            "reported or you checked in. To use it, uncomment:"
        )
        out.hint(["protect:", f"  - {ctx.scope_key}", "    when: {action: [scrobble, checkin]}"], 0)
        return
    out.prose(
        "Plays no rule may remove, whatever the rules say: for example a show or a season "
        "whose plays you mark by hand on purpose. To use it, uncomment:"
    )
    flagged = {i for f in ctx.findings for i in f.history_ids}
    latest = next(
        (p for p in reversed(ctx.plays) if p.id not in flagged and p.code is not None), None
    )
    if ctx.scope is not None:
        season = latest.code[0] if latest is not None and latest.code is not None else 1
        when = f"    when: {{seasons: [{season}]}}    # the season you are watching"
        out.hint(["protect:", f"  - {ctx.scope_key}", when], 0)
        return
    show = latest.item.show if latest is not None else None
    if latest is not None and show is not None and show.ids.trakt is not None:
        out.hint(["protect:", f"  - show: {show.ids.trakt}    # {clip(latest.title)}"], 0)
    else:
        out.hint(["protect:", "  - history: movies", "    when: {action: checkin}"], 0)


def _sections(out: _Writer, ctx: _Context) -> list[Callable[[], None]]:
    """The rule sections the findings call for, in the order the plan lists them."""
    manual_ids = {i for f in ctx.of_kind("manual") for i in f.history_ids}
    live_manual = sum(
        1 for p in ctx.plays if p.id in manual_ids and p.item.watched_at >= ctx.window_start
    )
    sections: list[Callable[[], None]] = []
    if ctx.of_kind("same_second"):
        sections.append(lambda: _bulk_rule(out, ctx))
    if manual_ids and live_manual:
        sections.append(lambda: _manual_rule(out, ctx, live_manual))
    if ctx.of_kind("double_play"):
        sections.append(lambda: _double_rule(out, ctx))
    kinds: tuple[Kind, ...] = ("runtime_chain", "at_release", "flood")
    sections += [partial(_finding_rules, out, ctx, kind) for kind in kinds if ctx.of_kind(kind)]
    if not sections:
        sections.append(lambda: _guard_rule(out, ctx))
    if manual_ids and not live_manual:
        sections.append(lambda: _manual_rule(out, ctx, 0))
    return sections


def render_starter(
    scope: ResolvedScope | None,
    history: Sequence[HistoryItem],
    *,
    now: datetime,
    source: str,
    findings: Sequence[Finding] | None = None,
) -> str:
    """A commented starter plan for ``scope`` (a show or movie) or, with ``None``, the account.

    ``history`` holds the plays to look at; plays of other shows or movies are ignored
    when ``scope`` is given. ``now`` places the 30-day window of the manual-marks rule and
    dates the header; ``source`` says in the header where the plays came from (an account,
    a snapshot file). ``findings`` are the detector's (``doctor`` passes the ones it found
    with the catalogue and the account's time zone); by default the detector runs here
    without them. The text loads with ``spec.load.load_spec_text``, plans as is, and is
    the same for the same inputs.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    plays = in_scope(plays_in_order(history), scope)
    scope_key, scope_note = _scope_line(scope)
    window_start = datetime.combine((now - MANUAL_WINDOW).date(), time(0), UTC)
    if findings is None:
        findings = find_accidents(history, scope=scope)
    ctx = _Context(scope, scope_key, scope_note, plays, list(findings), window_start)

    out = _Writer()
    _header(out, ctx, now, source)
    out.raw("version: 1")
    if scope is None:
        description = "Starter plan for the whole watch history"
    else:
        description = f"Starter plan for {media_title(scope.title, scope.year, scope_key)}"
    out.raw(f"description: {_quote(description)}")
    out.prose("apply refuses a plan that removes more plays than this, unless --allow-mass-delete.")
    out.raw("max_deletions: 5000")
    out.raw()
    out.raw("rules:")

    sections = _sections(out, ctx)
    for index, section in enumerate(sections):
        if index:
            out.raw()
        section()
    _protect_hint(out, ctx)
    return out.text()
