"""Reviewing a plan in every format: plan and show agree byte for byte, and JSON keeps warnings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from trakt_plan.view.history import CSV_COLUMNS

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "plans" / "aos-cleanup.yaml"


@pytest.mark.parametrize("name", ["text", "json", "markdown"])
def test_plan_and_show_of_its_saved_plan_print_the_same_bytes(cli, tmp_path, name):
    """`plan --format F -o X` and `show X --format F` print byte-identical stdout."""
    saved = tmp_path / "aos.plan.json"
    planned = cli("--sandbox", "plan", str(SEED), "-o", str(saved), "--format", name)
    assert planned.exit_code == 0, planned.stderr
    shown = cli("show", str(saved), "--format", name)
    assert shown.exit_code == 0, shown.stderr
    assert planned.stdout == shown.stdout
    assert "10000000021" in shown.stdout


def test_the_text_plan_starts_with_a_header_and_ends_with_the_counts(cli):
    """The text review names the account, plan_id and YAML, then counts by action and rule."""
    run = cli("--sandbox", "plan", str(SEED))
    assert run.exit_code == 0, run.stderr
    lines = [line.rstrip() for line in run.stdout.splitlines()]
    assert lines[0].startswith("Undo the accidental")
    assert lines[1] == "  account  sandbox-user on sandbox"
    assert f"  source   {SEED}" == lines[4]
    assert "by action: 22 watch · 0 scrobble · 0 checkin" in run.stdout
    assert "removed plays watched 2025-11-16 20:02:03 to 2025-11-16 20:02:03" in run.stdout
    assert lines[5] == "  times    America/New_York (the account's settings)"
    # 01:02:03 UTC on the 17th is the evening before in the demo account's New York.
    assert "-  10000000000  2025-11-16 20:02:03  S06E02  watch" in run.stdout


def test_json_keeps_the_warnings(cli, tmp_path):
    """`plan --json` carries a `warnings` array: what the text review warns about."""
    plan = tmp_path / "cleanup.yaml"
    plan.write_text(
        "version: 1\nrules:\n  - name: nothing\n    show: 1394\n    drop:\n"
        "      history_ids: [1]\n",
        encoding="utf-8",
    )
    run = cli("--sandbox", "plan", str(plan), "--json")
    assert run.exit_code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["warnings"] == [
        "rule 'nothing' matched nothing: check its scope and conditions for a typo."
    ]


def test_plan_json_with_a_warning_saved_by_redirect_is_a_plan_show_accepts(cli, tmp_path):
    """`plan --json > X` with a warning is the saved plan itself: its checksum still binds it."""
    plan = tmp_path / "cleanup.yaml"
    plan.write_text(
        "version: 1\nrules:\n  - name: bulk\n    show: 1394\n    drop:\n"
        "      same_timestamp: 3\n  - name: nothing\n    show: 1394\n    drop:\n"
        "      history_ids: [1]\n",
        encoding="utf-8",
    )
    run = cli("--sandbox", "plan", str(plan), "--json")
    assert run.exit_code == 0, run.stderr
    saved = tmp_path / "cleanup.plan.json"
    saved.write_text(run.stdout, encoding="utf-8")
    shown = cli("show", str(saved), "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert run.stdout == shown.stdout


def test_json_and_format_json_are_the_same_and_other_formats_refuse_json(cli):
    """`--json` is `--format json`; `--json --format markdown` is a usage error (exit 1)."""
    first = cli("--sandbox", "plan", str(SEED), "--json")
    second = cli("--sandbox", "plan", str(SEED), "--format", "json")
    assert first.stdout.replace(first.stdout, "") == ""
    assert json.loads(first.stdout)["plan_id"] == json.loads(second.stdout)["plan_id"]
    both = cli("--sandbox", "plan", str(SEED), "--json", "--format", "markdown")
    assert both.exit_code == 1
    assert "--json is --format json" in both.stderr


def test_an_unknown_format_names_the_formats_there_are(cli, tmp_path):
    """`--format pdf` exits 1 and lists text, json and markdown."""
    run = cli("show", str(tmp_path / "x.plan.json"), "--format", "pdf")
    assert run.exit_code == 1
    assert "--format takes text, json, markdown" in run.stderr


def test_history_as_csv_is_a_backup_with_every_id(cli):
    """`history all --format csv` writes a header and one row per play, with its ids."""
    run = cli("--sandbox", "history", "all", "--format", "csv")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    plays = json.loads(cli("--sandbox", "history", "all", "--json").stdout)
    assert list(CSV_COLUMNS) == run.stdout.splitlines()[0].split(",")
    assert [str(play["id"]) for play in plays] == [row["history_id"] for row in rows]
    aos = [row for row in rows if row["show_trakt"] == "1394"]
    assert {"S03E16", "S07E10"} <= {f"S{int(r['season']):02d}E{int(r['number']):02d}" for r in aos}


def test_history_format_json_is_the_json_flag(cli):
    """`history --format json` prints what `history --json` prints."""
    flag = cli("--sandbox", "history", "1394", "--json")
    named = cli("--sandbox", "history", "1394", "--format", "json")
    assert flag.exit_code == 0, flag.stderr
    assert flag.stdout == named.stdout
