"""Which plays to restore are already in the live history: counted per (media, second).

Trakt does not de-duplicate adds and answers without new history ids, so an undo re-reads
the history around the plays it is about to add and counts, per key (type, media trakt id,
``watched_at`` second), how many plays are there. Reading stays cheap: one window per media
type, unless its first page says item-by-item reads are fewer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from trakt_plan.apply.records import RestorePlay
from trakt_plan.errors import NotFound
from trakt_plan.fetch import HistoryClient
from trakt_plan.planfile import PlannedDeletion
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.models import HistoryItem, PlayToAdd

__all__ = ["PlayKey", "Restore", "item_key", "live_counts", "present_ids"]

_ONE_SECOND = timedelta(seconds=1)

# (type, media trakt id, watched_at in whole seconds): what "the same play" means here.
PlayKey = tuple[str, int, int]


@dataclass(frozen=True)
class Restore:
    """One removed play to add back."""

    history_id: int
    type: Literal["episode", "movie"]
    trakt_id: int | None
    watched_at: datetime

    @classmethod
    def from_deletion(cls, play: PlannedDeletion) -> Restore:
        """From a play as the apply journal holds it (a planned deletion)."""
        media = play.movie if play.type == "movie" else play.episode
        return cls(
            history_id=play.history_id,
            type=play.type,
            trakt_id=media.trakt if media is not None else None,
            watched_at=parse_trakt_time(play.watched_at),
        )

    @classmethod
    def from_record(cls, play: RestorePlay) -> Restore:
        """From a play as an undo intent holds it."""
        return cls(
            history_id=play.history_id,
            type=play.type,
            trakt_id=play.trakt_id,
            watched_at=parse_trakt_time(play.watched_at),
        )

    @property
    def key(self) -> PlayKey | None:
        if self.trakt_id is None:
            return None
        return (self.type, self.trakt_id, int(self.watched_at.timestamp()))

    def to_add(self) -> PlayToAdd:
        assert self.trakt_id is not None
        return PlayToAdd(type=self.type, trakt_id=self.trakt_id, watched_at=self.watched_at)

    def to_record(self) -> RestorePlay:
        return RestorePlay(
            history_id=self.history_id,
            type=self.type,
            trakt_id=self.trakt_id,
            watched_at=format_trakt_time(self.watched_at),
        )


def item_key(item: HistoryItem) -> PlayKey | None:
    """The key of a live play, ``None`` when Trakt sent no media trakt id."""
    media_id = item.media_trakt_id
    if media_id is None:
        return None
    return (item.type, media_id, int(item.watched_at.timestamp()))


class _TooManyPages(Exception):
    """Raised from ``on_page`` to stop a window read that would cost more than item reads."""


def _read_kind(client: HistoryClient, kind: str, group: Sequence[Restore]) -> list[HistoryItem]:
    start = min(p.watched_at for p in group).replace(microsecond=0) - _ONE_SECOND
    end = max(p.watched_at for p in group).replace(microsecond=0) + 2 * _ONE_SECOND
    media = sorted({p.trakt_id for p in group if p.trakt_id is not None})
    # A play without a media trakt id can only be found in a window read.
    if len(media) > 1 or len(media) < len({p.trakt_id for p in group}):

        def cheap_enough(page: int, pages: int, limit: int = len(media)) -> None:
            if pages > limit:
                raise _TooManyPages

        try:
            return client.history(
                media_type=f"{kind}s", start_at=start, end_at=end, on_page=cheap_enough
            )
        except _TooManyPages:
            pass
    items: list[HistoryItem] = []
    for media_id in media:
        try:
            items += client.history(
                media_type=f"{kind}s", item_id=media_id, start_at=start, end_at=end
            )
        except NotFound:
            # Trakt no longer knows the item, so it has no plays; the add will say so.
            continue
    return items


def live_counts(client: HistoryClient, plays: Sequence[Restore]) -> Counter[PlayKey]:
    """How many plays the live history has at each key of ``plays``.

    Per media type: one read of a window covering the plays, unless its first page says it
    has more pages than the batch has items; then one read per item (narrowed to the same
    window), whichever is fewer reads.
    """
    wanted = {p.key for p in plays if p.key is not None}
    counts: Counter[PlayKey] = Counter()
    for kind in ("episode", "movie"):
        group = [p for p in plays if p.type == kind and p.trakt_id is not None]
        if not group:
            continue
        for item in _read_kind(client, kind, group):
            key = item_key(item)
            if key is not None and key in wanted:
                counts[key] += 1
    return counts


def present_ids(client: HistoryClient, plays: Sequence[Restore]) -> set[int]:
    """The history ids among ``plays`` that the live history still has (same reads as above)."""
    wanted = {p.history_id for p in plays}
    found: set[int] = set()
    for kind in ("episode", "movie"):
        group = [p for p in plays if p.type == kind]
        if group:
            found.update(item.id for item in _read_kind(client, kind, group) if item.id in wanted)
    return found
