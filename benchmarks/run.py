"""trakt-plan's speed, memory and safety figures, each next to what it is measured against.

Run from the repository root (after `pip install -e .`):

    python benchmarks/run.py            # everything (a few minutes)
    python benchmarks/run.py plan apply # only some figures

Each section starts the bundled Trakt emulator on 127.0.0.1 in this process and
runs the real `trakt-plan` command line against it in a subprocess, so wall time
and peak memory are the CLI's own. The output is a Markdown table (figure, value,
target, the comparison) that the README's "Performance and safety" section quotes;
it is also written to benchmarks/results.md.

Sections: plan and apply (speed at Trakt's real write limit), reads (a plan at a real
API's 150 ms a page), pacing (writes paced by arrival at 0.3 s a write), fuzz (the plan loader
against thousands of mutated and generated plans), faults (an apply through injected
errors, dropped answers and 429 storms), kills (kill -9 at points spread over an
apply, then resume) and scale (a 100,000-play account end to end). The last four
drive the CLI through tests/hardening/launch_cli.py, which scales the client's
one-write-a-second pace down (the emulator's limit is scaled down to match) and
reports each process's own peak memory; fuzz runs the hardening tests' own fuzzer
(tests/hardening/fuzzing.py, so it needs hypothesis from the test extra).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from trakt_plan import __version__
from trakt_plan.sandbox import (
    SANDBOX_CLIENT_ID,
    Knobs,
    SandboxServer,
    SandboxState,
    demo_state,
    generate_state,
)

ROOT = Path(__file__).resolve().parents[1]
HARDENING = ROOT / "tests" / "hardening"
RESULTS = Path(__file__).resolve().with_name("results.md")


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


def timed_plan(work: Path, plays: int, latency: float) -> tuple[float, float, float]:
    """`plan` over ``plays`` generated plays at ``latency`` a request, then a sequential
    fetch of the same pages: (plan wall s, plan peak MB, sequential wall s)."""
    state = generate_state(plays, seed=42)
    plan_file = work / f"bulk-{plays}.yaml"
    plan_file.write_text(BULK_PLAN)
    with SandboxServer(state, knobs=Knobs(latency=latency, get_limit=None)) as server:
        env = cli_env(server, work / f"config-plan-{plays}")
        wall, peak_mb, proc = run_cli(["plan", str(plan_file), "--json"], env)
        seq_wall, seq_plays = sequential_fetch(server, env["TRAKT_ACCESS_TOKEN"])
    assert json.loads(proc.stdout)["summary"]["plays_seen"] == plays == seq_plays
    return wall, peak_mb, seq_wall


def read_figures(label: str, wall: float, seq_wall: float, target: float) -> list[Figure]:
    """Plan wall, sequential wall and their ratio against ``target``."""
    ratio = wall / seq_wall
    return [
        Figure(f"plan, {label} (wall)", f"{wall:.1f} s", "-", "", True),
        Figure("sequential httpx fetch of the same pages", f"{seq_wall:.1f} s", "-", "", True),
        Figure(
            "plan / sequential fetch",
            f"{ratio:.2f}",
            f"<= {target}",
            "a plain sequential page loop",
            ratio <= target,
        ),
    ]


def bench_plan(work: Path) -> list[Figure]:
    """A plan over 100,000 plays at 20 ms a page: speed, memory and planner CPU."""
    plays = 100_000
    wall, peak_mb, seq_wall = timed_plan(work, plays, 0.020)
    cpu = planner_cpu(plays)
    return [
        *read_figures("100k plays, 20 ms latency", wall, seq_wall, 0.75),
        Figure("plan peak memory (RSS)", f"{peak_mb:.0f} MB", "<= 400 MB", "", peak_mb <= 400),
        Figure("planner CPU, 100k plays", f"{cpu:.2f} s", "< 2 s", "", cpu < 2.0),
    ]


def bench_reads(work: Path) -> list[Figure]:
    """A plan over 40,000 plays at a real API's 150 ms a page, against a sequential fetch."""
    wall, _, seq_wall = timed_plan(work, 40_000, 0.150)
    return read_figures("40k plays, 150 ms a page", wall, seq_wall, 0.2)


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


