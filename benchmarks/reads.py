"""Section ``reads``: a plan over 40,000 plays at a real API's 150 ms a page."""

from __future__ import annotations

from pathlib import Path

from common import Figure
from plan import read_figures, timed_plan


def bench_reads(work: Path) -> list[Figure]:
    """A plan over 40,000 plays at a real API's 150 ms a page, against a sequential fetch."""
    wall, _, seq_wall = timed_plan(work, 40_000, 0.150)
    return read_figures("40k plays, 150 ms a page", wall, seq_wall, 0.2)
