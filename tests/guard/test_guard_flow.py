"""guard end to end against the emulator: plan, save, apply when allowed, notify, exit 0/2/1."""

from __future__ import annotations

import json
import os
import socket
import stat

from trakt_plan.guard import guard_lock_path
from trakt_plan.trakt.models import Token

NOW = "2026-12-01T04:00:00Z"
SAVED = "aos-cleanup.20261201T040000Z.plan.json"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_quiet_night_prints_one_line_and_notifies_nobody(guard, webhook):
    """Nothing to delete: one summary line on stdout, exit 0, no file, no notification."""
    run = guard("guard", str(guard.plans / "quiet.yaml"), "--notify", webhook.url(), "--now", NOW)
    assert (run.exit_code, len(run.stdout.splitlines())) == (0, 1), run.stderr
    assert run.stdout.startswith("Plan: nothing to remove")
    assert guard.plan_files() == []
    assert webhook.received == []


def test_deletions_are_saved_with_a_timestamp_and_left_for_review(guard, webhook, server):
    """Without --apply-max the plan is saved beside the YAML, notified in Markdown, exit 2."""
    before = len(server.state.history())
    run = guard(
        "guard", str(guard.plans / "aos-cleanup.yaml"), "--notify", webhook.url(), "--now", NOW
    )
    assert run.exit_code == 2, run.stderr
    assert guard.plan_files() == [SAVED]
    assert len(server.state.history()) == before
    (message,) = webhook.messages()
    assert "Plan: remove 22 plays of 1 show" in message
    assert "| S06E02 |" in message or "S06E02" in message
    assert f"trakt-plan apply {guard.plans / SAVED}" in message
    assert webhook.received[0].body["type"] == "warning"


def test_apply_max_applies_a_small_plan_and_notifies_the_undo(guard, webhook, server):
    """22 deletions under --apply-max 30 are applied; the notification says how to undo them."""
    before = len(server.state.history())
    spec = str(guard.plans / "aos-cleanup.yaml")
    run = guard("guard", spec, "--apply-max", "30", "--notify", webhook.url(), "--now", NOW)
    assert run.exit_code == 0, run.stderr
    assert len(server.state.history()) == before - 22
    assert (guard.plans / (SAVED + ".journal")).exists()
    (message,) = webhook.messages()
    assert f"Undo with: trakt-plan undo {guard.plans / SAVED}" in message
    assert webhook.received[0].body["type"] == "success"
    undo = guard("undo", str(guard.plans / SAVED), "--yes")
    assert undo.exit_code == 0, undo.stderr
    assert len(server.state.history()) == before


def test_a_plan_over_apply_max_is_left_for_review(guard, webhook, server):
    """22 deletions over --apply-max 5: nothing removed, the notification says why, exit 2."""
    before = len(server.state.history())
    spec = str(guard.plans / "aos-cleanup.yaml")
    run = guard("guard", spec, "--apply-max", "5", "--notify", webhook.url(), "--now", NOW)
    assert run.exit_code == 2, run.stderr
    assert len(server.state.history()) == before
    assert "more than --apply-max 5" in webhook.messages()[0]


def test_an_error_is_notified_and_exits_1(guard, webhook):
    """A broken plan is one paragraph on stderr, exit 1, and a failure notification."""
    bad = guard.plans / "broken.yaml"
    bad.write_text("version: 1\nrules:\n  - name: x\n    show: 1394\n    drop: {afterr: S01E01}\n")
    run = guard("guard", str(bad), "--notify", webhook.url(), "--now", NOW)
    assert run.exit_code == 1
    assert "Traceback" not in run.stderr
    (message,) = webhook.messages()
    assert "broken.yaml" in message
    assert webhook.received[0].body["type"] == "failure"


def test_a_second_guard_on_the_same_plan_does_not_run(guard, webhook, server):
    """While one guard holds the plan's lock, another exits 1 and sends nothing to Trakt."""
    spec = guard.plans / "aos-cleanup.yaml"
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": NOW, "command": "guard"}
    guard_lock_path(spec).write_text(json.dumps(holder))
    before = len(server.state.history())
    run = guard("guard", str(spec), "--apply-max", "30", "--notify", webhook.url(), "--now", NOW)
    assert run.exit_code == 1
    assert len(server.state.history()) == before
    assert guard.plan_files() == []
    assert "another guard of this plan is running" in webhook.messages()[0]


def test_urls_from_the_flag_and_the_environment_are_told_once_each(guard, webhook):
    """A URL given by --notify and TRAKT_PLAN_NOTIFY gets one notification, the other one too."""
    guard.env["TRAKT_PLAN_NOTIFY"] = f"{webhook.url()} {webhook.url('second')}"
    run = guard(
        "guard", str(guard.plans / "aos-cleanup.yaml"), "--notify", webhook.url(), "--now", NOW
    )
    assert run.exit_code == 2, run.stderr
    assert [r.path for r in webhook.received] == ["/hook", "/second"]


def test_a_notification_that_fails_is_a_warning_not_a_new_exit_code(guard, webhook):
    """A dead notification URL is reported on stderr; the run still exits 2 for review."""
    dead = f"json://127.0.0.1:{_closed_port()}/hook"
    spec = str(guard.plans / "aos-cleanup.yaml")
    run = guard("guard", spec, "--notify", dead, "--notify", webhook.url(), "--now", NOW)
    assert run.exit_code == 2
    assert "notification not sent: json://127.0.0.1:" in run.stderr
    assert len(webhook.messages()) == 1


def _token_file(guard, server, tmp_path):
    """Log the guard in through a token file (no environment token), its access expired."""
    del guard.env["TRAKT_ACCESS_TOKEN"]
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    guard.env["TRAKT_PLAN_CONFIG_DIR"] = str(config)
    issued = server.state.issue_token()
    path = config / "token.json"
    path.write_text(json.dumps(issued))
    path.chmod(0o600)
    server.expire_access_token(issued["access_token"])
    return path, issued


def test_a_login_rotated_during_a_guard_is_saved_whole_and_private(guard, server, tmp_path):
    """Trakt rotates the expired pair mid-run; the new pair replaces the file by a rename."""
    path, issued = _token_file(guard, server, tmp_path)
    run = guard("guard", str(guard.plans / "quiet.yaml"), "--now", NOW)
    assert run.exit_code == 0, run.stderr
    saved = Token.model_validate_json(path.read_text())
    assert saved.access_token != issued["access_token"]
    assert saved.refresh_token != issued["refresh_token"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_a_token_that_cannot_be_saved_leaves_the_old_file_whole(
    guard, server, webhook, tmp_path, monkeypatch
):
    """A rename that fails mid-refresh (full disk) keeps the old file intact and is notified."""
    path, _ = _token_file(guard, server, tmp_path)
    before = path.read_bytes()
    real_replace = os.replace

    def failing_replace(src, dst, *args, **kwargs):
        if os.fspath(dst) == os.fspath(path):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    run = guard("guard", str(guard.plans / "quiet.yaml"), "--notify", webhook.url(), "--now", NOW)
    assert run.exit_code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["token.json"]
    assert "could not be saved" in webhook.messages()[0]