def bench_pacing(work: Path) -> list[Figure]:
    """1,135 deletions against a server taking 0.3 s a write and allowing one a second."""
    from trakt_plan.trakt.auth import StaticTokenAuth
    from trakt_plan.trakt.client import TraktClient

    deletions = 1_135
    state = generate_state(deletions, seed=3)
    ids = [row["id"] for row in state.history()]
    with SandboxServer(state, knobs=Knobs(latency=0.3, write_interval=1.0)) as server:
        auth = StaticTokenAuth(server.state.issue_token()["access_token"])
        http = httpx.Client(timeout=60)
        with TraktClient(
            http, api_base=server.base_url, client_id=SANDBOX_CLIENT_ID, auth=auth
        ) as client:
            start = time.perf_counter()
            removed = sum(
                client.remove_history(ids[at : at + 100]).deleted.total
                for at in range(0, deletions, 100)
            )
            wall = time.perf_counter() - start
        rate_limited = server.stats.rate_limited
    assert removed == deletions
    bound = math.ceil(deletions / 100)
    return [
        Figure(f"{deletions} deletions at 0.3 s a write (wall)", f"{wall:.1f} s", "-", "", True),
        Figure(
            "write efficiency: ceil(N/100) s bound / wall",
            f"{bound / wall:.2f}",
            ">= 0.9",
            f"{bound} s: 100 ids per call, one call a second on arrival",
            bound / wall >= 0.9,
        ),
        Figure("429s during those writes", str(rate_limited), "<= 2", "", rate_limited <= 2),
    ]


# -- hardening: fuzz, faults, kills, scale ---------------------------------------------


def load_hardening(name: str) -> ModuleType:
    """A helper module of tests/hardening (not a package), loaded by path."""
    module_name = f"trakt_plan_hardening_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, HARDENING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


# The client's pace between writes in the hardening sections; the emulator allows twice that.
FAST_WRITES = 0.01


@dataclass
class Ended:
    exit_code: int
    stderr: str
    wall: float
    peak_mb: float | None


class Cli:
    """trakt-plan in a background process through the hardening launcher."""

    def __init__(self, args: list[str], env: dict[str, str], work: Path) -> None:
        work.mkdir(parents=True, exist_ok=True)
        stamp = time.monotonic_ns()
        self.err_path = work / f"stderr-{stamp}.txt"
        self.peak_path = work / f"peak-{stamp}.txt"
        self.sampled: float | None = None
        self.started = time.perf_counter()
        with self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(HARDENING / "launch_cli.py"), *args],
                env={
                    **env,
                    "HARDENING_WRITE_INTERVAL": str(FAST_WRITES),
                    "HARDENING_PEAK_FILE": str(self.peak_path),
                },
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                cwd=ROOT,
            )

    def kill(self) -> None:
        """SIGKILL it, noting its peak memory first (a killed process cannot report it)."""
        launcher = load_hardening("launch_cli")
        try:
            self.sampled = launcher.peak_rss_kib(self.process.pid) / 1024
        except (OSError, RuntimeError):
            self.sampled = None
        self.process.send_signal(signal.SIGKILL)

    def wait(self, timeout: float = 300) -> Ended:
        code = self.process.wait(timeout=timeout)
        peak = int(self.peak_path.read_text()) / 1024 if self.peak_path.exists() else self.sampled
        return Ended(
            code,
            self.err_path.read_text(errors="replace"),
            time.perf_counter() - self.started,
            peak,
        )


def history_ids(server: SandboxServer) -> set[int]:
    with server.state.lock:
        return set(server.state.user().by_id)


