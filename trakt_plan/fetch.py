"""The fetch layer: read only the history a plan needs.

``plan_reads`` decides which ``/sync/history`` reads cover the plan's scopes (one per show or
movie, or the whole history once, each narrowed to a time window where every rule allows it);
``fetch_history`` runs them a few at a time and merges the plays. Snapshot files (to plan
offline) are :mod:`trakt_plan.snapshotfile`'s. This module neither filters by rule nor
decides anything about deletions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from operator import attrgetter
from typing import Protocol

from trakt_plan.errors import ResolveError
from trakt_plan.spec.conditions import scope_wide
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, ResolvedScope
from trakt_plan.workers import run_all

__all__ = [
    "HistoryClient",
    "HistoryRead",
    "fetch_history",
    "plan_reads",
    "read_history",
]

_MAX_WORKERS = 4
# A C-level sort key: a lambda costs a Python call per play (100k of them on a large history).
_NEWEST_FIRST = attrgetter("watched_at", "id")


@dataclass(frozen=True)
class HistoryRead:
    """One ``/sync/history`` read: all plays (``media_type=None``), one kind, or one item.

    ``media_type`` is ``"shows"``/``"movies"`` with an ``item_id``, or ``"episodes"``/``"movies"``
    alone for every play of that kind. ``start_at`` is inclusive, ``end_at`` exclusive.
    """

    media_type: str | None
    item_id: int | None
    start_at: datetime | None
    end_at: datetime | None

    def covers(self, other: HistoryRead) -> bool:
        """Whether every play ``other`` returns is also returned by this read."""
        if self.item_id is not None:
            return self == other
        if self.media_type is not None:
            kind = {"episodes": "shows", "movies": "movies"}[self.media_type]
            if other.media_type not in (self.media_type, kind):
                return False
        starts = self.start_at is None or (
            other.start_at is not None and self.start_at <= other.start_at
        )
        ends = self.end_at is None or (other.end_at is not None and other.end_at <= self.end_at)
        return starts and ends

    @classmethod
    def of(
        cls,
        scope: ResolvedScope | None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
    ) -> HistoryRead:
        """The read of one show's or movie's plays, or of the whole history (``None``)."""
        if scope is None:
            return cls(None, None, start_at, end_at)
        return cls("shows" if scope.type == "show" else "movies", scope.trakt_id, start_at, end_at)

    def keeps(self, watched_at: datetime) -> bool:
        """Whether a play at ``watched_at`` lies inside this read's window."""
        if self.start_at is not None and watched_at < self.start_at:
            return False
        return self.end_at is None or watched_at < self.end_at


class _Window:
    """The smallest window covering several; an open side stays open."""

    def __init__(self) -> None:
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.open_start = False
        self.open_end = False

    def add(self, start: datetime | None, end: datetime | None) -> None:
        if start is None:
            self.open_start = True
        elif self.start is None or start < self.start:
            self.start = start
        if end is None:
            self.open_end = True
        elif self.end is None or end > self.end:
            self.end = end

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        return (
            None if self.open_start else self.start,
            None if self.open_end else self.end,
        )


def plan_reads(spec: PlanSpec, resolved: Mapping[ScopeRef, ResolvedScope]) -> list[HistoryRead]:
    """The reads that give the planner every play its rules and protections look at.

    Any ``history:`` rule makes one read of the whole history (only the episodes or only the
    movies when every such rule says so), windowed to the span of the rules' windows when all
    of them have one. Other rules read their show or movie, windowed the same way, unless the
    whole-history read already covers it. A ``protect`` entry whose ``when`` compares plays
    (``same_timestamp``, ``burst``, ``repeats``) needs its whole scope, so it is read too.
    """
    # (scope, window start, window end) for everything that must be read.
    needs: list[tuple[ScopeRef, datetime | None, datetime | None]] = [
        (scope, rule.watched_from, rule.watched_until)
        for rule in spec.rules
        for scope in rule.scopes
    ]
    needs += [
        (scope, None, None)
        for entry in spec.protect
        if scope_wide(entry.when)
        for scope in entry.scopes
    ]

    history_kinds: set[str] = set()
    history_window = _Window()
    items: dict[tuple[str, int], tuple[ResolvedScope, _Window]] = {}
    for scope, start, end in needs:
        if scope.kind == "history":
            history_kinds.add(scope.ref)
            history_window.add(start, end)
            continue
        target = resolved.get(scope)
        if target is None:
            raise ResolveError(
                f"the {scope.kind} {scope.ref!r} was not resolved to a Trakt {scope.kind}; "
                "resolve the plan's scopes before reading its history."
            )
        # Keyed by id: two references to one show must share one read.
        items.setdefault((target.type, target.trakt_id), (target, _Window()))[1].add(start, end)

    reads: list[HistoryRead] = []
    if history_kinds:
        media_type = None
        if history_kinds == {"episodes"}:
            media_type = "episodes"
        elif history_kinds == {"movies"}:
            media_type = "movies"
        start, end = history_window.bounds()
        reads.append(HistoryRead(media_type, None, start, end))
    for target, window in items.values():
        read = HistoryRead.of(target, *window.bounds())
        if not any(existing.covers(read) for existing in reads):
            reads.append(read)
    return reads


class HistoryClient(Protocol):
    """The part of ``TraktClient`` that fetching uses (tests pass small fakes)."""

    def history(
        self,
        *,
        media_type: str | None = None,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[HistoryItem]: ...


def read_history(
    client: HistoryClient,
    read: HistoryRead,
    *,
    on_page: Callable[[int, int], None] | None = None,
) -> list[HistoryItem]:
    """Run one read, newest first, keeping only plays inside its window.

    Trakt's ``end_at`` includes the boundary; everywhere in trakt-plan an end is exclusive.
    """
    items = client.history(
        media_type=read.media_type,
        item_id=read.item_id,
        start_at=read.start_at,
        end_at=read.end_at,
        on_page=on_page,
    )
    if read.start_at is None and read.end_at is None:
        return items
    return [item for item in items if read.keeps(item.watched_at)]


def fetch_history(
    client: HistoryClient,
    spec: PlanSpec,
    resolved: Mapping[ScopeRef, ResolvedScope],
    *,
    on_page: Callable[[int, int], None] | None = None,
) -> list[HistoryItem]:
    """Run ``plan_reads`` (up to four at a time) and merge the plays, newest first.

    A play returned by two reads is kept once; plays outside a read's window are dropped
    (``end_at`` is exclusive here, whatever the server does at the boundary). ``on_page``
    receives ``(page, page_count)`` from every read, one call at a time.
    """
    reads = plan_reads(spec, resolved)
    if not reads:
        return []
    lock = threading.Lock()
    report: Callable[[int, int], None] | None = None
    if on_page is not None:
        callback = on_page

        def report(page: int, pages: int) -> None:
            with lock:
                callback(page, pages)

    def run(read: HistoryRead) -> list[HistoryItem]:
        return read_history(client, read, on_page=report)

    if len(reads) == 1:
        # On the calling thread: one read needs no pool (the client pages concurrently anyway).
        batches = [run(reads[0])]
    else:
        jobs = [partial(run, read) for read in reads]
        batches = run_all(jobs, workers=min(_MAX_WORKERS, len(reads)), name="trakt-read")
    merged: dict[int, HistoryItem] = {}
    for batch in batches:
        for item in batch:
            merged.setdefault(item.id, item)
    return sorted(merged.values(), key=_NEWEST_FIRST, reverse=True)
