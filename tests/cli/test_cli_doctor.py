"""`doctor` as a user runs it, and plans from Trakt's export ZIP."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "plans" / "aos-cleanup.yaml"
NOW = "2025-11-21T12:00:00Z"
BULK_IDS = list(range(10000000000, 10000000022))


def export_of(cli, path: Path, timezone: str = "Europe/Paris") -> Path:
    """The sandbox's history saved as Trakt's export ZIP would hold it."""
    rows = json.loads(cli("--sandbox", "history", "all", "--json").stdout)
    activities = {"episodes": {"watched_at": "2025-11-20T10:11:12.000Z"}, "movies": {}}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("watched-history-1.json", json.dumps(rows[:40]))
        archive.writestr("watched-history-2.json", json.dumps(rows[40:]))
        archive.writestr("user-last-activities.json", json.dumps(activities))
        archive.writestr("user-settings.json", json.dumps({"account": {"timezone": timezone}}))
    return path


def test_doctor_json_reports_the_demo_accidents_in_the_documented_shape(cli):
    """On the demo account: one accident of each kind, with ids, evidence and rules."""
    run = cli("--sandbox", "doctor", "--json", "--now", NOW, "--days", "30")

    assert run.exit_code == 0, run.stderr
    report = json.loads(run.stdout)
    assert sorted(report) == [
        "account",
        "checked",
        "days",
        "findings",
        "now",
        "plays",
        "scope",
        "usual_day",
    ]
    assert report["now"] == "2025-11-21T12:00:00.000Z"
    assert len(report["days"]) == 30
    assert report["days"][-1]["date"] == "2025-11-21"
    kinds = [finding["kind"] for finding in report["findings"]]
    assert kinds == [
        "same_second",
        "runtime_chain",
        "at_release",
        "double_play",
        "double_play",
        "flood",
    ]
    bulk = report["findings"][0]
    assert sorted(bulk) == ["evidence", "first", "history_ids", "kind", "last", "rule"]
    assert bulk["rule"]["drop"] == {"same_timestamp": 3}
    assert report["findings"][1]["show"]["title"] == "Severance"
    assert len(report["findings"][-1]["history_ids"]) == 210


def test_doctor_exits_2_on_findings_with_detailed_exitcode(cli):
    """--detailed-exitcode turns findings into exit 2, for scripts."""
    run = cli("--sandbox", "doctor", "--detailed-exitcode", "--now", NOW)

    assert run.exit_code == 2, run.stderr
    assert "same second" in run.stdout


def test_the_starter_plan_of_doctor_removes_what_its_findings_list(cli, tmp_path):
    """`doctor -o` writes a plan whose deletions are exactly the findings' plays."""
    starter = tmp_path / "doctor.yaml"
    run = cli("--sandbox", "doctor", "--json", "--now", NOW, "-o", str(starter))
    assert run.exit_code == 0, run.stderr
    found = {i for finding in json.loads(run.stdout)["findings"] for i in finding["history_ids"]}

    planned = cli("--sandbox", "plan", str(starter), "--json")

    assert planned.exit_code == 0, planned.stderr
    assert {d["history_id"] for d in json.loads(planned.stdout)["deletions"]} == found


def test_doctor_refuses_a_now_without_a_zone(cli):
    """--now must carry its zone: one clear paragraph, exit 1, no traceback."""
    run = cli("--sandbox", "doctor", "--now", "2025-11-21T12:00:00")

    assert run.exit_code == 1
    assert "--now '2025-11-21T12:00:00' is not an instant with its zone" in run.stderr
    assert "Traceback" not in run.stderr


def test_doctor_reads_trakt_export_zip_and_counts_days_in_its_time_zone(cli, tmp_path):
    """With the export, doctor needs no account and counts days in the export's zone."""
    path = export_of(cli, tmp_path / "trakt-export.zip")

    run = cli("doctor", "--snapshot", str(path), "--json", "--now", NOW)

    assert run.exit_code == 0, run.stderr
    account = json.loads(run.stdout)["account"]
    assert account == {
        "username": "snapshot",
        "source": "Trakt export trakt-export.zip",
        "timezone": "Europe/Paris",
        "timezone_from": "the export's account settings",
    }


def test_a_plan_from_the_export_says_so_and_records_its_marks(cli, tmp_path):
    """`plan --snapshot EXPORT.zip` finds the bulk mark, keeps the export's marks and zone."""
    path = export_of(cli, tmp_path / "trakt-export.zip")

    as_json = cli("plan", str(SEED), "--snapshot", str(path), "--json")
    shown = cli("plan", str(SEED), "--snapshot", str(path), "--timezone", "Asia/Tokyo")

    assert as_json.exit_code == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert [d["history_id"] for d in document["deletions"]] == BULK_IDS
    assert document["account"] == {"username": "snapshot", "api_base": "export:trakt-export.zip"}
    assert document["observed"]["last_activities"]["episodes.watched_at"] == (
        "2025-11-20T10:11:12.000Z"
    )
    assert document["observed"]["timezone"] == "Europe/Paris (the export's account settings)"
    assert "planned offline from Trakt's export trakt-export.zip, not the live account; " in (
        shown.stdout + shown.stderr
    )
    assert "days in Asia/Tokyo (--timezone)" in shown.stdout + shown.stderr
