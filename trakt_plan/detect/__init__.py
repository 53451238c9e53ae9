"""The accident detector that ``doctor`` and ``init`` share: which plays look wrong, and why.

:func:`find_accidents` looks at a history for the accidents of media servers, phones and
Trakt's own web app (contract section 6.4), in this order, and puts each play under the
first kind that claims it:

* ``same_second``: at least 3 plays sharing one ``watched_at`` second (a "mark as watched");
* ``runtime_chain``: at least 3 ``watch`` plays of one show back to back, each one episode
  runtime after the previous ("watched until here" in Trakt's web app);
* ``at_release``: at least 2 ``watch`` plays of one show (or 2 movies) stamped at the second
  each aired (the web app's "at release");
* ``double_play``: the same episode or movie played again within its runtime (one playback
  reported twice); the earlier play is kept;
* ``flood``: the ``watch`` plays of a day with at least :data:`FLOOD_PLAYS` of them and ten
  times the plays of the account's median day (an app re-sending its whole watched list);
* ``manual``: the other ``watch`` plays, per show or movie. ``init`` lists them (a media
  server's marks); ``doctor`` leaves them alone, as a single mark is usually deliberate.

Each finding carries the rule that removes its plays, written so that the planner, run over
the same scope, chooses at least those plays. Runtimes and release dates come from a
:class:`Catalogue`; without one, ``runtime_chain`` and ``at_release`` find nothing and a
double play is a repeat within 10 minutes. Pure: no I/O, no clock, no rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from trakt_plan.detect.finders import FINDERS
from trakt_plan.detect.scan import (
    BULK_PLAYS,
    FLOOD_PLAYS,
    KINDS,
    Catalogue,
    Finding,
    Kind,
    Scan,
)
from trakt_plan.plays import in_scope, plays_in_order
from trakt_plan.trakt.models import HistoryItem, ResolvedScope

__all__ = [
    "BULK_PLAYS",
    "FLOOD_PLAYS",
    "KINDS",
    "Catalogue",
    "Finding",
    "Kind",
    "find_accidents",
]


def find_accidents(
    history: Sequence[HistoryItem],
    *,
    scope: ResolvedScope | None = None,
    catalogue: Catalogue | None = None,
    timezone: str = "UTC",
) -> list[Finding]:
    """The plays of ``scope`` (a show, a movie, or ``None`` for all) that look like accidents.

    Findings come kind by kind in the order of :data:`KINDS`, newest first within a kind;
    a play is under one kind only. Days (for ``flood``) are calendar days in ``timezone``.
    Summaries name titles only when the scope holds more than one show or movie.
    """
    plays = in_scope(plays_in_order(history), scope)
    scan = Scan(plays, scope, catalogue, ZoneInfo(timezone))
    found: list[Finding] = []
    for finder in FINDERS:
        found += finder(scan)
    at = {p.id: (p.item.watched_at, p.id) for p in plays}
    # Newest first within a kind: on a long history the recent accidents are the ones to see.
    found.sort(key=lambda f: min(at[i] for i in f.history_ids), reverse=True)
    return sorted(found, key=lambda f: KINDS.index(f.kind))
