"""The accident detector: which plays of a history look like accidents, and why.

:func:`find_accidents` looks at a list of plays for the three usual accidents of media
servers and phones: a "mark as watched" tap that puts many plays in one second (*bulk*),
plays pushed with the ``watch`` action (*manual*), and the same episode or movie played
again within minutes (*double*). The detection mirrors the rules the starter plan writes
(``same_timestamp: 3``, ``action: watch``, ``repeats: {keep: first, within: 10m}``), so what
a finding points out is what the suggested rule removes. Pure: no I/O, no clock, no rich.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from trakt_plan.plays import Play, clip, episode_code, plays_in_order, plural, utc_text
from trakt_plan.trakt.models import HistoryItem

__all__ = [
    "BULK_PLAYS",
    "DOUBLE_WITHIN",
    "KINDS",
    "Finding",
    "Kind",
    "describe",
    "find_accidents",
    "findings_of",
]

# Nobody watches three episodes in one second; two can be a player reporting twice.
BULK_PLAYS = 3
# Two devices scrobbling the same playback report it minutes apart, never hours.
DOUBLE_WITHIN = timedelta(minutes=10)
_SHOWN_TITLES = 3

Kind = Literal["bulk", "manual", "double"]
KINDS: tuple[Kind, ...] = ("bulk", "manual", "double")


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


def describe(plays: Sequence[Play], *, titled: bool) -> str:
    """What a group of plays is: ``S06E02..S07E10``, or per title when ``titled``."""
    groups: dict[Hashable, list[Play]] = defaultdict(list)
    for play in plays:
        groups[play.title_key].append(play)
    # Biggest group first; the title breaks ties so the order never depends on input order.
    ordered = sorted(groups.values(), key=lambda group: (-len(group), group[0].title))
    parts = []
    for group in ordered[:_SHOWN_TITLES]:
        codes = sorted({p.code for p in group if p.code is not None})
        span = ""
        if codes:
            span = episode_code(codes[0])
            if len(codes) > 1:
                span += ".." + episode_code(codes[-1])
        if not titled:
            parts.append(span or clip(group[0].title))
        elif len(ordered) > 1:
            label = f"{len(group)} of {clip(group[0].title)}"
            parts.append(f"{label} {span}" if span else label)
        else:
            parts.append(f"{clip(group[0].title)} {span}" if span else clip(group[0].title))
    if len(ordered) > _SHOWN_TITLES:
        parts.append(f"and {len(ordered) - _SHOWN_TITLES} more titles")
    return ", ".join(parts)


def _gap(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return f"{seconds}s"
    return f"{minutes}m{seconds:02d}s" if seconds else f"{minutes}m"


def _bulk(plays: list[Play], titled: bool) -> list[Finding]:
    by_second: dict[int, list[Play]] = defaultdict(list)
    for play in plays:
        by_second[play.second].append(play)
    findings = []
    for group in by_second.values():
        if len(group) < BULK_PLAYS:
            continue
        actions = sorted({p.item.action for p in group})
        summary = (
            f"{len(group)} plays at {utc_text(group[0].item.watched_at)} "
            f"({describe(group, titled=titled)}), action {'/'.join(actions)}"
        )
        findings.append(Finding("bulk", summary, tuple(p.id for p in group)))
    return findings


def _manual(plays: list[Play], bulk_ids: set[int], titled: bool) -> list[Finding]:
    by_title: dict[Hashable, list[Play]] = defaultdict(list)
    for play in plays:
        if play.item.action == "watch" and play.id not in bulk_ids:
            by_title[play.title_key].append(play)
    findings = []
    for group in by_title.values():
        first, last = group[0].item.watched_at, group[-1].item.watched_at
        when = (
            f"at {utc_text(first)}"
            if first == last
            else f"between {first.date().isoformat()} and {last.date().isoformat()}"
        )
        what = describe(group, titled=titled)
        summary = f"{plural(len(group), 'play')} marked as watched (action watch) {when}: {what}"
        findings.append(Finding("manual", summary, tuple(p.id for p in group)))
    return findings


def _double(plays: list[Play], titled: bool) -> list[Finding]:
    by_media: dict[Hashable, list[Play]] = defaultdict(list)
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


def _double_finding(kept: Play, repeats: list[Play], titled: bool) -> Finding:
    what = describe([kept], titled=titled)
    times = "twice" if len(repeats) == 1 else f"{len(repeats) + 1} times"
    gap = _gap(repeats[-1].item.watched_at - kept.item.watched_at)
    ids = ", ".join(str(p.id) for p in repeats)
    summary = (
        f"{what} played {times} within {gap} from {utc_text(kept.item.watched_at)} "
        f"(keeps {kept.id}, repeats {ids})"
    )
    return Finding("double", summary, tuple(p.id for p in repeats))


def _first_seen(finding: Finding, at: dict[int, tuple[datetime, int]]) -> tuple[datetime, int]:
    return min(at[i] for i in finding.history_ids)


def findings_of(plays: list[Play]) -> list[Finding]:
    """:func:`find_accidents` over plays already in (watched_at, id) order."""
    titled = len({p.title_key for p in plays}) > 1
    bulk = _bulk(plays, titled)
    bulk_ids = {i for finding in bulk for i in finding.history_ids}
    found = bulk + _manual(plays, bulk_ids, titled) + _double(plays, titled)
    at = {p.id: (p.item.watched_at, p.id) for p in plays}
    # Newest first within a kind: on a long history the recent accidents are the ones to see.
    found.sort(key=lambda f: _first_seen(f, at), reverse=True)
    return sorted(found, key=lambda f: KINDS.index(f.kind))


def find_accidents(history: Sequence[HistoryItem]) -> list[Finding]:
    """The plays in ``history`` that look like accidents: bulk, manual, double; newest first.

    * ``bulk``: at least 3 plays sharing one ``watched_at`` second (one finding per second);
    * ``manual``: plays with the ``watch`` action that are not part of a bulk mark (one
      finding per show or movie);
    * ``double``: the same episode or movie played again within 10 minutes of the play
      kept (one finding per kept play; only the repeats are listed).

    Summaries name titles only when ``history`` holds more than one show or movie.
    """
    return findings_of(plays_in_order(history))
