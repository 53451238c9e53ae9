"""Catalogue facts: read once from Trakt, then from the disk cache, and again when stale."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from trakt_plan.catalogcache import (
    CACHE_ENV,
    MAX_AGE,
    CatalogueCache,
    EpisodeEntry,
    ShowEntry,
    default_directory,
)
from trakt_plan.catalogfetch import CatalogueNeeds, PendingCatalogue
from trakt_plan.trakt.models import (
    CatalogEpisode,
    CatalogMovie,
    CatalogSeason,
    CatalogShow,
    HistoryItem,
)

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
AIRED = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


class CountingTrakt:
    """Answers catalogue reads for show 1394 and movie 12601, counting calls."""

    def __init__(self, episodes: int = 2) -> None:
        self.calls: list[str] = []
        self.episodes = episodes

    def show_seasons(self, ref: str | int) -> list[CatalogSeason]:
        self.calls.append(f"seasons {ref}")
        episodes = [
            CatalogEpisode(
                season=1,
                number=n,
                ids={"trakt": 100 + n},
                # Episode 2's runtime is unknown: the show's applies, so the show is read too.
                runtime=None if n == 2 else 42,
                first_aired=AIRED + timedelta(weeks=n),
            )
            for n in range(1, self.episodes + 1)
        ]
        return [CatalogSeason(number=1, episodes=episodes)]

    def show_details(self, ref: str | int) -> CatalogShow:
        self.calls.append(f"show {ref}")
        return CatalogShow(runtime=45)

    def movie_details(self, ref: str | int) -> CatalogMovie:
        self.calls.append(f"movie {ref}")
        return CatalogMovie(runtime=125, released=date(2010, 12, 17))


def play(history_id: int, episode_id: int) -> HistoryItem:
    return HistoryItem.model_validate(
        {
            "id": history_id,
            "watched_at": "2026-06-01T20:00:00.000Z",
            "action": "watch",
            "type": "episode",
            "show": {"title": "AoS", "ids": {"trakt": 1394}},
            "episode": {"season": 1, "number": 1, "ids": {"trakt": episode_id}},
        }
    )


def read(trakt, cache, *, refresh=False, history=()):
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = PendingCatalogue(trakt, cache, pool, refresh=refresh)
        pending.start(CatalogueNeeds(frozenset({1394}), frozenset({12601})))
        return pending.collect(list(history), ())


def test_a_second_plan_reads_no_catalogue(tmp_path):
    """The first read asks Trakt three times; the second, from the cache, not once."""
    trakt = CountingTrakt()
    cache = CatalogueCache(tmp_path, now=NOW)

    first = read(trakt, cache)
    asked = sorted(trakt.calls)
    second = read(trakt, CatalogueCache(tmp_path, now=NOW + timedelta(hours=1)))

    assert asked == ["movie 12601", "seasons 1394", "show 1394"]
    assert sorted(trakt.calls) == asked
    assert (first.fetched, second.fetched) == (2, 0)
    catalogue = second.catalogue()
    assert catalogue.episode_runtime(101, 1394) == timedelta(minutes=42)
    assert catalogue.episode_runtime(102, 1394) == timedelta(minutes=45)
    assert catalogue.episode_release(102) == AIRED + timedelta(weeks=2)
    assert catalogue.movie_release(12601) == datetime(2010, 12, 17, tzinfo=UTC)


def test_refresh_and_age_read_the_catalogue_again(tmp_path):
    """--refresh-catalog ignores the cache; facts older than MAX_AGE are read again too."""
    trakt = CountingTrakt()
    read(trakt, CatalogueCache(tmp_path, now=NOW))

    refreshed = read(trakt, CatalogueCache(tmp_path, now=NOW), refresh=True)
    aged = read(trakt, CatalogueCache(tmp_path, now=NOW + MAX_AGE + timedelta(days=1)))

    assert (refreshed.fetched, aged.fetched) == (2, 2)


def test_an_episode_aired_since_the_cache_reads_its_show_again(tmp_path):
    """A play of an episode the cached show lacks sends one more seasons read."""
    read(CountingTrakt(episodes=2), CatalogueCache(tmp_path, now=NOW))
    trakt = CountingTrakt(episodes=3)

    reads = read(trakt, CatalogueCache(tmp_path, now=NOW), history=[play(1, 103)])

    assert sorted(trakt.calls) == ["seasons 1394", "show 1394"]
    assert sorted(reads.shows[1394].episodes) == [101, 102, 103]


def test_an_unreadable_cache_file_is_read_again_from_trakt(tmp_path):
    """A damaged cache file costs a request, never the plan."""
    cache = CatalogueCache(tmp_path, now=NOW)
    cache.save_show(1394, ShowEntry(45, {101: EpisodeEntry(1, 1, 42, None)}))
    (tmp_path / "shows" / "1394.json").write_text("{not json")

    assert cache.show(1394) is None


def test_the_cache_directory_follows_the_environment(tmp_path, monkeypatch):
    """TRAKT_PLAN_CACHE_DIR moves the cache (tests and CI keep theirs apart)."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))

    assert default_directory() == tmp_path / "cache"
