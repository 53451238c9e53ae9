"""Catalogue facts: read once from Trakt, then from the disk cache, and again when stale."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from tests.support.catalog import AOS, episode_id, episode_play
from tests.support.fakes import FakeTrakt
from trakt_plan.catalogcache import (
    CACHE_ENV,
    MAX_AGE,
    CatalogueCache,
    EpisodeEntry,
    ShowEntry,
    default_directory,
)
from trakt_plan.catalogfetch import CatalogueNeeds, PendingCatalogue
from trakt_plan.trakt.models import CatalogEpisode, CatalogMovie, CatalogShow

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
AIRED = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


# The three episodes of season 1 the tests play or air.
E1, E2, E3 = (episode_id(AOS, f"S01E0{n}") for n in (1, 2, 3))


def aired(episodes: int = 2) -> FakeTrakt:
    """An account whose catalogue has ``episodes`` episodes of AoS's first season, and TRON."""
    trakt = FakeTrakt()
    for n in range(1, episodes + 1):
        episode = CatalogEpisode(
            season=1,
            number=n,
            ids={"trakt": episode_id(AOS, f"S01E0{n}")},
            # Episode 2's runtime is unknown: the show's applies, so the show is read too.
            runtime=None if n == 2 else 42,
            first_aired=AIRED + timedelta(weeks=n),
        )
        trakt.air(AOS, episode)
    trakt.show_facts[1394] = CatalogShow(runtime=45)
    trakt.movie_facts[12601] = CatalogMovie(runtime=125, released=date(2010, 12, 17))
    return trakt


def read(trakt, cache, *, refresh=False, history=()):
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = PendingCatalogue(trakt, cache, pool, refresh=refresh)
        pending.start(CatalogueNeeds(frozenset({1394}), frozenset({12601})))
        return pending.collect(list(history), ())


def test_a_second_plan_reads_no_catalogue(tmp_path):
    """The first read asks Trakt three times; the second, from the cache, not once."""
    trakt = aired()
    cache = CatalogueCache(tmp_path, now=NOW)

    first = read(trakt, cache)
    asked = sorted(trakt.calls)
    second = read(trakt, CatalogueCache(tmp_path, now=NOW + timedelta(hours=1)))

    assert asked == [("movie_details", 12601), ("show_details", 1394), ("show_seasons", 1394)]
    assert sorted(trakt.calls) == asked
    assert (first.fetched, second.fetched) == (2, 0)
    catalogue = second.catalogue()
    assert catalogue.episode_runtime(E1, 1394) == timedelta(minutes=42)
    assert catalogue.episode_runtime(E2, 1394) == timedelta(minutes=45)
    assert catalogue.episode_release(E2) == AIRED + timedelta(weeks=2)
    assert catalogue.movie_release(12601) == datetime(2010, 12, 17, tzinfo=UTC)


def test_refresh_and_age_read_the_catalogue_again(tmp_path):
    """--refresh-catalog ignores the cache; facts older than MAX_AGE are read again too."""
    trakt = aired()
    read(trakt, CatalogueCache(tmp_path, now=NOW))

    refreshed = read(trakt, CatalogueCache(tmp_path, now=NOW), refresh=True)
    aged = read(trakt, CatalogueCache(tmp_path, now=NOW + MAX_AGE + timedelta(days=1)))

    assert (refreshed.fetched, aged.fetched) == (2, 2)


def test_an_episode_aired_since_the_cache_reads_its_show_again(tmp_path):
    """A play of an episode the cached show lacks sends one more seasons read."""
    read(aired(episodes=2), CatalogueCache(tmp_path, now=NOW))
    trakt = aired(episodes=3)
    new_play = episode_play(1, "2026-06-01T20:00:00.000Z", "S01E03")

    reads = read(trakt, CatalogueCache(tmp_path, now=NOW), history=[new_play])

    assert sorted(trakt.calls) == [("show_details", 1394), ("show_seasons", 1394)]
    assert sorted(reads.shows[1394].episodes) == [E1, E2, E3]


def test_an_unreadable_cache_file_is_read_again_from_trakt(tmp_path):
    """A damaged cache file costs a request, never the plan."""
    cache = CatalogueCache(tmp_path, now=NOW)
    cache.save_show(1394, ShowEntry(45, {E1: EpisodeEntry(1, 1, 42, None)}))
    (tmp_path / "shows" / "1394.json").write_text("{not json")

    assert cache.show(1394) is None


def test_the_cache_directory_follows_the_environment(tmp_path, monkeypatch):
    """TRAKT_PLAN_CACHE_DIR moves the cache (tests and CI keep theirs apart)."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))

    assert default_directory() == tmp_path / "cache"
