"""Output paths and Trakt text that could hurt: the YAML, a directory, escapes and markup."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from trakt_plan.trakt.models import HistoryItem
from trakt_plan.ui import Ui

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "plans" / "aos-cleanup.yaml"
HOSTILE_TITLE = "\x1b]0;owned\x07\x1b[2J[bold red]Agents[/] \x9b31m"


def test_plan_x_yaml_o_x_yaml_refuses_and_keeps_the_yaml(cli, tmp_path):
    """`plan X.yaml -o X.yaml` exits 1 before planning, and the YAML is unchanged."""
    spec = tmp_path / "aos.yaml"
    shutil.copy(SEED, spec)
    before = spec.read_bytes()
    run = cli("--sandbox", "plan", str(spec), "-o", str(spec))
    assert run.exit_code == 1
    assert f"-o {spec} would overwrite a plan YAML" in run.stderr
    assert str(tmp_path / "aos.plan.json") in run.stderr
    assert before == spec.read_bytes()


def test_plan_o_another_yaml_refuses_too(cli, tmp_path):
    """A saved plan is JSON: `-o other.yaml` would destroy a plan, so it is refused."""
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\n", encoding="utf-8")
    run = cli("--sandbox", "plan", str(SEED), "-o", str(other))
    assert run.exit_code == 1
    assert other.read_text(encoding="utf-8") == "version: 1\n"


def test_plan_o_naming_a_directory_is_a_clear_error(cli, tmp_path):
    """`plan -o DIR` says DIR is a directory (exit 1), not an internal error."""
    run = cli("--sandbox", "plan", str(SEED), "-o", str(tmp_path))
    assert run.exit_code == 1
    assert f"-o {tmp_path} is a directory; give a file name" in run.stderr
    assert "internal error" not in run.stderr


def test_init_o_naming_a_directory_is_a_clear_error(cli, tmp_path):
    """`init -o DIR --force` says DIR is a directory (exit 1), not an internal error."""
    run = cli("--sandbox", "init", "1394", "-o", str(tmp_path), "--force")
    assert run.exit_code == 1
    assert f"-o {tmp_path} is a directory; give a file name" in run.stderr
    assert "internal error" not in run.stderr


def hostile_snapshot(cli, tmp_path: Path) -> Path:
    """The sandbox history with the show's title and the plays' action made hostile."""
    plays = json.loads(cli("--sandbox", "history", "all", "--json").stdout)
    for play in plays:
        if play.get("show", {}).get("ids", {}).get("trakt") == 1394:
            play["show"]["title"] = HOSTILE_TITLE
            play["action"] = "[/]"
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(plays), encoding="utf-8")
    return snapshot


def test_escape_sequences_and_markup_in_titles_reach_the_plan_as_plain_text(cli, tmp_path):
    """A title with ESC/CSI sequences and rich markup plans fine and prints no raw escape."""
    run = cli("plan", str(SEED), "--snapshot", str(hostile_snapshot(cli, tmp_path)))
    assert run.exit_code == 0, run.stderr
    assert "\\x1b]0;owned\\x07\\x1b[2J[bold red]Agents[/] \\x9b31m (2013)" in run.stdout
    assert [ch for ch in run.stdout if ch in "\x1b\x07\x9b"] == []
    assert "[/]" in run.stdout


def test_escape_sequences_and_markup_in_history_are_printed_as_plain_text():
    """`history` prints a hostile title and a markup action literally, with no raw escape."""
    item = HistoryItem.model_validate(
        {
            "id": 7,
            "watched_at": datetime(2025, 1, 2, tzinfo=UTC).isoformat(),
            "action": "[/]",
            "type": "movie",
            "movie": {"title": HOSTILE_TITLE, "year": 2010, "ids": {"trakt": 1}},
        }
    )
    ui = Ui(no_color=True)
    out = io.StringIO()
    ui.out = Console(file=out, width=200, color_system=None, highlight=False)
    ui.err = Console(file=io.StringIO(), color_system=None)
    ui.history([item], with_show=True)
    assert "\\x1b]0;owned\\x07\\x1b[2J[bold red]Agents[/] \\x9b31m (2010)" in out.getvalue()
    assert [ch for ch in out.getvalue() if ch in "\x1b\x07\x9b"] == []


def test_progress_stays_visible_as_plain_lines_under_no_color():
    """With --no-color on a terminal, a history read reports progress as plain lines."""
    ui = Ui(no_color=True)
    err = io.StringIO()
    ui.err = Console(file=err, force_terminal=True, no_color=True, color_system=None)
    with ui.pages("Reading history") as on_page:
        for page in range(1, 21):
            on_page(page, 20)
    lines = err.getvalue().splitlines()
    # The first page at once, then one line per tenth of the way.
    assert [f"Reading history: {n}/20" for n in (1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20)] == lines
    assert "\x1b" not in err.getvalue()


def test_apply_progress_stays_visible_as_plain_lines_under_no_color():
    """With --no-color on a terminal, apply's batches report as plain lines, start to end."""
    ui = Ui(no_color=True)
    err = io.StringIO()
    ui.err = Console(file=err, force_terminal=True, no_color=True, color_system=None)
    with ui.batches("Removing plays") as progress:
        progress.start(300)
        for _ in range(3):
            progress.advance(100)
        progress.finish()
    expected = ["Removing plays: 0/300", "Removing plays: 100/300"]
    expected += ["Removing plays: 200/300", "Removing plays: 300/300"]
    assert expected == err.getvalue().splitlines()
