"""A nightly guard with a moving window: `7d ago` resolved at --now and kept in the saved plan."""

from __future__ import annotations

import json
from pathlib import Path

GUARD = Path(__file__).resolve().parents[2] / "plans" / "jellyfin-guard.yaml"
# The one-second bulk mark of Agents of S.H.I.E.L.D. and the decoy show marked with it.
BULK_IDS = [*range(10000000000, 10000000022), *range(10000000028, 10000000032)]


def test_the_guard_resolves_its_week_at_now_and_saves_text_and_instant(cli):
    """Planned three days after the bulk mark, the past week holds it; the plan says which week."""
    run = cli("--sandbox", "plan", str(GUARD), "--now", "2025-11-20T00:00:00Z", "--json")
    assert run.exit_code == 0, run.stderr
    saved = json.loads(run.stdout)
    window = saved["spec"]["plan"]["rules"][0]["watched_from"]
    assert window == {"relative": "7d ago", "at": "2025-11-13"}
    chosen = {d["history_id"] for d in saved["deletions"] if "bulk-same-second" in d["reasons"]}
    assert set(BULK_IDS) == chosen


def test_a_week_after_the_window_the_guard_finds_nothing(cli):
    """Planned a year later, the past week holds no play of the demo account."""
    run = cli("--sandbox", "plan", str(GUARD), "--now", "2026-12-01T04:00:00Z", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["deletions"] == []


def test_a_now_without_a_zone_is_refused(cli):
    """`--now 2026-12-01T04:00` is ambiguous: exit 1 with a message, nothing planned."""
    run = cli("--sandbox", "plan", str(GUARD), "--now", "2026-12-01T04:00")
    assert (run.exit_code, run.stdout) == (1, "")
    assert "--now '2026-12-01T04:00' is not an instant with its zone" in run.stderr
