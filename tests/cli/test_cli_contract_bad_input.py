"""A new user's mistakes, checked against the contract: each is one clear paragraph naming the
file or the value, exit 1, no traceback, and nothing fetched, written or sent before it is said."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from tests.support import REPO

SEED = REPO / "plans" / "aos-cleanup.yaml"


def assert_one_paragraph(run, *, naming: str) -> None:
    """The contract's error shape: exit 1, one `Error:` paragraph naming the culprit."""
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output
    assert "internal error" not in run.stderr, run.stderr
    assert run.stderr.startswith("Error: "), run.stderr
    assert naming in run.stderr, run.stderr


def test_plan_saved_under_a_file_says_it_cannot_write_there(cli, tmp_path):
    """`plan -o notes.txt/x.plan.json`, where notes.txt is a file: the error names the -o path
    and why, not an "unexpected internal error"."""
    (tmp_path / "notes.txt").write_text("not a directory\n")
    out = tmp_path / "notes.txt" / "x.plan.json"
    run = cli("--sandbox", "plan", str(SEED), "-o", str(out))
    assert_one_paragraph(run, naming=str(out))
    assert "not a directory" in run.stderr.lower()
    assert "journal" not in run.stderr
    assert run.stdout == ""


def test_plan_saved_into_a_place_that_refuses_files_names_the_path(cli):
    """`plan -o /proc/x.plan.json` (a directory no file can be created in) says so clearly."""
    out = Path("/proc/x.plan.json")
    run = cli("--sandbox", "plan", str(SEED), "-o", str(out))
    assert_one_paragraph(run, naming=str(out))
    assert not out.exists()


def test_init_written_under_a_file_names_the_path(cli, tmp_path):
    """`init -o` into a path that cannot be a file names that path, not a temp file."""
    (tmp_path / "notes.txt").write_text("not a directory\n")
    out = tmp_path / "notes.txt" / "aos.yaml"
    run = cli("--sandbox", "init", "1394", "-o", str(out))
    assert_one_paragraph(run, naming=str(out))


def test_apply_of_a_yaml_with_a_bad_batch_size_refuses_before_planning(cli, tmp_path):
    """`apply PLAN.yaml --batch-size 0` is a usage error: said at once, before the plan is
    computed or a saved plan is written beside the YAML."""
    spec = tmp_path / "aos.yaml"
    spec.write_text(SEED.read_text())
    run = cli("--sandbox", "apply", str(spec), "--batch-size", "0", "--yes")
    assert_one_paragraph(run, naming="--batch-size")
    assert run.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aos.yaml"]


def test_undo_with_a_bad_batch_size_refuses_before_reading_anything(cli, tmp_path):
    """`undo --batch-size 5000` is refused as a usage error even when nothing was applied."""
    run = cli("--sandbox", "undo", str(tmp_path / "x.plan.json"), "--batch-size", "5000")
    assert_one_paragraph(run, naming="--batch-size")


def test_sandbox_serve_on_a_port_that_does_not_exist_is_a_usage_error(cli):
    """`sandbox serve --port 99999` names the value instead of an internal OverflowError."""
    run = cli("sandbox", "serve", "--port", "99999")
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    assert "99999" in run.output


def test_sandbox_serve_on_a_busy_port_says_the_port_is_taken(cli):
    """A port another program listens on: the error names it and the way out (another --port)."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = cli("sandbox", "serve", "--port", str(port))
    assert_one_paragraph(run, naming=f"127.0.0.1:{port}")
    assert "--port" in run.stderr


def test_validate_and_show_work_offline_despite_a_broken_config_file(cli, tmp_path, monkeypatch):
    """`validate` and `show` read only their file: a config.toml with a typo (which matters
    only to commands that reach Trakt) does not stop them."""
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    (config / "config.toml").write_text('clientid = "typo"\n')
    saved = tmp_path / "aos.plan.json"
    assert cli("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0
    monkeypatch.setenv("TRAKT_PLAN_CONFIG_DIR", str(config))
    validated = cli("validate", str(SEED))
    assert validated.exit_code == 0, validated.stderr
    shown = cli("show", str(saved), "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["summary"]["deletions"] == 22
    # A command that does reach Trakt still names the file and the key.
    whoami = cli("whoami")
    assert_one_paragraph(whoami, naming="clientid")


def test_apply_given_the_journal_points_to_the_plan_file(cli, tmp_path):
    """`apply x.plan.json.journal` (the journal, by tab completion) says which file apply takes,
    instead of calling the journal invalid JSON."""
    journal = tmp_path / "x.plan.json.journal"
    journal.write_text('{"type": "header"}\n{"type": "intent"}\n')
    run = cli("--sandbox", "apply", str(journal), "--yes")
    assert_one_paragraph(run, naming=f"trakt-plan apply {tmp_path / 'x.plan.json'}")
    assert "invalid JSON" not in run.stderr


@pytest.mark.parametrize(
    "command", [("init", "1394", "--force"), ("plan", str(SEED))], ids=["init", "plan"]
)
def test_writing_over_a_pipe_is_refused_and_the_pipe_is_left_alone(cli, tmp_path, command):
    """`init -o PIPE` (or /dev/stdout): the file is written as a new file moved into place,
    which would replace the pipe (as root, even a device node) with a regular file."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    run = cli("--sandbox", *command, "-o", str(pipe))
    assert_one_paragraph(run, naming=str(pipe))
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_doctor_writing_under_a_file_names_the_file_not_an_internal_error(cli, tmp_path):
    """`doctor -o notes.txt/plan.yaml`: whichever command meets a file the OS refuses, the
    error names that file and the reason, with no "internal error" and no traceback."""
    (tmp_path / "notes.txt").write_text("not a directory\n")
    run = cli("--sandbox", "doctor", "-o", str(tmp_path / "notes.txt" / "plan.yaml"))
    assert run.exit_code == 1
    assert "Traceback" not in run.output and "internal error" not in run.stderr
    error = run.stderr.splitlines()[-1]
    assert error.startswith("Error: cannot read or write ") and "notes.txt" in error
