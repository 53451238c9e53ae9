"""Every command also works as a separate process, the way cron and shells run it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "plans" / "aos-cleanup.yaml"


def test_read_and_plan_commands_as_subprocesses(cli, tmp_path):
    """whoami, search, validate, plan -o, show and init run as processes with exit 0."""
    saved = tmp_path / "aos.plan.json"
    runs = {
        "whoami": cli.subprocess("--sandbox", "whoami", "--json"),
        "search": cli.subprocess("--sandbox", "search", "tvdb:263365", "--json"),
        "validate": cli.subprocess("validate", str(SEED)),
        "plan": cli.subprocess("--sandbox", "plan", str(SEED), "-o", str(saved)),
        "show": cli.subprocess("show", str(saved), "--json"),
        "init": cli.subprocess("--sandbox", "init", "1394"),
    }
    for name, run in runs.items():
        assert run.exit_code == 0, f"{name}: {run.stderr}"
    assert json.loads(runs["whoami"].stdout)["username"] == "sandbox-user"
    assert json.loads(runs["search"].stdout)[0]["ids"]["trakt"] == 1394
    assert len(json.loads(runs["show"].stdout)["deletions"]) == 22
    assert "same_timestamp: 3" in runs["init"].stdout


def test_sandbox_reset_restores_the_demo_account(cli, tmp_path):
    """After an apply, `sandbox reset` brings the 22 removed plays back as a fresh demo."""
    saved = tmp_path / "aos.plan.json"
    assert cli.subprocess("--sandbox", "plan", str(SEED), "-o", str(saved)).exit_code == 0
    assert cli.subprocess("--sandbox", "apply", str(saved), "--yes").exit_code == 0
    reset = cli.subprocess("sandbox", "reset")
    assert reset.exit_code == 0, reset.stderr
    plays = json.loads(cli.subprocess("--sandbox", "history", "1394", "--json").stdout)
    assert len(plays) == 83


def test_sandbox_serve_answers_on_loopback_until_interrupted(tmp_path):
    """`sandbox serve --port` serves the demo account over HTTP and stops cleanly on Ctrl-C."""
    env = {**os.environ, "TRAKT_PLAN_CONFIG_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trakt_plan", "sandbox", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = ""
        deadline = time.monotonic() + 30
        assert proc.stderr is not None
        while time.monotonic() < deadline and not base:
            line = proc.stderr.readline()
            if "listening on " in line:
                base = line.split("listening on ", 1)[1].split()[0]
        assert base.startswith("http://127.0.0.1:")
        response = httpx.get(
            f"{base}/shows/1394",
            headers={
                "User-Agent": "test/1",
                "trakt-api-key": "sandbox-client-id",
                "trakt-api-version": "2",
            },
            trust_env=False,
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Marvel's Agents of S.H.I.E.L.D."
    finally:
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=30)
    assert "Traceback" not in rest
