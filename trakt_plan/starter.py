"""The starter plan that ``trakt-plan init`` writes: what the history shows, and rules for it.

Two pure functions. :func:`find_accidents` looks at a list of plays for the three usual
accidents of media servers and phones: a "mark as watched" tap that puts many plays in
one second (*bulk*), plays pushed with the ``watch`` action (*manual*), and the same
episode or movie played again within minutes (*double*). :func:`render_starter` turns the
same plays into a commented plan YAML that ``trakt-plan plan`` runs as is: the findings
and the recent plays as comments, one rule per kind of accident found, and hints (as
commented-out lines) for narrowing each rule.

The detection mirrors the rules it writes (``same_timestamp: 3``, ``action: watch``,
``repeats: {keep: first, within: 10m}``), so what the comments point out is what the plan
removes. No I/O, no clock (``now`` is passed in), no rich: the same inputs give the same
text.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from trakt_plan import __version__
from trakt_plan.media import media_key
from trakt_plan.trakt.models import HistoryItem, ResolvedScope

__all__ = [
    "BULK_PLAYS",
    "DOUBLE_WITHIN",
    "MANUAL_WINDOW",
    "RECENT_PLAYS",
    "Finding",
    "find_accidents",
    "render_starter",
]

# Nobody watches three episodes in one second; two can be a player reporting twice.
BULK_PLAYS = 3
# Two devices scrobbling the same playback report it minutes apart, never hours.
DOUBLE_WITHIN = timedelta(minutes=10)
# Old manual marks are usually deliberate (catching up a show watched elsewhere);
# recent ones are the ones a media server pushes by mistake.
MANUAL_WINDOW = timedelta(days=30)
RECENT_PLAYS = 15
# Beyond this many findings of one kind the header would bury the plan itself.
_SHOWN_FINDINGS = 12
_SHOWN_TITLES = 3
_TITLE_WIDTH = 60
# Prose comments wrap here; table rows and commands are never wrapped.
_WIDTH = 92

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)

Kind = Literal["bulk", "manual", "double"]
_KINDS: tuple[Kind, ...] = ("bulk", "manual", "double")
_MARKS = {"bulk": "bulk mark", "manual": "manual mark", "double": "double play"}


@dataclass(frozen=True)
class Finding:
    """One likely accident: its kind, a one-line summary, and the plays that look wrong.

    ``history_ids`` are the plays that look wrong, which the matching starter rule removes:
    every play of a bulk mark, every manual mark (the rule only reaches back 30 days), and
    for a double play only the repeats (the first play is the real one).
    """

    kind: Kind
    summary: str
    history_ids: tuple[int, ...]


# ---------------------------------------------------------------------------- plays


@dataclass(frozen=True)
class _Play:
    item: HistoryItem
    second: int
    media_key: Hashable
    title_key: Hashable
    title: str
    code: tuple[int, int] | None

    @property
    def id(self) -> int:
        return self.item.id


def _clean(text: str) -> str:
    """Text fit for one comment line: no line breaks or control characters, no lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch if ch.isprintable() else " " for ch in text).rstrip()


