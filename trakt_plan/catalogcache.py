"""Catalogue facts kept on disk, so a second plan reads no runtime or air date again.

One JSON file per show (its runtime and, per episode id, its code, runtime and first air
time) and per movie (runtime and release date), in the user cache directory
(``platformdirs``; ``TRAKT_PLAN_CACHE_DIR`` moves it, for tests and CI). A file that cannot
be read is treated as missing and read again from Trakt: the cache only ever saves requests.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from trakt_plan.fsutil import atomic_write

__all__ = ["CACHE_ENV", "MAX_AGE", "CatalogueCache", "EpisodeEntry", "MovieEntry", "ShowEntry"]

CACHE_ENV = "TRAKT_PLAN_CACHE_DIR"
# Shows gain episodes and runtimes get corrected: facts older than this are read again.
MAX_AGE = timedelta(days=30)
_FORMAT = 1


@dataclass(frozen=True)
class EpisodeEntry:
    """One episode as the seasons endpoint gives it."""

    season: int
    number: int
    runtime: int | None = None
    first_aired: str | None = None


@dataclass(frozen=True)
class ShowEntry:
    """A show's runtime and its episodes by Trakt id, read at ``read_at`` (ISO, UTC)."""

    runtime: int | None
    episodes: dict[int, EpisodeEntry] = field(default_factory=dict)
    read_at: str = ""


@dataclass(frozen=True)
class MovieEntry:
    """A movie's runtime (minutes) and ``released`` date (``YYYY-MM-DD``)."""

    runtime: int | None = None
    released: str | None = None
    read_at: str = ""


def default_directory() -> Path:
    """``TRAKT_PLAN_CACHE_DIR``, else the platform's user cache dir for trakt-plan."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("trakt-plan")) / "catalogue"


class CatalogueCache:
    """Read and write show and movie facts under ``directory`` (created on first write)."""

    def __init__(self, directory: Path | None = None, *, now: datetime | None = None) -> None:
        self.directory = directory if directory is not None else default_directory()
        self.now = now or datetime.now(UTC)

    def show(self, show_id: int) -> ShowEntry | None:
        """The cached facts of a show, or ``None`` when absent, unreadable or too old."""
        data = self._read("shows", show_id)
        if data is None:
            return None
        try:
            episodes = {int(key): EpisodeEntry(**value) for key, value in data["episodes"].items()}
            return ShowEntry(data["runtime"], episodes, data["read_at"])
        except (KeyError, TypeError, ValueError):
            return None

    def save_show(self, show_id: int, entry: ShowEntry) -> None:
        episodes = {
            str(key): {
                "season": ep.season,
                "number": ep.number,
                "runtime": ep.runtime,
                "first_aired": ep.first_aired,
            }
            for key, ep in sorted(entry.episodes.items())
        }
        self._write("shows", show_id, {"runtime": entry.runtime, "episodes": episodes})

    def movie(self, movie_id: int) -> MovieEntry | None:
        """The cached facts of a movie, or ``None`` when absent, unreadable or too old."""
        data = self._read("movies", movie_id)
        if data is None:
            return None
        try:
            return MovieEntry(data["runtime"], data["released"], data["read_at"])
        except (KeyError, TypeError):
            return None

    def save_movie(self, movie_id: int, entry: MovieEntry) -> None:
        self._write("movies", movie_id, {"runtime": entry.runtime, "released": entry.released})

    def _path(self, kind: str, trakt_id: int) -> Path:
        return self.directory / kind / f"{int(trakt_id)}.json"

    def _read(self, kind: str, trakt_id: int) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(kind, trakt_id).read_text(encoding="utf-8"))
            read_at = datetime.fromisoformat(data["read_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        if read_at.tzinfo is None or self.now - read_at > MAX_AGE:
            return None
        return data

    def _write(self, kind: str, trakt_id: int, data: dict[str, Any]) -> None:
        document = {"format": _FORMAT, "read_at": self.now.isoformat(), **data}
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        try:
            atomic_write(self._path(kind, trakt_id), text)
        except OSError:
            # A cache that cannot be written costs requests next time, never the plan.
            return
