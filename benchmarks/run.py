"""trakt-plan's speed, memory and safety figures, each next to what it is measured against.

Run from the repository root (after `pip install -e '.[test]'`):

    python benchmarks/run.py                # everything (several minutes)
    python benchmarks/run.py plan catalogue # only some sections

Each section starts the bundled Trakt emulator on 127.0.0.1 in this process and
runs the real `trakt-plan` command line against it in a subprocess, so wall time
and peak memory are the CLI's own. The output is a Markdown table (figure, value,
target, the comparison) that the README's "Performance and safety" section quotes;
it is also written to benchmarks/results.md (not kept in git).

Sections, one module each in this folder: plan (100k plays at 20 ms a page), catalogue
(what runtime-based rules add: the catalogue reads, first plan and second), apply (speed at
Trakt's real write limit), reads (a plan at a real API's 150 ms a page), pacing (writes
paced by arrival at 0.3 s a write), fuzz (the plan loader against thousands of mutated and
generated plans), faults (an apply through injected errors, dropped answers and 429
storms), kills (kill -9 at points spread over an apply, then resume) and scale (a
100,000-play account end to end); hardening.py holds what the last four share. The
benchmark is not part of the test suite (pytest collects tests/ only).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# One module per section; run as a script, this folder is on sys.path.
from apply import bench_apply
from catalogue import bench_catalogue
from common import ROOT, Figure
from faults import bench_faults
from fuzz import bench_fuzz
from kills import bench_kills
from pacing import bench_pacing
from plan import bench_plan
from reads import bench_reads
from scale import bench_scale

from trakt_plan import __version__

RESULTS = Path(__file__).resolve().with_name("results.md")

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
