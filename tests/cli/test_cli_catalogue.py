"""Runtimes and air dates: read for the shows that need them, once, then from the disk cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trakt_plan.catalogcache import CatalogueCache, EpisodeEntry, ShowEntry
from trakt_plan.sandbox import SandboxServer

NOW = "2026-12-01T04:00:00Z"


def catalogue_requests(server) -> list[str]:
    """The emulator's catalogue reads so far (the ``extended=full`` ones)."""
    return [target for _, target, _ in server.stats.log if "extended=full" in target]


def test_a_second_doctor_reads_no_catalogue_and_refresh_reads_it_again(account_cli, server):
    """The first run reads the shows with marks; the second nothing; --refresh-catalog again."""
    first = account_cli("doctor", "--json", "--now", NOW)
    after_first = catalogue_requests(server)
    second = account_cli("doctor", "--json", "--now", NOW)
    after_second = catalogue_requests(server)
    refreshed = account_cli("doctor", "--json", "--now", NOW, "--refresh-catalog")

    assert (first.exit_code, second.exit_code, refreshed.exit_code) == (0, 0, 0), first.stderr
    assert after_first
    assert "/shows/1394/seasons?extended=full%2Cepisodes" in after_first
    assert after_second == after_first
    assert len(catalogue_requests(server)) == 2 * len(after_first)
    assert json.loads(second.stdout)["findings"] == json.loads(first.stdout)["findings"]


def episode_id(code: tuple[int, int]) -> int:
    return 9000 + 100 * code[0] + code[1]


def aos_play(history_id: int, code: tuple[int, int], at: str, action: str) -> dict:
    season, number = code
    return {
        "id": history_id,
        "watched_at": at,
        "action": action,
        "type": "episode",
        "show": {"title": "Marvel's Agents of S.H.I.E.L.D.", "year": 2013, "ids": {"trakt": 1394}},
        "episode": {
            "season": season,
            "number": number,
            "ids": {"trakt": 9000 + 100 * season + number},
        },
    }


def test_next_up_after_a_finale_is_the_next_seasons_premiere_when_the_cache_knows(cli, tmp_path):
    """With AoS's seasons cached, removing a bulk mark after S03E22 leaves S04E01 next up."""
    cache = CatalogueCache()
    episodes = {
        9000 + 100 * s + n: EpisodeEntry(s, n, 45, None) for s in (3, 4) for n in range(1, 23)
    }
    cache.save_show(1394, ShowEntry(45, episodes))
    rows = [aos_play(1, (3, 22), "2026-01-01T20:00:00.000Z", "scrobble")]
    rows += [aos_play(10 + n, (5, n), "2026-02-01T20:00:00.000Z", "watch") for n in (1, 2, 3)]
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(rows))
    plan = tmp_path / "bulk.yaml"
    plan.write_text("version: 1\nrules:\n  - {name: b, show: 1394, drop: {same_timestamp: 3}}\n")

    run = cli("plan", str(plan), "--snapshot", str(snapshot), "--json")

    assert run.exit_code == 0, run.stderr
    progress = json.loads(run.stdout)["summary"]["progress"]["1394"]
    assert (progress["last"], progress["next"]) == ("S03E22", "S04E01")


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandboxes_started(monkeypatch) -> list[SandboxServer]:
    """The emulators `--sandbox` starts, one per command, so a test can read their logs."""
    from trakt_plan.sandbox import runner

    started: list[SandboxServer] = []
    real = runner.open_sandbox

    def recording(*args, **kwargs) -> SandboxServer:
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(runner, "open_sandbox", recording)
    return started


def test_the_example_plans_find_the_demo_marks_and_a_second_plan_reads_no_catalogue(
    cli, sandboxes_started
):
    """The runtime and release examples find Severance's 13 and Abbott's 4 marks, once."""
    examples = [
        REPO / "plans" / name for name in ("back-to-back-marks.yaml", "release-date-marks.yaml")
    ]

    first = [cli("--sandbox", "plan", str(path), "--json") for path in examples]
    second = [cli("--sandbox", "plan", str(path), "--json") for path in examples]

    assert [run.exit_code for run in first + second] == [0, 0, 0, 0], first[0].stderr
    chain, release = (json.loads(run.stdout)["deletions"] for run in first)
    assert list(range(10000000253, 10000000266)) == sorted(d["history_id"] for d in chain)
    assert {"Severance"} == {d["show"]["title"] for d in chain}
    assert list(range(10000000275, 10000000279)) == sorted(d["history_id"] for d in release)
    assert {"Abbott Elementary"} == {d["show"]["title"] for d in release}
    assert [json.loads(run.stdout)["deletions"] for run in second] == [chain, release]
    assert len(sandboxes_started) == 4
    assert [t for s in sandboxes_started[2:] for t in catalogue_requests(s)] == []
    assert [t for s in sandboxes_started[:2] for t in catalogue_requests(s)] != []


CHAINS = """\
version: 1
rules:
  - name: back-to-back
    show: 1394
    drop: {runtime_chain: 3, action: watch}
"""


def test_a_second_plan_reads_no_catalogue_and_refresh_reads_it_again(account_cli, server, tmp_path):
    """The first plan reads AoS's seasons; the second nothing; --refresh-catalog reads again."""
    plan = tmp_path / "chains.yaml"
    plan.write_text(CHAINS)

    first = account_cli("plan", str(plan), "--json")
    after_first = catalogue_requests(server)
    second = account_cli("plan", str(plan), "--json")
    after_second = catalogue_requests(server)
    refreshed = account_cli("plan", str(plan), "--json", "--refresh-catalog")

    assert (first.exit_code, second.exit_code, refreshed.exit_code) == (0, 0, 0), first.stderr
    assert after_first == ["/shows/1394/seasons?extended=full%2Cepisodes"]
    assert after_second == after_first
    assert len(catalogue_requests(server)) == 2
    assert json.loads(second.stdout)["deletions"] == json.loads(first.stdout)["deletions"]


def test_a_plan_without_runtime_conditions_reads_only_the_seasons_next_up_needs(
    account_cli, server, tmp_path
):
    """A same_timestamp plan asks for no runtime; only, once, the seasons of the shows that
    lose plays, so "next up" never points past a season's last episode."""
    plan = tmp_path / "bulk.yaml"
    plan.write_text("version: 1\nrules:\n  - {name: b, history: all, drop: {same_timestamp: 3}}\n")

    first = account_cli("plan", str(plan), "--json")
    after_first = catalogue_requests(server)
    assert account_cli("plan", str(plan), "--json").exit_code == 0

    losing = sorted(json.loads(first.stdout)["summary"]["progress"])
    assert [f"/shows/{show}/seasons?extended=full%2Cepisodes" for show in losing] == sorted(
        after_first
    )
    assert catalogue_requests(server) == after_first


def test_a_snapshot_plan_without_cached_runtimes_names_the_shows(cli, tmp_path):
    """Offline, with no cached runtimes and no API app, the error names the show it needs."""
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(cli("--sandbox", "history", "all", "--json").stdout)
    plan = tmp_path / "chains.yaml"
    plan.write_text(CHAINS)

    run = cli("plan", str(plan), "--snapshot", str(snapshot))

    assert run.exit_code == 1
    assert "need the runtimes and air dates of Marvel's Agents of S.H.I.E.L.D." in run.stderr
    assert "Traceback" not in run.stderr