def _clip(text: str, width: int = _TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _media_title(title: str | None, year: int | None, fallback: str) -> str:
    name = _clean(title).strip() if title else ""
    if not name:
        return fallback
    return f"{name} ({year})" if year is not None else name


def _to_play(item: HistoryItem) -> _Play:
    # Floor division, as the planner counts seconds (float timestamps round, and truncate
    # towards zero before 1970).
    second = (item.watched_at - _EPOCH) // _SECOND
    if item.type == "episode" and item.episode is not None:
        episode, show = item.episode, item.show
        show_id = show.ids.trakt if show is not None else None
        show_title = _media_title(
            show.title if show else None,
            show.year if show else None,
            f"show {show_id}" if show_id is not None else "an unknown show",
        )
        title_key = ("show", show_id if show_id is not None else show_title)
        return _Play(
            item, second, media_key(item), title_key, show_title, (episode.season, episode.number)
        )
    if item.type == "movie" and item.movie is not None:
        movie = item.movie
        movie_title = _media_title(
            movie.title,
            movie.year,
            f"movie {movie.ids.trakt}" if movie.ids.trakt is not None else "an unknown movie",
        )
        title_key = ("movie", movie.ids.trakt if movie.ids.trakt is not None else movie_title)
        return _Play(item, second, media_key(item), title_key, movie_title, None)
    return _Play(item, second, media_key(item), ("play", item.id), "an unknown item", None)


def _sorted_plays(history: Iterable[HistoryItem]) -> list[_Play]:
    """Plays in (watched_at, id) order, each history id once (as the planner counts them)."""
    unique: dict[int, HistoryItem] = {}
    for item in history:
        known = unique.get(item.id)
        if known is None or item.watched_at < known.watched_at:
            unique[item.id] = item
    ordered = sorted(unique.values(), key=lambda item: (item.watched_at, item.id))
    return [_to_play(item) for item in ordered]


def _when(value: datetime) -> str:
    """A time as `trakt-plan history` shows it: ``2025-11-17 01:02:03Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _code(code: tuple[int, int]) -> str:
    return f"S{code[0]:02d}E{code[1]:02d}"


def _describe(plays: Sequence[_Play], *, titled: bool) -> str:
    """What a group of plays is: ``S06E02..S07E10``, or per title when ``titled``."""
    groups: dict[Hashable, list[_Play]] = defaultdict(list)
    for play in plays:
        groups[play.title_key].append(play)
    # Biggest group first; the title breaks ties so the order never depends on input order.
    ordered = sorted(groups.values(), key=lambda group: (-len(group), group[0].title))
    parts = []
    for group in ordered[:_SHOWN_TITLES]:
        codes = sorted({p.code for p in group if p.code is not None})
        span = ""
        if codes:
            span = _code(codes[0]) if len(codes) == 1 else f"{_code(codes[0])}..{_code(codes[-1])}"
        if not titled:
            parts.append(span or _clip(group[0].title))
        elif len(ordered) > 1:
            label = f"{len(group)} of {_clip(group[0].title)}"
            parts.append(f"{label} {span}" if span else label)
        else:
            parts.append(f"{_clip(group[0].title)} {span}" if span else _clip(group[0].title))
    if len(ordered) > _SHOWN_TITLES:
        parts.append(f"and {len(ordered) - _SHOWN_TITLES} more titles")
    return ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _gap(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return f"{seconds}s"
    return f"{minutes}m{seconds:02d}s" if seconds else f"{minutes}m"


# ---------------------------------------------------------------------------- detection


def _bulk(plays: list[_Play], titled: bool) -> list[Finding]:
    by_second: dict[int, list[_Play]] = defaultdict(list)
    for play in plays:
        by_second[play.second].append(play)
    findings = []
    for group in by_second.values():
        if len(group) < BULK_PLAYS:
            continue
        actions = sorted({p.item.action for p in group})
        summary = (
            f"{len(group)} plays at {_when(group[0].item.watched_at)} "
            f"({_describe(group, titled=titled)}), action {'/'.join(actions)}"
        )
        findings.append(Finding("bulk", summary, tuple(p.id for p in group)))
    return findings


def _manual(plays: list[_Play], bulk_ids: set[int], titled: bool) -> list[Finding]:
    by_title: dict[Hashable, list[_Play]] = defaultdict(list)
    for play in plays:
        if play.item.action == "watch" and play.id not in bulk_ids:
            by_title[play.title_key].append(play)
    findings = []
    for group in by_title.values():
        first, last = group[0].item.watched_at, group[-1].item.watched_at
        when = (
            f"at {_when(first)}"
            if first == last
            else f"between {first.date().isoformat()} and {last.date().isoformat()}"
        )
        what = _describe(group, titled=titled)
        summary = f"{_plural(len(group), 'play')} marked as watched (action watch) {when}: {what}"
        findings.append(Finding("manual", summary, tuple(p.id for p in group)))
    return findings


def _double(plays: list[_Play], titled: bool) -> list[Finding]:
    by_media: dict[Hashable, list[_Play]] = defaultdict(list)
    for play in plays:
        by_media[play.media_key].append(play)
    findings = []
    for group in by_media.values():
        # As `repeats: {keep: first, within: 10m}`: a play close to the kept one is a repeat,
        # a later one is a real rewatch and becomes the play the next ones are measured from.
        kept, repeats = group[0], []
        for play in group[1:]:
            if play.item.watched_at - kept.item.watched_at <= DOUBLE_WITHIN:
                repeats.append(play)
                continue
            if repeats:
                findings.append(_double_finding(kept, repeats, titled))
            kept, repeats = play, []
        if repeats:
            findings.append(_double_finding(kept, repeats, titled))
    return findings


def _double_finding(kept: _Play, repeats: list[_Play], titled: bool) -> Finding:
    what = _describe([kept], titled=titled)
    times = "twice" if len(repeats) == 1 else f"{len(repeats) + 1} times"
    gap = _gap(repeats[-1].item.watched_at - kept.item.watched_at)
    ids = ", ".join(str(p.id) for p in repeats)
    summary = (
        f"{what} played {times} within {gap} from {_when(kept.item.watched_at)} "
        f"(keeps {kept.id}, repeats {ids})"
    )
    return Finding("double", summary, tuple(p.id for p in repeats))


def _first_seen(finding: Finding, at: dict[int, tuple[datetime, int]]) -> tuple[datetime, int]:
    return min(at[i] for i in finding.history_ids)


def _findings(plays: list[_Play]) -> list[Finding]:
    titled = len({p.title_key for p in plays}) > 1
    bulk = _bulk(plays, titled)
    bulk_ids = {i for finding in bulk for i in finding.history_ids}
    found = bulk + _manual(plays, bulk_ids, titled) + _double(plays, titled)
    at = {p.id: (p.item.watched_at, p.id) for p in plays}
    # Newest first within a kind: on a long history the recent accidents are the ones to see.
    found.sort(key=lambda f: _first_seen(f, at), reverse=True)
    return sorted(found, key=lambda f: _KINDS.index(f.kind))


def find_accidents(history: Sequence[HistoryItem]) -> list[Finding]:
    """The plays in ``history`` that look like accidents: bulk, manual, double; newest first.

    * ``bulk``: at least 3 plays sharing one ``watched_at`` second (one finding per second);
    * ``manual``: plays with the ``watch`` action that are not part of a bulk mark (one
      finding per show or movie);
    * ``double``: the same episode or movie played again within 10 minutes of the play
      kept (one finding per kept play; only the repeats are listed).

    Summaries name titles only when ``history`` holds more than one show or movie.
    """
    return _findings(_sorted_plays(history))


# ---------------------------------------------------------------------------- rendering


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
    name = _media_title(scope.title, scope.year, f"{scope.type} {scope.trakt_id}")
    slug = f", slug {_clean(scope.ids.slug).strip()}" if scope.ids.slug else ""
    return f"{scope.type}: {scope.trakt_id}", f"{_clip(name)}{slug}"


def _in_scope(plays: list[_Play], scope: ResolvedScope | None) -> list[_Play]:
    if scope is None:
        return plays
    target = scope.trakt_id
    if scope.type == "show":
        return [
            p
            for p in plays
            if p.item.type == "episode"
            and p.item.show is not None
            and p.item.show.ids.trakt == target
        ]
    return [
        p
        for p in plays
        if p.item.type == "movie" and p.item.movie is not None and p.item.movie.ids.trakt == target
    ]


class _Writer:
    """Collects the lines of the starter; comments are cleaned so they stay one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str = "", indent: int = 0) -> None:
        """One comment line, as is (table rows, commands)."""
        cleaned = _clean(text) if text else ""
        self.lines.append(" " * indent + ("# " + cleaned if cleaned else "#"))

    def prose(self, text: str, indent: int = 0, hang: int = 0) -> None:
        """Sentences wrapped into comment lines; continuation lines are indented by ``hang``."""
        lines = textwrap.wrap(
            _clean(text),
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
    plays: list[_Play]
    findings: list[Finding]
    window_start: datetime

    def of_kind(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def play(self, history_id: int) -> _Play:
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
        seen = f"{_plural(len(ctx.plays), 'play')} in all"
    else:
        out.prose(f"Starter plan for {ctx.scope_note} ({ctx.scope_key}).")
        seen = f"{_plural(len(ctx.plays), 'play')} of this {ctx.scope.type}"
    origin = _clip(_clean(source).strip() or "an unnamed source")
    out.prose(
        f"Written by trakt-plan {__version__} init on {now.date().isoformat()} "
        f"from {origin}: {seen}."
    )
    out.comment()
    if ctx.findings:
        out.comment("What looks wrong:")
        for kind in _KINDS:
            found = ctx.of_kind(kind)
            for finding in found[:_SHOWN_FINDINGS]:
                out.prose(f"  - {_MARKS[kind]}: {finding.summary}", hang=4)
            if len(found) > _SHOWN_FINDINGS:
                more = len(found) - _SHOWN_FINDINGS
                out.comment(f"  - and {more} more {_MARKS[kind]}{'' if more == 1 else 's'}")
    else:
        out.prose("Nothing looks wrong: no bulk marks, manual marks or double plays were found.")
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
    out.comment(f"The {_plural(len(recent), 'newest play')}, newest first:")
    for play in recent:
        what = _code(play.code) if play.code is not None else ""
        if ctx.scope is None or play.code is None:
            what = f"{_clip(play.title, 40)} {what}".strip()
        mark = flagged.get(play.id)
        line = f"  {play.id:>12}  {_when(play.item.watched_at)}  {play.item.action:<8}  {what}"
        out.comment(f"{line}  <- {mark}" if mark else line)
    if len(ctx.plays) > len(recent):
        out.comment("  ... `trakt-plan history` lists them all.")
    out.comment("Actions: scrobble = a player reported the playback, checkin = a check-in,")
    out.comment("         watch = marked as watched (by hand or by a media server), not played.")


def _rule_head(out: _Writer, ctx: _Context, name: str) -> None:
    out.raw(f"  - name: {name}")
    out.raw(f"    {ctx.scope_key}    # {ctx.scope_note}")


def _bulk_rule(out: _Writer, ctx: _Context) -> None:
    found = ctx.of_kind("bulk")
    count = sum(len(f.history_ids) for f in found)
    marks = "bulk mark" if len(found) == 1 else f"{len(found)} bulk marks"
    out.prose(
        "A 'mark as watched' tap puts many plays in one second. This rule catches the "
        f"{_plural(count, 'play')} of the {marks} listed above, and any later one.",
        2,
    )
    _rule_head(out, ctx, "bulk-marks")
    out.raw("    drop:")
    out.raw(f"      same_timestamp: {BULK_PLAYS}    # plays sharing their second with >= 2 others")
    first = ctx.play(found[0].history_ids[0])
    out.prose("To keep some of these plays, uncomment the lines below and list them:", 4)
    if ctx.is_show and first.code is not None:
        out.hint(["unless:", f"  episodes: [{_code(first.code)}]"], 4)
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
            f"{start} (30 days back): the {_plural(live, 'recent manual mark')} listed above"
            + (", and recent bulk marks made the same way." if ctx.of_kind("bulk") else "."),
            2,
        )
        if older:
            out.prose(
                f"{_plural(older, 'older manual mark')} {'stays' if older == 1 else 'stay'}: "
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
    found = ctx.of_kind("double")
    count = sum(len(f.history_ids) for f in found)
    minutes = int(DOUBLE_WITHIN.total_seconds()) // 60
    out.prose(
        "The same playback reported twice (two devices, a retry). This rule keeps the first "
        f"play and removes the {_plural(count, 'repeat')} within {minutes} minutes of it; "
        "a play later than that is a real rewatch and stays.",
        2,
    )
    _rule_head(out, ctx, "double-plays")
    out.raw("    drop:")
    out.raw(f"      repeats: {{keep: first, within: {minutes}m}}")
    out.prose("To keep one of them anyway, uncomment the lines below and list it:", 4)
    out.hint(["unless:", f"  history_ids: [{found[0].history_ids[0]}]"], 4)


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
        out.hint(["protect:", f"  - show: {show.ids.trakt}    # {_clip(latest.title)}"], 0)
    else:
        out.hint(["protect:", "  - history: movies", "    when: {action: checkin}"], 0)


def render_starter(
    scope: ResolvedScope | None,
    history: Sequence[HistoryItem],
    *,
    now: datetime,
    source: str,
) -> str:
    """A commented starter plan for ``scope`` (a show or movie) or, with ``None``, the account.

    ``history`` holds the plays to look at; plays of other shows or movies are ignored
    when ``scope`` is given. ``now`` places the 30-day window of the manual-marks rule and
    dates the header; ``source`` says in the header where the plays came from (an account,
    a snapshot file). The text loads with ``spec.load.load_spec_text``, plans as is, and is
    the same for the same inputs.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    plays = _in_scope(_sorted_plays(history), scope)
    scope_key, scope_note = _scope_line(scope)
    window_start = datetime.combine((now - MANUAL_WINDOW).date(), time(0), UTC)
    ctx = _Context(scope, scope_key, scope_note, plays, _findings(plays), window_start)

    out = _Writer()
    _header(out, ctx, now, source)
    out.raw("version: 1")
    if scope is None:
        description = "Starter plan for the whole watch history"
    else:
        description = f"Starter plan for {_media_title(scope.title, scope.year, scope_key)}"
    out.raw(f"description: {_quote(description)}")
    out.prose("apply refuses a plan that removes more plays than this, unless --allow-mass-delete.")
    out.raw("max_deletions: 5000")
    out.raw()
    out.raw("rules:")

    manual_ids = {i for f in ctx.of_kind("manual") for i in f.history_ids}
    live_manual = sum(1 for p in plays if p.id in manual_ids and p.item.watched_at >= window_start)
    sections: list[Callable[[], None]] = []
    if ctx.of_kind("bulk"):
        sections.append(lambda: _bulk_rule(out, ctx))
    if manual_ids and live_manual:
        sections.append(lambda: _manual_rule(out, ctx, live_manual))
    if ctx.of_kind("double"):
        sections.append(lambda: _double_rule(out, ctx))
    if not sections:
        sections.append(lambda: _guard_rule(out, ctx))
    if manual_ids and not live_manual:
        sections.append(lambda: _manual_rule(out, ctx, 0))
    for index, section in enumerate(sections):
        if index:
            out.raw()
        section()
    _protect_hint(out, ctx)
    return out.text()