def journal_records(journal: Path) -> list[dict[str, Any]]:
    """The complete records of a journal (a torn last line is left out)."""
    if not journal.exists():
        return []
    return [json.loads(line) for line in journal.read_bytes().split(b"\n")[:-1]]


def wait_for_records(journal: Path, count: int, *, kind: str | None = None) -> None:
    """Poll until the journal holds ``count`` records (of ``kind``, if given)."""
    deadline = time.monotonic() + 120
    while sum(kind in (None, r["type"]) for r in journal_records(journal)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark timed out waiting for {count} records in {journal}")
        time.sleep(0.005)


def bulk_state(plays: int) -> SandboxState:
    """The demo account plus ``plays`` plays of Agents of S.H.I.E.L.D. stamped in one second."""
    episodes = [
        139_400_000 + season * 100 + number
        for season, size in ((1, 22), (2, 22), (3, 22), (4, 22), (5, 22), (6, 13), (7, 13))
        for number in range(1, size + 1)
    ]
    state = demo_state()
    state.add_plays(
        state.default_user,
        [
            {
                "type": "episode",
                "trakt_id": episodes[index % len(episodes)],
                "watched_at": "2025-11-21T03:00:00.000Z",
                "action": "watch",
            }
            for index in range(plays)
        ],
    )
    return state


BULK_YAML = """\
version: 1
rules:
  - name: bulk
    show: 1394
    drop:
      watched_from: 2025-11-21
      same_timestamp: 10
"""


def plan_bulk(server: SandboxServer, env: dict[str, str], work: Path) -> tuple[Path, set[int]]:
    """`trakt-plan plan -o` of BULK_YAML; the saved plan and its history ids."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "bulk.yaml"
    source.write_text(BULK_YAML)
    saved = work / "bulk.plan.json"
    ended = Cli(["plan", str(source), "-o", str(saved)], env, work).wait()
    if ended.exit_code != 0:
        raise SystemExit(f"trakt-plan plan failed:\n{ended.stderr}")
    return saved, {int(d["history_id"]) for d in json.loads(saved.read_text())["deletions"]}


def bench_fuzz(work: Path) -> list[Figure]:
    """The plan loader against the hardening fuzzer's campaigns (the same cases as CI)."""
    fuzzing = load_hardening("fuzzing")
    tally = fuzzing.Tally()
    broken: list[str] = []
    started = time.perf_counter()
    campaigns = [
        (f"{kind}:{plan.name}", strategy(plan.read_bytes()), work / "fuzz" / plan.name, count)
        for plan in fuzzing.EXAMPLE_PLANS
        for kind, strategy, count in (
            ("bytes", fuzzing.byte_mutations, fuzzing.BYTE_CASES_PER_PLAN),
            ("lines", fuzzing.line_mutations, fuzzing.LINE_CASES_PER_PLAN),
        )
    ]
    campaigns.append(
        (
            "generated",
            fuzzing.generated_plans(),
            work / "fuzz" / "generated.yaml",
            fuzzing.GENERATED_CASES,
        )
    )
    (work / "fuzz").mkdir(parents=True, exist_ok=True)
    with fuzzing.no_network() as attempts:
        for name, strategy, path, count in campaigns:
            try:
                tally.add(fuzzing.run_campaign(name, strategy, path, count))
            except Exception as exc:  # the contract broke: hypothesis re-raises the shrunk case
                broken.append(f"{name}: {type(exc).__name__}")
    wall = time.perf_counter() - started
    return [
        Figure(
            "fuzz: plan files loaded",
            f"{tally.cases:,}",
            ">= 3,000",
            "byte and line mutations of every plans/*.yaml, generated plans",
            tally.cases >= 3000,
        ),
        Figure(
            "fuzz: outcomes valid / located error",
            f"{tally.valid:,} / {tally.errors:,}",
            "-",
            "",
            True,
        ),
        Figure(
            "fuzz: tracebacks, unlocated or multi-line errors",
            str(len(broken)),
            "0",
            "; ".join(broken) or "every error is `<path>:<line>:<col>: <one line>`",
            not broken,
        ),
        Figure("fuzz: connections attempted", str(len(attempts)), "0", "", not attempts),
        Figure(
            "fuzz: slowest case",
            f"{tally.slowest * 1000:.0f} ms",
            "< 2,000 ms",
            f"{wall:.1f} s for all cases",
            tally.slowest < 2.0,
        ),
    ]


def bench_faults(work: Path) -> list[Figure]:
    """~500 deletions while 20% of calls fail, 20% of answers are dropped, 20% are 429s."""
    state = bulk_state(500)
    knobs = Knobs(write_interval=FAST_WRITES / 2, storm_retry_after=0.05, seed=11)
    with SandboxServer(state, knobs=knobs) as server:
        env = cli_env(server, work / "config-faults")
        saved, planned = plan_bulk(server, env, work / "faults")
        before = history_ids(server)
        server.stats.reset()
        knobs.error_rate = knobs.drop_rate = knobs.storm_rate = 0.2
        started = time.perf_counter()
        runs, code = 0, 1
        # A run that outlasts its retries stops with a message; the user runs it again.
        while code != 0 and runs < 5:
            runs += 1
            ended = Cli(["apply", str(saved), "--yes", "--batch-size", "25"], env, work).wait()
            code = ended.exit_code
        wall = time.perf_counter() - started
        statuses = server.stats.status_counts
        exact = code == 0 and history_ids(server) == before - planned
    errors = sum(n for status, n in statuses.items() if status >= 500)
    return [
        Figure(
            f"faults: apply {len(planned)} deletions, 20% errors/drops/429s",
            f"{wall:.1f} s, {runs} run{'s' if runs > 1 else ''}",
            "-",
            f"{server.stats.faults} faults injected: {errors} 5xx, {statuses[0]} dropped "
            f"answers, {statuses[429]} 429s",
            server.stats.faults > 0,
        ),
        Figure(
            "faults: end state exact",
            "yes" if exact else "NO",
            "yes",
            "the planned plays removed, nothing else",
            exact,
        ),
    ]


KILL_TRIALS = 12


def bench_kills(work: Path) -> list[Figure]:
    """kill -9 an apply at points spread from start-up to the last batch, then resume."""
    rng = random.Random(5)
    exact = 0
    # 22 records in all: a header, 10 intents, 10 results and the complete record. Trial i
    # kills once the journal holds about i * 20 / (N - 1) of them (0: still starting up).
    kill_points = [round(trial * 20 / (KILL_TRIALS - 1)) for trial in range(KILL_TRIALS)]
    points: list[str] = []
    started = time.perf_counter()
    for trial in range(KILL_TRIALS):
        with SandboxServer(bulk_state(100), knobs=Knobs(write_interval=FAST_WRITES / 2)) as server:
            env = cli_env(server, work / f"config-kill-{trial}")
            directory = work / f"kill-{trial}"
            saved, planned = plan_bulk(server, env, directory)
            before = history_ids(server)
            journal = saved.with_name(saved.name + ".journal")
            args = ["apply", str(saved), "--yes", "--batch-size", "10"]
            at = kill_points[trial]
            apply = Cli(args, env, directory)
            if at == 0:
                time.sleep(rng.uniform(0.2, 0.8))
            else:
                wait_for_records(journal, at)
            apply.kill()
            apply.wait()
            points.append(str(len(journal_records(journal))))
            resumed = Cli(args, env, directory).wait()
            complete = journal_records(journal)[-1]
            if (
                resumed.exit_code == 0
                and history_ids(server) == before - planned
                and complete.get("removed") == len(planned)
            ):
                exact += 1
    wall = time.perf_counter() - started
    return [
        Figure(
            "kills: kill -9 during apply, then resume",
            f"{exact}/{KILL_TRIALS} exact",
            f"{KILL_TRIALS}/{KILL_TRIALS}",
            "an uninterrupted apply's end state; records in the journal after each kill: "
            + ", ".join(points)
            + f" ({wall:.0f} s)",
            exact == KILL_TRIALS,
        )
    ]


def bench_scale(work: Path) -> list[Figure]:
    """100,000 plays: plan all, apply ~3,000 deletions, kill -9 after 5 batches, resume."""
    plays = 100_000
    state = generate_state(plays, seed=2026, bulk_marks=200)
    source = work / "scale.yaml"
    source.write_text(BULK_PLAN)
    saved = work / "scale.plan.json"
    journal = saved.with_name(saved.name + ".journal")
    knobs = Knobs(write_interval=FAST_WRITES / 2, get_limit=None)
    with SandboxServer(state, knobs=knobs) as server:
        env = cli_env(server, work / "config-scale")
        before = history_ids(server)
        plan = Cli(["plan", str(source), "-o", str(saved)], env, work / "scale").wait()
        if plan.exit_code != 0:
            raise SystemExit(f"trakt-plan plan failed:\n{plan.stderr}")
        planned = {int(d["history_id"]) for d in json.loads(saved.read_text())["deletions"]}
        args = ["apply", str(saved), "--yes", "--batch-size", "100", "--allow-mass-delete"]
        first = Cli(args, env, work / "scale")
        wait_for_records(journal, 5, kind="result")
        first.kill()
        killed = first.wait()
        resumed = Cli(args, env, work / "scale").wait()
        exact = resumed.exit_code == 0 and history_ids(server) == before - planned

    def mb(value: float | None) -> str:
        return f"{value:.0f} MB" if value is not None else "?"

    peaks = [plan.peak_mb, killed.peak_mb, resumed.peak_mb]
    return [
        Figure(
            "scale: plan 100k plays (wall)",
            f"{plan.wall:.1f} s",
            "-",
            f"{len(planned):,} deletions found",
            plan.exit_code == 0,
        ),
        Figure(
            "scale: plan peak memory",
            mb(plan.peak_mb),
            "<= 400 MB",
            "VmHWM of the CLI process",
            plan.peak_mb is not None and plan.peak_mb <= 400,
        ),
        Figure(
            f"scale: apply {len(planned):,} deletions, kill -9 after 5 batches, resume",
            f"{killed.wall + resumed.wall:.1f} s",
            "-",
            f"pace {FAST_WRITES} s; the resume re-reads the 100k history (it changed)",
            True,
        ),
        Figure(
            "scale: apply peak memory (killed run / resume)",
            f"{mb(killed.peak_mb)} / {mb(resumed.peak_mb)}",
            "<= 400 MB",
            "VmHWM of the CLI process",
            all(p is not None and p <= 400 for p in peaks[1:]),
        ),
        Figure(
            "scale: end state exact",
            "yes" if exact else "NO",
            "yes",
            "100k plays minus exactly the planned ids",
            exact,
        ),
    ]


def bench_catalogue(work: Path) -> list[Figure]:
    from catalogue import bench_catalogue as measure

    figures: list[Figure] = measure(work, figure=Figure, cli_env=cli_env, run_cli=run_cli)
    return figures


SECTIONS: dict[str, Callable[[Path], list[Figure]]] = {
    "plan": bench_plan,
    "catalogue": bench_catalogue,
    "apply": bench_apply,
    "reads": bench_reads,
    "pacing": bench_pacing,
    "fuzz": bench_fuzz,
    "faults": bench_faults,
    "kills": bench_kills,
    "scale": bench_scale,
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
    table = render(figures)
    print(table)
    RESULTS.write_text(
        f"# trakt-plan benchmark results\n\ntrakt-plan {__version__}, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs; sections: {', '.join(chosen)}.\n\n"
        + table
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
