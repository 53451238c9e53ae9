"""guard and the catalogue: runtimes read once, then from the disk cache, again on request."""

from __future__ import annotations

import json
import shutil

from tests.support import REPO

NIGHTS = ("2026-12-01T04:00:00Z", "2026-12-02T04:00:00Z", "2026-12-03T04:00:00Z")


def catalogue_requests(server) -> list[str]:
    """The emulator's catalogue reads so far (the ``extended=full`` ones)."""
    return [target for _, target, _ in server.stats.log if "extended=full" in target]


def saved_deletions(guard, night: str) -> list[int]:
    stamp = night.replace("-", "").replace(":", "")
    saved = guard.plans / f"back-to-back-marks.{stamp}.plan.json"
    return [d["history_id"] for d in json.loads(saved.read_text())["deletions"]]


def test_a_nightly_guard_reads_runtimes_once_and_again_with_refresh_catalog(guard, server):
    """Night 1 reads the shows' seasons; night 2 reads none; --refresh-catalog reads them again."""
    shutil.copy(REPO / "plans" / "back-to-back-marks.yaml", guard.plans)
    spec = str(guard.plans / "back-to-back-marks.yaml")

    first = guard("guard", spec, "--now", NIGHTS[0])
    after_first = catalogue_requests(server)
    second = guard("guard", spec, "--now", NIGHTS[1])
    after_second = catalogue_requests(server)
    refreshed = guard("guard", spec, "--now", NIGHTS[2], "--refresh-catalog")

    assert (first.exit_code, second.exit_code, refreshed.exit_code) == (2, 2, 2), first.stderr
    assert "/shows/1394/seasons?extended=full%2Cepisodes" in after_first
    assert after_second == after_first
    assert sorted(catalogue_requests(server)) == sorted(after_first * 2)
    chain = list(range(10000000253, 10000000266))
    assert [sorted(saved_deletions(guard, night)) for night in NIGHTS] == [chain] * 3
