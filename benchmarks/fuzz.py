"""Section ``fuzz``: the plan loader against the hardening fuzzer's campaigns.

It runs the hardening tests' own fuzzer (tests/hardening/fuzzing.py, so it needs hypothesis
from the test extra).
"""

from __future__ import annotations

import time
from pathlib import Path

from common import Figure
from hardening import load_hardening


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
