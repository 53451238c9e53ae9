"""trakt-plan's speed, memory and safety figures, each next to what it is measured against.

Run from the repository root (after `pip install -e .`):

    python benchmarks/run.py            # everything (a few minutes)
    python benchmarks/run.py plan apply # only some figures

Each section starts the bundled Trakt emulator on 127.0.0.1 in this process and
runs the real `trakt-plan` command line against it in a subprocess, so wall time
and peak memory are the CLI's own. The output is a Markdown table (figure, value,
target, the comparison) that the README's "Performance and safety" section quotes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from trakt_plan import __version__
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, Knobs, SandboxServer, generate_state

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
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
    args: list[str], env: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run trakt-plan in a child process: (wall seconds, child peak RSS in MB, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "trakt_plan", *args],
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


def sequential_fetch(server: SandboxServer, token: str) -> tuple[float, int]:
    """The naive client: one page after another with plain httpx. (seconds, plays)."""
    headers = {
        "trakt-api-key": SANDBOX_CLIENT_ID,
        "trakt-api-version": "2",
        "User-Agent": f"trakt-plan-benchmark/{__version__}",
        "Authorization": f"Bearer {token}",
    }
    start = time.perf_counter()
    plays = 0
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        page, pages = 1, 1
        while page <= pages:
            response = http.get("/sync/history", params={"page": page, "limit": 250})
            response.raise_for_status()
            pages = int(response.headers["X-Pagination-Page-Count"])
            plays += len(response.json())
            page += 1
    return time.perf_counter() - start, plays


BULK_PLAN = """\
version: 1
description: benchmark - every one-second bulk mark over the whole history
max_deletions: 1000000
rules:
  - name: bulk
    history: all
    drop:
      same_timestamp: 5
"""


def bench_plan(work: Path) -> list[Figure]:
    plays = 100_000
    state = generate_state(plays, seed=42)
    plan_file = work / "bulk.yaml"
    plan_file.write_text(BULK_PLAN)
    with SandboxServer(state, knobs=Knobs(latency=0.020, get_limit=None)) as server:
        env = cli_env(server, work / "config-plan")
        wall, peak_mb, proc = run_cli(["plan", str(plan_file), "--json"], env)
        saved = json.loads(proc.stdout)
        seq_wall, seq_plays = sequential_fetch(server, env["TRAKT_ACCESS_TOKEN"])
    assert saved["summary"]["plays_seen"] == plays == seq_plays
    cpu = planner_cpu(plays)
    ratio = wall / seq_wall
    return [
        Figure("plan, 100k plays, 20 ms latency (wall)", f"{wall:.1f} s", "-", "", True),
        Figure(
            "sequential httpx fetch of the same pages",
            f"{seq_wall:.1f} s",
            "-",
            "",
            True,
        ),
        Figure(
            "plan / sequential fetch",
            f"{ratio:.2f}",
            "<= 1.0",
            "a plain sequential page loop",
            ratio <= 1.0,
        ),
        Figure("plan peak memory (RSS)", f"{peak_mb:.0f} MB", "<= 400 MB", "", peak_mb <= 400),
        Figure("planner CPU, 100k plays", f"{cpu:.2f} s", "< 2 s", "", cpu < 2.0),
    ]


def planner_cpu(plays: int) -> float:
    """CPU seconds of build_plan alone over an in-memory 100k-play history."""
    from trakt_plan.planner import build_plan
    from trakt_plan.spec.load import load_spec_text
    from trakt_plan.trakt.models import HistoryItem

    state = generate_state(plays, seed=42)
    items = [HistoryItem.model_validate(row) for row in state.history()]
    spec = load_spec_text(BULK_PLAN, "bulk.yaml")
    start = time.process_time()
    build_plan(spec, {}, items, timezone="UTC")
    return time.process_time() - start


def bench_apply(work: Path) -> list[Figure]:
    """~1,000 deletions at Trakt's real write limit (one POST a second)."""
    from trakt_plan.sandbox import demo_state

    state = demo_state()
    # A Jellyfin-style bulk mark of 1,000 plays in one second on the demo account.
    catalog_plays = [
        {
            "type": "episode",
            "trakt_id": 139400000 + season * 100 + number,
            "watched_at": "2025-11-21T03:00:00.000Z",
            "action": "watch",
        }
        for season in range(1, 8)
        for number in range(1, 14)
    ]
    plays = (catalog_plays * 12)[:1000]
    state.add_plays(state.default_user, plays)
    plan_file = work / "apply.yaml"
    plan_file.write_text(
        "version: 1\nrules:\n  - name: bulk\n    show: 1394\n    drop:\n"
        "      watched_from: 2025-11-21\n      same_timestamp: 100\n"
    )
    saved_plan = work / "apply.plan.json"
    with SandboxServer(state, knobs=Knobs(write_interval=1.0)) as server:
        env = cli_env(server, work / "config-apply")
        run_cli(["plan", str(plan_file), "-o", str(saved_plan)], env)
        planned = len(json.loads(saved_plan.read_text())["deletions"])
        limited_before = server.stats.rate_limited
        wall, _, _ = run_cli(["apply", str(saved_plan), "--yes"], env)
        rate_limited = server.stats.rate_limited - limited_before
    bound = math.ceil(planned / 100)
    return [
        Figure(f"apply {planned} deletions (wall)", f"{wall:.1f} s", "-", "", True),
        Figure(
            "apply / ceil(N/100) s bound",
            f"{wall / bound:.2f}",
            "<= 1.2",
            f"{bound} s: 100 ids per call, one call a second",
            wall <= bound * 1.2,
        ),
        Figure(
            "apply / one call per play",
            f"{wall / planned:.3f}",
            "-",
            f"{planned} s: one remove call per play",
            True,
        ),
        Figure("429s during apply", str(rate_limited), "0", "", rate_limited == 0),
    ]


SECTIONS: dict[str, Callable[[Path], list[Figure]]] = {
    "plan": bench_plan,
    "apply": bench_apply,
}


def render(figures: list[Figure]) -> str:
    lines = [
        "| figure | value | target | measured against | ok |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {f.value} | {f.target} | {f.against} | {'yes' if f.ok else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", help=f"any of: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    chosen = args.sections or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="trakt-plan-bench-") as tmp:
        for name in chosen:
            print(f"running {name}…", file=sys.stderr, flush=True)
            figures.extend(SECTIONS[name](Path(tmp)))
    print(render(figures))
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
