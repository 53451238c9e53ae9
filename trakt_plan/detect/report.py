"""The ``doctor`` report as a value: a per-day timeline, the findings, and their JSON form.

Pure: the plays, the detector's findings, ``now`` and the time zone go in; a
:class:`DoctorReport` comes out, which the UI draws and ``--json`` prints as documented in
contract section 6.4. Days are calendar days in the account's time zone.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from trakt_plan.detect.scan import FLOOD_RATIO, Finding, local_day
from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt.models import HistoryItem, ResolvedScope

__all__ = [
    "ACTIONS",
    "UNUSUAL_PLAYS",
    "DoctorReport",
    "ReportAccount",
    "TimelineDay",
    "build_report",
]

ACTIONS = ("watch", "scrobble", "checkin")
# A day stands out with this many plays and FLOOD_RATIO times the median day's.
UNUSUAL_PLAYS = 10


@dataclass(frozen=True)
class TimelineDay:
    """One calendar day of the timeline: its plays, by action, and whether it stands out."""

    day: date
    plays: int
    by_action: dict[str, int]
    unusual: bool


@dataclass(frozen=True)
class ReportAccount:
    """Whose plays the report reads, and in which time zone their days are counted.

    ``username`` names the account (or the snapshot file) the plays came from;
    ``timezone_from`` says where the time zone came from (``--timezone``, the account, the
    export, or the UTC default). The fields are the keys of the JSON's ``account``.
    """

    username: str
    source: str
    timezone: str
    timezone_from: str


@dataclass(frozen=True)
class DoctorReport:
    """What ``doctor`` found, with what a person needs to judge it.

    ``checked`` lists the kinds the detector could look for (runtime- and release-based
    ones need catalogue data).
    """

    account: ReportAccount
    scope: str
    now: datetime
    usual_day: float
    days: tuple[TimelineDay, ...]
    findings: tuple[Finding, ...]
    checked: tuple[str, ...]
    plays: int

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document of contract section 6.4."""
        return {
            "account": asdict(self.account),
            "scope": self.scope,
            "now": format_trakt_time(self.now),
            "plays": self.plays,
            "usual_day": self.usual_day,
            "checked": list(self.checked),
            "days": [
                {"date": day.day.isoformat(), "plays": day.plays, "by_action": day.by_action}
                for day in self.days
            ],
            "findings": [_finding_json(finding) for finding in self.findings],
        }


def _finding_json(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": finding.kind, "history_ids": list(finding.history_ids)}
    if finding.subject is not None:
        data[finding.subject.type] = _subject_json(finding.subject)
    data["first"] = format_trakt_time(finding.first) if finding.first else None
    data["last"] = format_trakt_time(finding.last) if finding.last else None
    data["evidence"] = finding.summary
    data["rule"] = dict(finding.rule)
    return data


def _subject_json(subject: ResolvedScope) -> dict[str, Any]:
    ids = subject.ids.model_dump(exclude_none=True)
    return {"title": subject.title, "year": subject.year, "ids": ids}


def _daily(history: Sequence[HistoryItem], zone: ZoneInfo) -> dict[date, Counter[str]]:
    days: dict[date, Counter[str]] = {}
    for item in history:
        days.setdefault(local_day(item.watched_at, zone), Counter())[item.action] += 1
    return days


def build_report(
    history: Sequence[HistoryItem],
    findings: Sequence[Finding],
    *,
    account: str,
    source: str,
    scope: str,
    now: datetime,
    days: int,
    timezone: str,
    timezone_from: str,
    checked: Sequence[str],
) -> DoctorReport:
    """The report over ``history`` (the plays of the scope) and the detector's ``findings``.

    The timeline covers the ``days`` calendar days ending with the day of ``now``, every
    day listed (days without plays too); the findings cover the whole history given.
    """
    zone = ZoneInfo(timezone)
    daily = _daily(history, zone)
    usual = float(statistics.median(c.total() for c in daily.values())) if daily else 0.0
    today = local_day(now, zone)
    timeline = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        counts = daily.get(day, Counter())
        total = counts.total()
        by_action = {action: counts[action] for action in ACTIONS}
        by_action.update({k: v for k, v in sorted(counts.items()) if k not in by_action})
        unusual = total >= UNUSUAL_PLAYS and total >= FLOOD_RATIO * usual
        timeline.append(TimelineDay(day, total, by_action, unusual))
    return DoctorReport(
        account=ReportAccount(account, source, timezone, timezone_from),
        scope=scope,
        now=now,
        usual_day=usual,
        days=tuple(timeline),
        findings=tuple(f for f in findings if f.kind != "manual"),
        checked=tuple(checked),
        plays=len(history),
    )
