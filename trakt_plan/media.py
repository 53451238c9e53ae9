"""One key per episode or movie, shared by every part that groups plays of the same media.

The planner's ``repeats`` and the starter's double-play finder must agree on what "the same
episode" is, or a finding would point at plays the suggested rule does not remove; so both
use :func:`media_key`.
"""

from __future__ import annotations

from collections.abc import Hashable

from trakt_plan.trakt.models import HistoryItem

__all__ = ["media_key"]


def media_key(item: HistoryItem) -> Hashable:
    """The key naming the episode or movie of a play.

    Trakt ids first; without one, the show and episode code (or the movie's title and year)
    still name it. A play without its media object is grouped with no other play.
    """
    if item.type == "episode" and item.episode is not None:
        episode = item.episode
        if episode.ids.trakt is not None:
            return ("episode", episode.ids.trakt)
        show = item.show
        show_key: int | str | None = show.ids.trakt if show is not None else None
        if show_key is None and show is not None:
            show_key = show.title
        return ("episode", show_key, episode.season, episode.number)
    if item.type == "movie" and item.movie is not None:
        movie = item.movie
        if movie.ids.trakt is not None:
            return ("movie", movie.ids.trakt)
        return ("movie", movie.title, movie.year)
    return ("play", item.id)
