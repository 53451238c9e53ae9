""" "Next up" after apply: past a season's finale to the next premiere, read once, never guessed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Run, invoke
from tests.support.sandbox import account_env, issue_token, sandboxes
from trakt_plan.catalogcache import CatalogueCache, EpisodeEntry, ShowEntry
from trakt_plan.catalogfetch import season_ends
from trakt_plan.errors import NetworkError
from trakt_plan.sandbox import SandboxServer
from trakt_plan.trakt.models import CatalogMovie, CatalogSeason, CatalogShow, HistoryItem

# The demo account watched Agents of S.H.I.E.L.D. for real up to S03E16: keep it to the end
# of season 2 (22 episodes), so the last play kept is that season's finale.
UP_TO_S02 = """\
version: 1
rules:
  - {name: after-s02, show: 1394, drop: {after: S02E22}}
"""
SEASONS = "/shows/1394/seasons?extended=full%2Cepisodes"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A fresh emulator with the demo account."""
    with sandboxes(write_interval=0.05) as started:
        yield started.start()


def catalogue_reads(server: SandboxServer) -> list[str]:
    """The emulator's catalogue reads so far (the ``extended=full`` ones)."""
    return [target for _, target, _ in server.stats.log if "extended=full" in target]


def plan_json(server: SandboxServer, plan: Path, *more: str) -> Run:
    """`plan PLAN --json` against ``server``'s demo account, logged in as a script is."""
    return invoke("plan", str(plan), "--json", *more, env=account_env(server, issue_token(server)))


def progress_of(run: Run) -> tuple[str, str | None, bool]:
    """Agents of S.H.I.E.L.D. after apply, as the saved plan records it: last, next, known."""
    assert run.exit_code == 0, run.stderr
    state = json.loads(run.stdout)["summary"]["progress"]["1394"]
    return state["last"], state["next"], state["next_known"]


def test_after_a_finale_next_up_is_the_next_premiere_read_once_then_cached(server, tmp_path):
    """Cold cache: one seasons read says S02E22 ends season 2; the second plan reads nothing."""
    plan = tmp_path / "up-to-s02.yaml"
    plan.write_text(UP_TO_S02)

    first = plan_json(server, plan)
    after_first = catalogue_reads(server)
    second = plan_json(server, plan)

    assert progress_of(first) == ("S02E22", "S03E01", True)
    assert after_first == [SEASONS]
    assert progress_of(second) == ("S02E22", "S03E01", True)
    assert catalogue_reads(server) == [SEASONS]


def test_refresh_catalog_reads_the_seasons_again(server, tmp_path):
    """--refresh-catalog bypasses the cached seasons: a second read, the same next up."""
    plan = tmp_path / "up-to-s02.yaml"
    plan.write_text(UP_TO_S02)

    plan_json(server, plan)
    refreshed = plan_json(server, plan, "--refresh-catalog")

    assert progress_of(refreshed) == ("S02E22", "S03E01", True)
    assert catalogue_reads(server) == [SEASONS, SEASONS]


def test_offline_without_an_app_next_up_is_said_to_be_unknown(tmp_path):
    """A snapshot, a cold cache and no Trakt app: no request, and no guessed S02E23."""
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(invoke("--sandbox", "history", "1394", "--json").stdout)
    plan = tmp_path / "up-to-s02.yaml"
    plan.write_text(UP_TO_S02)

    saved = invoke("plan", str(plan), "--snapshot", str(snapshot), "--json")
    text = invoke("plan", str(plan), "--snapshot", str(snapshot))

    assert progress_of(saved) == ("S02E22", None, False)
    assert "after apply: last S02E22, next unknown (season lengths not read)" in text.stdout


class FailingCatalogue:
    """A catalogue client whose every read fails as an unreachable Trakt does."""

    def __init__(self) -> None:
        self.reads = 0

    def show_seasons(self, ref: str | int) -> list[CatalogSeason]:
        self.reads += 1
        raise NetworkError("Trakt did not answer")

    def show_details(self, ref: str | int) -> CatalogShow:
        raise NetworkError("Trakt did not answer")

    def movie_details(self, ref: str | int) -> CatalogMovie:
        raise NetworkError("Trakt did not answer")


def aos_play(season: int, number: int) -> HistoryItem:
    """A play of an Agents of S.H.I.E.L.D. episode whose trakt id is 100 * season + number."""
    return HistoryItem.model_validate(
        {
            "id": 100 * season + number,
            "watched_at": "2026-01-01T20:00:00.000Z",
            "action": "scrobble",
            "type": "episode",
            "show": {"ids": {"trakt": 1394}},
            "episode": {
                "season": season,
                "number": number,
                "ids": {"trakt": 100 * season + number},
            },
        }
    )


def cached_seasons(*seasons: int) -> ShowEntry:
    """Agents of S.H.I.E.L.D. as the cache holds it: ``seasons`` of 22 episodes each."""
    episodes = {100 * s + n: EpisodeEntry(s, n, 45, None) for s in seasons for n in range(1, 23)}
    return ShowEntry(45, episodes)


def test_a_cache_that_knows_every_played_episode_is_used_without_a_read():
    """The cached seasons hold S02E22: no read, season 2 ends at 22."""
    CatalogueCache().save_show(1394, cached_seasons(1, 2, 3))
    client = FailingCatalogue()

    ends = season_ends([1394], [aos_play(2, 22)], reads=None, opener=lambda: client)

    assert (ends[1394][2], client.reads) == (22, 0)


def test_an_out_of_date_cache_is_read_again_and_kept_when_trakt_fails():
    """S03E01 was played after the cache was written: read again; Trakt fails, the cache stays."""
    CatalogueCache().save_show(1394, cached_seasons(1, 2))
    client = FailingCatalogue()

    ends = season_ends([1394], [aos_play(3, 1)], reads=None, opener=lambda: client)

    assert (ends, client.reads) == ({1394: {1: 22, 2: 22}}, 1)


def test_a_failed_read_with_nothing_cached_leaves_the_show_out():
    """Nothing cached and Trakt fails: the show has no known ends, and the plan goes on."""
    client = FailingCatalogue()

    assert season_ends([1394], [aos_play(2, 22)], reads=None, opener=lambda: client) == {}
    assert client.reads == 1
