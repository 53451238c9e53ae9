"""What every benchmark section shares: the figure it reports and the CLI run it times.

Each section starts the bundled Trakt emulator on 127.0.0.1 in this process and runs the
real `trakt-plan` command line against it in a subprocess, so wall time and peak memory
are the CLI's own.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SandboxServer

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
    """One line of the results table: a value next to its target and what it is measured against."""

    name: str
    value: str
    target: str
    against: str
    ok: bool


def cli_env(server: SandboxServer, config_dir: Path) -> dict[str, str]:
    token = server.state.issue_token()
    return {
        **os.environ,
        "TRAKT_API_BASE": server.base_url,
        "TRAKT_CLIENT_ID": SANDBOX_CLIENT_ID,
        "TRAKT_ACCESS_TOKEN": token["access_token"],
        "TRAKT_PLAN_CONFIG_DIR": str(config_dir),
    }


def run_cli(
    args: list[str], env: dict[str, str], *, launcher: Sequence[str] = ("-m", "trakt_plan")
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run trakt-plan in a child process: (wall seconds, child peak RSS in MB, result).

    ``launcher`` is what follows ``python``: the CLI's module, or ``-c`` and code that
    changes something before it calls the CLI's ``main``.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *launcher, *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 2):
        raise SystemExit(f"trakt-plan {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    # ru_maxrss is the largest child so far (KiB on Linux); each section runs its big child first.
    return wall, max(peak, before) / 1024, proc
