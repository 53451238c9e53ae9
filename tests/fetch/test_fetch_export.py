"""Trakt's export ZIP as a snapshot: every page read, extra fields ignored, errors named."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from trakt_plan.errors import PlanFileError
from trakt_plan.sandbox import demo_state
from trakt_plan.snapshotfile import read_snapshot

ACTIVITIES = {
    "all": "2025-11-20T10:11:12.000Z",
    "episodes": {"watched_at": "2025-11-20T10:11:12.000Z", "collected_at": None},
    "movies": {"watched_at": "2025-11-12T21:00:00.000Z"},
}


def write_export(path: Path, rows: list[dict], **files: object) -> Path:
    """A ZIP shaped like Trakt's export: history split over two pages plus ``files``."""
    half = len(rows) // 2
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export/watched-history-1.json", json.dumps(rows[:half]))
        archive.writestr("export/watched-history-2.json", json.dumps(rows[half:]))
        for name, content in files.items():
            archive.writestr(f"export/{name.replace('_', '-')}.json", json.dumps(content))
    return path


def demo_rows() -> list[dict]:
    """The demo history as export rows: the API shape plus fields the export adds."""
    return [{**row, "rating": None, "hidden": False} for row in demo_state().history()]


def test_an_export_is_read_with_its_marks_and_time_zone(tmp_path):
    """Both pages, the last activities and the account's time zone come out of the ZIP."""
    path = write_export(
        tmp_path / "trakt-export.zip",
        demo_rows(),
        user_last_activities=ACTIVITIES,
        user_settings={"user": {"username": "me"}, "account": {"timezone": "Europe/Paris"}},
    )

    snapshot = read_snapshot(path)

    assert snapshot.export is True
    assert len(snapshot.history) == len(demo_state().history())
    assert snapshot.history[0].watched_at >= snapshot.history[-1].watched_at
    assert snapshot.timezone == "Europe/Paris"
    assert snapshot.last_activities is not None
    assert snapshot.last_activities.history_marks() == {
        "episodes.watched_at": "2025-11-20T10:11:12.000Z",
        "movies.watched_at": "2025-11-12T21:00:00.000Z",
    }
    assert snapshot.files == ("watched-history-1.json", "watched-history-2.json")


def test_an_export_without_its_optional_files_has_no_marks_and_no_zone(tmp_path):
    """Only history pages: the snapshot has plays, and says nothing of marks or zone."""
    snapshot = read_snapshot(write_export(tmp_path / "export.zip", demo_rows()))

    assert (snapshot.last_activities, snapshot.timezone) == (None, None)


def test_a_zip_without_history_pages_is_refused_by_name(tmp_path):
    """A ZIP that holds no watched-history page is not taken for an empty history."""
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("cat.json", "[]")

    with pytest.raises(PlanFileError) as caught:
        read_snapshot(path)

    assert str(caught.value).startswith(f"{path}: a ZIP, but not Trakt's export")


def test_a_bad_row_names_the_page_and_the_row(tmp_path):
    """A row that is no play is reported with its page and index."""
    rows = demo_rows()
    rows[-1] = {"id": "not a number"}
    path = write_export(tmp_path / "export.zip", rows)

    with pytest.raises(PlanFileError) as caught:
        read_snapshot(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: export/watched-history-2.json: row ")
    assert "is not a Trakt history play" in message
