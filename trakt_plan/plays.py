"""A play as the accident detector and the starter plan see it, and text fit for comments.

Each history item becomes a :class:`Play` with the keys detection groups by (its second,
its episode or movie, its show or movie title) computed once; the helpers format times,
episode codes and titles so that they stay on one YAML comment line.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trakt_plan.labels import title_year
from trakt_plan.media import media_key
from trakt_plan.trakt.models import HistoryItem, ResolvedScope

__all__ = [
    "TITLE_WIDTH",
    "Play",
    "clean",
    "clip",
    "in_scope",
    "media_title",
    "plays_in_order",
]

TITLE_WIDTH = 60

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Play:
    item: HistoryItem
    second: int
    media_key: Hashable
    title_key: Hashable
    title: str
    code: tuple[int, int] | None

    @property
    def id(self) -> int:
        return self.item.id


def clean(text: str) -> str:
    """Text fit for one comment line: no line breaks or control characters, no lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch if ch.isprintable() else " " for ch in text).rstrip()


def clip(text: str, width: int = TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def media_title(title: str | None, year: int | None, fallback: str) -> str:
    name = clean(title).strip() if title else ""
    return title_year(name, year) if name else fallback


def _to_play(item: HistoryItem) -> Play:
    # Floor division, as the planner counts seconds (float timestamps round, and truncate
    # towards zero before 1970).
    second = (item.watched_at - _EPOCH) // _SECOND
    if item.type == "episode" and item.episode is not None:
        episode, show = item.episode, item.show
        show_id = show.ids.trakt if show is not None else None
        show_title = media_title(
            show.title if show else None,
            show.year if show else None,
            f"show {show_id}" if show_id is not None else "an unknown show",
        )
        title_key = ("show", show_id if show_id is not None else show_title)
        return Play(
            item, second, media_key(item), title_key, show_title, (episode.season, episode.number)
        )
    if item.type == "movie" and item.movie is not None:
        movie = item.movie
        movie_title = media_title(
            movie.title,
            movie.year,
            f"movie {movie.ids.trakt}" if movie.ids.trakt is not None else "an unknown movie",
        )
        title_key = ("movie", movie.ids.trakt if movie.ids.trakt is not None else movie_title)
        return Play(item, second, media_key(item), title_key, movie_title, None)
    return Play(item, second, media_key(item), ("play", item.id), "an unknown item", None)


def plays_in_order(history: Iterable[HistoryItem]) -> list[Play]:
    """Plays in (watched_at, id) order, each history id once (as the planner counts them)."""
    unique: dict[int, HistoryItem] = {}
    for item in history:
        known = unique.get(item.id)
        if known is None or item.watched_at < known.watched_at:
            unique[item.id] = item
    ordered = sorted(unique.values(), key=lambda item: (item.watched_at, item.id))
    return [_to_play(item) for item in ordered]


def in_scope(plays: list[Play], scope: ResolvedScope | None) -> list[Play]:
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
