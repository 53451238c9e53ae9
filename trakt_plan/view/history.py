"""Plays as portable files: ``history --format csv`` (a spreadsheet row per play) and JSON.

The CSV is a backup a person can open anywhere before a cleanup: one row per play with
its history id, time (Trakt's UTC format), action and every id of the show, episode or
movie, so each play can be found again on Trakt or in another service. Control
characters in titles are replaced, so the file is safe to print on a terminal too.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt.models import HistoryItem, Ids

__all__ = ["CSV_COLUMNS", "render_history_csv", "render_history_json"]

_MEDIA_COLUMNS = ("title", "year", "trakt", "slug", "imdb", "tmdb", "tvdb")
CSV_COLUMNS = (
    "history_id",
    "watched_at",
    "action",
    "type",
    *(f"show_{name}" for name in _MEDIA_COLUMNS),
    "season",
    "number",
    "episode_title",
    "episode_trakt",
    "episode_imdb",
    "episode_tmdb",
    "episode_tvdb",
    *(f"movie_{name}" for name in _MEDIA_COLUMNS),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text(value: object) -> str:
    return "" if value is None else _CONTROL.sub(" ", str(value))


def _ids(prefix: str, ids: Ids | None, names: Sequence[str]) -> dict[str, str]:
    return {f"{prefix}_{name}": _text(getattr(ids, name) if ids else None) for name in names}


def _row(item: HistoryItem) -> dict[str, str]:
    row = {
        "history_id": str(item.id),
        "watched_at": format_trakt_time(item.watched_at),
        "action": _text(item.action),
        "type": item.type,
    }
    for prefix, media in (("show", item.show), ("movie", item.movie)):
        row[f"{prefix}_title"] = _text(media.title if media else None)
        row[f"{prefix}_year"] = _text(media.year if media else None)
        row.update(_ids(prefix, media.ids if media else None, _MEDIA_COLUMNS[2:]))
    episode = item.episode
    row["season"] = _text(episode.season if episode else None)
    row["number"] = _text(episode.number if episode else None)
    row["episode_title"] = _text(episode.title if episode else None)
    row.update(_ids("episode", episode.ids if episode else None, ("trakt", "imdb", "tmdb", "tvdb")))
    return row


def render_history_csv(items: Sequence[HistoryItem]) -> str:
    """The plays as CSV with a header row, in the order given (newest first from Trakt)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_row(item) for item in items)
    return out.getvalue()


def render_history_json(items: Sequence[HistoryItem]) -> str:
    """The plays as a JSON array in Trakt's own shape: what `plan --snapshot` reads back."""
    payload = [item.to_trakt_json() for item in items]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
