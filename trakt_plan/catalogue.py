"""What the planner knows of the catalogue: runtimes and release dates. Pure data, no I/O.

Runtime- and release-based conditions (``runtime_chain``, ``at_release``,
``repeats: {within: runtime}``) need, besides the plays, how long each episode or movie
runs and when it was released. The fetch layer reads these from Trakt (``extended=full``)
and caches them; the planner only looks them up here. Runtimes are in minutes, as Trakt
gives them. An episode whose own runtime is unknown uses its show's; when both are unknown
the play never matches a runtime-based condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

__all__ = ["Catalogue", "EpisodeFacts", "MovieFacts"]


@dataclass(frozen=True)
class EpisodeFacts:
    """One episode: its runtime in minutes and when it first aired (aware UTC), if known."""

    runtime: int | None = None
    first_aired: datetime | None = None


@dataclass(frozen=True)
class MovieFacts:
    """One movie: its runtime in minutes and its release date, if known."""

    runtime: int | None = None
    released: date | None = None


@dataclass(frozen=True)
class Catalogue:
    """Runtimes and releases by Trakt id: ``episodes`` and ``movies``, and show runtimes.

    ``shows`` maps a show's trakt id to its runtime in minutes (the fallback for its
    episodes). An empty catalogue is valid: nothing then matches a runtime- or
    release-based condition.
    """

    episodes: Mapping[int, EpisodeFacts] = field(default_factory=dict)
    shows: Mapping[int, int | None] = field(default_factory=dict)
    movies: Mapping[int, MovieFacts] = field(default_factory=dict)

    def episode_runtime(self, episode_id: int | None, show_id: int | None) -> timedelta | None:
        """The episode's runtime, else its show's, else ``None``."""
        facts = self.episodes.get(episode_id) if episode_id is not None else None
        minutes = facts.runtime if facts is not None else None
        if not minutes and show_id is not None:
            minutes = self.shows.get(show_id)
        return timedelta(minutes=minutes) if minutes else None

    def movie_runtime(self, movie_id: int | None) -> timedelta | None:
        """The movie's runtime, or ``None``."""
        facts = self.movies.get(movie_id) if movie_id is not None else None
        minutes = facts.runtime if facts is not None else None
        return timedelta(minutes=minutes) if minutes else None

    def episode_release(self, episode_id: int | None) -> datetime | None:
        """When the episode first aired (``first_aired``), or ``None``."""
        facts = self.episodes.get(episode_id) if episode_id is not None else None
        return facts.first_aired if facts is not None else None

    def movie_release(self, movie_id: int | None) -> datetime | None:
        """The movie's ``released`` date at 00:00:00Z, or ``None``."""
        facts = self.movies.get(movie_id) if movie_id is not None else None
        if facts is None or facts.released is None:
            return None
        return datetime.combine(facts.released, time(0), tzinfo=UTC)
