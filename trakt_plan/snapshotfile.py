"""Snapshot files, to plan offline: the JSON array ``history all --json`` prints, or Trakt's
own export ZIP.

Trakt's raw export writes the history as ``watched-history-*.json`` pages (arrays of rows in
the ordinary ``/sync/history`` shape, with extra fields that are ignored), and
``user-last-activities.json`` (recorded as the plan's observed marks when present). Account
settings in the ``/users/settings`` shape (``user-settings.json``), when present, give the
time zone days are counted in. :func:`read_snapshot` reads either kind of snapshot.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trakt_plan.errors import PlanFileError
from trakt_plan.fsutil import read_json_file
from trakt_plan.trakt.models import HistoryItem, LastActivities

__all__ = ["MAX_MEMBER_BYTES", "Snapshot", "dump_snapshot", "load_snapshot", "read_snapshot"]

# A real export of a 100k-play account is tens of megabytes; past this a member is not one.
MAX_MEMBER_BYTES = 1 << 30
_HISTORY_PAGE = re.compile(r"watched-history(?:-(\d+))?\.json")
_ACTIVITIES = "user-last-activities.json"
_SETTINGS = "user-settings.json"


@dataclass(frozen=True)
class Snapshot:
    """The plays of a snapshot file and what else it says about the account.

    ``export`` is true for Trakt's ZIP; ``last_activities`` and ``timezone`` come from it
    when it holds them (a JSON array has neither).
    """

    path: Path
    history: list[HistoryItem]
    export: bool = False
    last_activities: LastActivities | None = None
    timezone: str | None = None
    files: tuple[str, ...] = field(default_factory=tuple)


def read_snapshot(path: Path) -> Snapshot:
    """Read ``path``: Trakt's export ZIP, or the JSON array ``history all --json`` prints."""
    if zipfile.is_zipfile(path):
        return _read_export(path)
    return Snapshot(path, load_snapshot(path))


def _read_export(path: Path) -> Snapshot:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {Path(info.filename).name: info for info in archive.infolist()}
            pages = sorted(
                (name for name in members if _HISTORY_PAGE.fullmatch(name)), key=_page_number
            )
            if not pages:
                raise PlanFileError(
                    f"{path}: a ZIP, but not Trakt's export: it holds no watched-history-*.json "
                    "file. Use the ZIP from Trakt's data export, or a file saved by "
                    "`trakt-plan history all --json`."
                )
            history = _history(path, archive, [members[name] for name in pages])
            activities = _optional(path, archive, members.get(_ACTIVITIES))
            settings = _optional(path, archive, members.get(_SETTINGS))
    except (zipfile.BadZipFile, OSError) as exc:
        raise PlanFileError(f"{path}: cannot read the export ZIP: {exc}.") from None
    return Snapshot(
        path,
        history,
        export=True,
        last_activities=_activities(path, activities),
        timezone=_timezone(settings),
        files=tuple(pages),
    )


def _page_number(name: str) -> int:
    match = _HISTORY_PAGE.fullmatch(name)
    number = match.group(1) if match else None
    return int(number) if number else 0


def _member_json(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    where = f"{path}: {info.filename}"
    if info.file_size > MAX_MEMBER_BYTES:
        raise PlanFileError(f"{where}: {info.file_size} bytes, more than an export holds.")
    try:
        return json.loads(archive.read(info).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{where}: not UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})."
        ) from None


def _optional(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> Any:
    return None if info is None else _member_json(path, archive, info)


def _history(
    path: Path, archive: zipfile.ZipFile, pages: list[zipfile.ZipInfo]
) -> list[HistoryItem]:
    """Every row of every page, each history id once, newest first (as the API sends it)."""
    items: dict[int, HistoryItem] = {}
    for info in pages:
        rows = _member_json(path, archive, info)
        if not isinstance(rows, list):
            raise PlanFileError(f"{path}: {info.filename}: expected a JSON array of history rows.")
        for item in _plays(rows, f"{path}: {info.filename}: row"):
            items.setdefault(item.id, item)
    return sorted(items.values(), key=lambda item: (item.watched_at, item.id), reverse=True)


def _activities(path: Path, data: Any) -> LastActivities | None:
    if data is None:
        return None
    try:
        return LastActivities.model_validate(data)
    except ValidationError:
        raise PlanFileError(
            f"{path}: {_ACTIVITIES}: not in the shape of Trakt's /sync/last_activities."
        ) from None


def _timezone(settings: Any) -> str | None:
    account = settings.get("account") if isinstance(settings, dict) else None
    zone = account.get("timezone") if isinstance(account, dict) else None
    return zone if isinstance(zone, str) and zone else None


def load_snapshot(path: Path) -> list[HistoryItem]:
    """Read a history saved by ``trakt-plan history all --json``.

    Raises ``PlanFileError`` naming the file (and the item index) when it cannot be read, is
    not a JSON array, or holds something that is not a Trakt history item.
    """
    data = read_json_file(
        path,
        what="history snapshot",
        hint="Save one with `trakt-plan history all --json > FILE`.",
    )
    if not isinstance(data, list):
        raise PlanFileError(
            f"{path}: not a history snapshot: expected a JSON array of plays, as printed by "
            "`trakt-plan history all --json`."
        )
    return _plays(data, f"{path}: item")


def _plays(rows: list[Any], where: str) -> list[HistoryItem]:
    """Each row as a play; the first that is not one is named as ``{where} {index}``."""
    items: list[HistoryItem] = []
    for index, row in enumerate(rows):
        try:
            items.append(HistoryItem.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            at = ".".join(str(part) for part in first["loc"]) or "the item"
            raise PlanFileError(
                f"{where} {index} is not a Trakt history play: {first['msg']} at {at}."
            ) from None
    return items


def dump_snapshot(items: Sequence[HistoryItem]) -> str:
    """The plays as a JSON array in Trakt's shape (what ``load_snapshot`` reads back)."""
    payload = [item.to_trakt_json() for item in items]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
