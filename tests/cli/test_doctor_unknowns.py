"""doctor says what it could not know: without runtimes it does not claim a clean bill."""

from __future__ import annotations

import json

from trakt_plan.catalogcache import CatalogueCache, EpisodeEntry, ShowEntry
from trakt_plan.sandbox import demo_state

NOW = "2026-12-01T04:00:00Z"
SLOW_HORSES = "161263"


def demo_snapshot(tmp_path):
    """The demo history as `history all --json` saves it."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps(demo_state().history()))
    return path


def test_without_runtimes_no_accident_found_names_only_the_kinds_checked(cli, tmp_path):
    """Slow Horses' double play (17 min apart) needs its runtime: offline, doctor says so."""
    snapshot = demo_snapshot(tmp_path)

    run = cli("doctor", SLOW_HORSES, "--snapshot", str(snapshot), "--now", NOW)

    assert run.exit_code == 0, run.stderr
    assert "No accidents found among the kinds checked: same second, double play, flood." in (
        run.stdout
    )
    assert "Not checked (no catalogue data): runtime_chain, at_release." in run.stdout
    warning = " ".join(run.stderr.split())
    assert "no runtimes or air dates for 1 show or movie" in warning
    assert "double plays are looked for within 10 minutes only" in warning
    assert "7 plays read; 0 findings covering 0 plays." in run.stderr


def test_with_the_runtimes_cached_the_same_snapshot_shows_the_double_play(cli, tmp_path):
    """Once an online doctor has cached the runtimes, offline finds what the warning said."""
    snapshot = demo_snapshot(tmp_path)
    assert cli("--sandbox", "doctor", SLOW_HORSES, "--json", "--now", NOW).exit_code == 0

    run = cli("doctor", SLOW_HORSES, "--snapshot", str(snapshot), "--json", "--now", NOW)

    assert run.exit_code == 0, run.stderr
    report = json.loads(run.stdout)
    assert [(f["kind"], f["history_ids"]) for f in report["findings"]] == [
        ("double_play", [10000000271])
    ]
    assert "runtime_chain" in report["checked"]
    assert run.stderr == "7 plays read; 1 finding covering 1 play.\n"


def aos_mark(history_id: int, number: int) -> dict:
    return {
        "id": history_id,
        "watched_at": f"2026-02-01T20:{number:02d}:00.000Z",
        "action": "watch",
        "type": "episode",
        "show": {"title": "Marvel's Agents of S.H.I.E.L.D.", "year": 2013, "ids": {"trakt": 1394}},
        "episode": {"season": 5, "number": number, "ids": {"trakt": 9500 + number}},
    }


def test_a_show_trakt_lists_no_runtime_for_is_said_to_be_unjudged(cli, tmp_path):
    """Runtimes null for the episodes and the show: doctor warns rather than report it clean."""
    episodes = {9500 + n: EpisodeEntry(5, n, None, None) for n in range(1, 6)}
    CatalogueCache().save_show(1394, ShowEntry(None, episodes))
    snapshot = tmp_path / "history.json"
    snapshot.write_text(json.dumps([aos_mark(n, n) for n in range(1, 6)]))

    run = cli("doctor", "--snapshot", str(snapshot), "--now", NOW)

    assert run.exit_code == 0, run.stderr
    assert "Trakt lists no runtime for some plays of 1 show or movie" in " ".join(
        run.stderr.split()
    )


def test_a_starter_plan_from_a_snapshot_names_the_file_once(cli, tmp_path):
    """The starter's header says where its plays came from, not "snapshot on snapshot"."""
    snapshot = demo_snapshot(tmp_path)
    starter = tmp_path / "starter.yaml"

    run = cli("doctor", "--snapshot", str(snapshot), "--now", NOW, "-o", str(starter))

    assert run.exit_code == 0, run.stderr
    header = " ".join(line.lstrip("# ") for line in starter.read_text().splitlines()[:3])
    assert "from snapshot history.json: 548 plays" in header


def test_the_median_day_is_said_to_come_from_the_whole_history(cli, tmp_path):
    """AoS has no play in the last 90 days: the median shown is the whole history's."""
    snapshot = demo_snapshot(tmp_path)

    run = cli("doctor", "1394", "--snapshot", str(snapshot), "--now", NOW)

    assert run.exit_code == 0, run.stderr
    assert (
        "Plays per day, last 90 days (0 with plays; the median day with plays, over the whole "
        "history read, has 1)"
    ) in " ".join(run.stdout.split())
