"""The finders, one per kind of accident, in the order they claim plays."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from trakt_plan.detect.scan import (
    BULK_PLAYS,
    CHAIN_PLAYS,
    DOUBLE_WITHIN,
    FLOOD_PLAYS,
    FLOOD_RATIO,
    RELEASE_PLAYS,
    Finding,
    Scan,
    describe,
    local_day,
    minutes_text,
)
from trakt_plan.labels import episode_code, play_time, plural
from trakt_plan.plays import Play, clip

__all__ = ["FINDERS"]


def _same_second(scan: Scan) -> list[Finding]:
    by_second: dict[int, list[Play]] = defaultdict(list)
    for play in scan.plays:
        by_second[play.second].append(play)
    rule = {"name": "same-second-marks", **scan.scope_rule(), "drop": {"same_timestamp": 3}}
    found = []
    for group in by_second.values():
        if len(group) < BULK_PLAYS:
            continue
        actions = sorted({p.item.action for p in group})
        summary = (
            f"{len(group)} plays at {play_time(group[0].item.watched_at)} "
            f"({describe(group, titled=scan.titled)}), action {'/'.join(actions)}"
        )
        found.append(scan.finding("same_second", summary, group, rule))
    return [f for f in found if f is not None]


def _runtime_chains(scan: Scan) -> list[Finding]:
    """Back-to-back marks: per show, runs of plays each one runtime after the previous.

    Like the planner's ``runtime_chain``, a run is judged over all the show's plays (a real
    play between two marks breaks it); the finding holds the run's ``watch`` plays.
    """
    if scan.catalogue is None:
        return []
    by_show: dict[Hashable, list[Play]] = defaultdict(list)
    for play in scan.plays:
        if play.code is not None:
            by_show[play.title_key].append(play)
    drop = {"runtime_chain": CHAIN_PLAYS, "action": "watch"}
    rule = {"name": "back-to-back-marks", **scan.scope_rule(), "drop": drop}
    found: list[Finding | None] = []
    for plays in by_show.values():
        for run in _runs(scan, plays):
            marks = [p for p in run if p.item.action == "watch"]
            if len(run) >= CHAIN_PLAYS and marks:
                found.append(scan.finding("runtime_chain", _chain_summary(scan, run), marks, rule))
    return [f for f in found if f is not None]


def _runs(scan: Scan, plays: list[Play]) -> list[list[Play]]:
    runs: list[list[Play]] = []
    for play in plays:
        if runs and _linked(scan, runs[-1][-1], play):
            runs[-1].append(play)
        else:
            runs.append([play])
    return runs


def _linked(scan: Scan, a: Play, b: Play) -> bool:
    """Whether ``b`` is exactly one runtime (of either episode) after ``a``."""
    runtimes = (scan.runtime(a), scan.runtime(b))
    gap = b.item.watched_at - a.item.watched_at
    return None not in runtimes and gap in runtimes


def _chain_summary(scan: Scan, run: list[Play]) -> str:
    runtimes = [scan.runtime(p) for p in run]
    common = max(set(runtimes), key=runtimes.count) or timedelta(0)
    first, last = run[0], run[-1]
    title = f"{clip(first.title)}: " if scan.titled else ""
    return (
        f"{title}{len(run)} plays back to back, each one episode runtime "
        f"({minutes_text(common)}) after the previous, from "
        f"{_label(first)} at {play_time(first.item.watched_at)} to "
        f"{_label(last)} at {play_time(last.item.watched_at)}"
    )


def _label(play: Play) -> str:
    return episode_code(*play.code) if play.code is not None else play.title


def _at_release(scan: Scan) -> list[Finding]:
    """Release-date marks: watch plays stamped at the second their episode or movie aired."""
    if scan.catalogue is None:
        return []
    groups: dict[Hashable, list[Play]] = defaultdict(list)
    for play in scan.plays:
        if play.item.action == "watch" and play.id not in scan.claimed:
            release = scan.release(play)
            if release is not None and release == play.item.watched_at:
                key = play.title_key if play.code is not None else "movies"
                groups[key].append(play)
    found: list[Finding | None] = []
    for key, plays in groups.items():
        if len(plays) < RELEASE_PLAYS:
            continue
        found.append(
            scan.finding(
                "at_release",
                _release_summary(scan, plays),
                plays,
                _release_rule(scan, key, plays[0]),
            )
        )
    return [f for f in found if f is not None]


def _release_rule(scan: Scan, key: Hashable, play: Play) -> dict[str, Any]:
    scope = scan.scope_rule()
    name = "release-date-marks"
    if scan.scope is None:
        show = play.item.show
        if key == "movies":
            scope, name = {"history": "movies"}, "release-date-movie-marks"
        elif show is not None and show.ids.trakt is not None:
            scope = {"show": show.ids.trakt}
            name = f"release-date-marks-{show.ids.slug or show.ids.trakt}"
    return {"name": name, **scope, "drop": {"at_release": True, "action": "watch"}}


def _release_summary(scan: Scan, plays: list[Play]) -> str:
    what = describe(plays, titled=scan.titled or plays[0].code is None)
    return (
        f"{plural(len(plays), 'play')} marked as watched (action watch) at the very second "
        f"each aired, between {play_time(plays[0].item.watched_at)} and "
        f"{play_time(plays[-1].item.watched_at)}: {what}"
    )


def _double_play(scan: Scan) -> list[Finding]:
    by_media: dict[Hashable, list[Play]] = defaultdict(list)
    for play in scan.plays:
        by_media[play.media_key].append(play)
    within = "runtime" if scan.catalogue is not None else "10m"
    repeats = {"keep": "first", "within": within}
    rule = {"name": "double-plays", **scan.scope_rule(), "drop": {"repeats": repeats}}
    found: list[Finding | None] = []
    for group in by_media.values():
        # As `repeats: {keep: first, within: ...}`: a play close to the kept one is a repeat,
        # a later one is a real rewatch and becomes the play the next ones are measured from.
        kept, copies = group[0], []
        for play in group[1:]:
            if _is_repeat(scan, kept, play):
                copies.append(play)
                continue
            if copies:
                found.append(_double_finding(scan, kept, copies, rule))
            kept, copies = play, []
        if copies:
            found.append(_double_finding(scan, kept, copies, rule))
    return [f for f in found if f is not None]


def _is_repeat(scan: Scan, kept: Play, play: Play) -> bool:
    gap = play.item.watched_at - kept.item.watched_at
    if scan.catalogue is None:
        return gap <= DOUBLE_WITHIN
    runtime = scan.runtime(kept)
    # As the planner: less than one runtime after the kept play; no runtime, no repeat.
    return runtime is not None and gap < runtime


def _double_finding(
    scan: Scan, kept: Play, copies: list[Play], rule: Mapping[str, Any]
) -> Finding | None:
    what = describe([kept], titled=scan.titled)
    times = "twice" if len(copies) == 1 else f"{len(copies) + 1} times"
    gap = minutes_text(copies[-1].item.watched_at - kept.item.watched_at)
    runtime = scan.runtime(kept)
    limit = f", less than its runtime ({minutes_text(runtime)})" if runtime is not None else ""
    ids = ", ".join(str(p.id) for p in copies)
    summary = (
        f"{what} played {times} within {gap}{limit} from {play_time(kept.item.watched_at)} "
        f"(keeps {kept.id}, repeats {ids})"
    )
    return scan.finding("double_play", summary, copies, rule)


def _flood(scan: Scan) -> list[Finding]:
    days: dict[date, list[Play]] = defaultdict(list)
    for play in scan.plays:
        days[local_day(play.item.watched_at, scan.zone)].append(play)
    if not days:
        return []
    usual = statistics.median(len(plays) for plays in days.values())
    found = []
    for day, plays in sorted(days.items()):
        marks = [p for p in plays if p.item.action == "watch"]
        if len(marks) < FLOOD_PLAYS or len(plays) < FLOOD_RATIO * usual:
            continue
        start = datetime.combine(day, datetime.min.time(), scan.zone)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), scan.zone)
        rule = {
            "name": f"flood-{day.isoformat()}",
            **scan.scope_rule(),
            "watched_from": start.isoformat(),
            "watched_until": end.isoformat(),
            "drop": {"action": "watch"},
        }
        summary = (
            f"{len(marks)} plays marked as watched (action watch) on {day.isoformat()} "
            f"({scan.zone.key}), against {_count(usual)} on the median day: "
            f"{describe(marks, titled=scan.titled)}"
        )
        found.append(scan.finding("flood", summary, marks, rule))
    return [f for f in found if f is not None]


def _count(value: float) -> str:
    return plural(int(value), "play") if value == int(value) else f"{value:g} plays"


def _manual(scan: Scan) -> list[Finding]:
    by_title: dict[Hashable, list[Play]] = defaultdict(list)
    for play in scan.plays:
        if play.item.action == "watch" and play.id not in scan.claimed:
            by_title[play.title_key].append(play)
    rule = {"name": "manual-marks", **scan.scope_rule(), "drop": {"action": "watch"}}
    found = []
    for group in by_title.values():
        first, last = group[0].item.watched_at, group[-1].item.watched_at
        when = (
            f"at {play_time(first)}"
            if first == last
            else f"between {first.date().isoformat()} and {last.date().isoformat()}"
        )
        what = describe(group, titled=scan.titled)
        summary = f"{plural(len(group), 'play')} marked as watched (action watch) {when}: {what}"
        found.append(scan.finding("manual", summary, group, rule))
    return [f for f in found if f is not None]


FINDERS = (_same_second, _runtime_chains, _at_release, _double_play, _flood, _manual)
