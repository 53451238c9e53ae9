"""The demo account's 2026: real viewing, and one of each accident of 2026.

``docs/sandbox.md`` lists what is here with ids and dates, for tests of ``doctor`` and the
planner. Contract: ``plan-language.md`` section 6.1. Every play is of a show or movie the
2025 part of the demo account does not touch, so what was true of those stays true.

The accidents:

* a **back-to-back mark** of Severance S01E01..S02E04: ``watch`` plays each one runtime (of
  the later episode) after the previous, ending when the button was pressed;
* a **release-date mark** of Abbott Elementary S06E01..S06E04: ``watch`` plays at each
  episode's ``first_aired``;
* a **flood day**, 2026-11-17: a sync app re-sent 210 Friends plays as ``watch``, seconds
  apart, that morning;
* a **double scrobble**: Slow Horses S05E03 scrobbled again 17 minutes after its first
  scrobble (its runtime is 46 minutes).

And real viewing that must not look like one: the Friends winter binge and the Slow Horses
binge (scrobbles whose gaps are a runtime plus a minute or two), Dune: Part Two watched
again five weeks later, Oppenheimer marked by hand once, and the next two Abbott Elementary
episodes scrobbled live as they aired.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from trakt_plan.sandbox.catalog import Catalog, EpisodeRef
from trakt_plan.sandbox.state import Play
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time

FIRST_ID = 10_000_000_040
SEVERANCE = 154997
FRIENDS = 1657
SLOW_HORSES = 161263
ABBOTT = 176209
DUNE_TWO = 553187
OPPENHEIMER = 556112
# The Friends episodes watched in the winter and re-sent by the flood: S01E01..S09E16.
FRIENDS_WATCHED = 210


class _Row(NamedTuple):
    """A play before it has an id; ``created`` orders the ids as Trakt hands them out."""

    created: datetime
    watched_at: datetime
    action: str
    type: str
    media_id: int


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _minutes(episode: EpisodeRef) -> int:
    runtime = episode.runtime if episode.runtime is not None else episode.show.runtime
    return runtime * 60


def _scrobbles(episodes: list[EpisodeRef], first_end: datetime, extra: list[int]) -> list[_Row]:
    """A binge: each scrobble one runtime plus ``extra`` seconds after the previous one."""
    rows = [_Row(first_end, first_end, "scrobble", "episode", episodes[0].trakt)]
    for episode, seconds in zip(episodes[1:], extra, strict=True):
        at = rows[-1].watched_at + timedelta(seconds=_minutes(episode) + seconds)
        rows.append(_Row(at, at, "scrobble", "episode", episode.trakt))
    return rows


def _friends(catalog: Catalog) -> list[EpisodeRef]:
    return catalog.episodes_of(catalog.shows[FRIENDS])[:FRIENDS_WATCHED]


def _friends_winter(catalog: Catalog) -> list[_Row]:
    """Three episodes an evening from 5 January to 15 March 2026, by scrobble."""
    episodes = _friends(catalog)
    rows: list[_Row] = []
    for evening in range(FRIENDS_WATCHED // 3):
        start = _at("2026-01-05T01:12:00") + timedelta(
            days=evening, minutes=(evening * 7) % 40, seconds=(evening * 13) % 60
        )
        trio = episodes[evening * 3 : evening * 3 + 3]
        rows += _scrobbles(trio, start, [60 + (evening * 17) % 61, 60 + (evening * 29) % 61])
    return rows


def _back_to_back(catalog: Catalog) -> list[_Row]:
    """Severance marked "watched until S02E04" at 2026-10-04 01:37:12Z, stamped backwards."""
    pressed = _at("2026-10-04T01:37:12")
    episodes = catalog.episodes_of(catalog.shows[SEVERANCE])[:13]
    rows = [_Row(pressed, pressed, "watch", "episode", episodes[-1].trakt)]
    for earlier, later in zip(reversed(episodes[:-1]), reversed(episodes[1:]), strict=True):
        at = rows[-1].watched_at - timedelta(seconds=_minutes(later))
        rows.append(_Row(pressed, at, "watch", "episode", earlier.trakt))
    return rows


def _at_release(catalog: Catalog) -> list[_Row]:
    """Abbott Elementary S06E01..E04 marked "watched at release" on 2026-11-03."""
    pressed = _at("2026-11-03T23:41:09")
    return [
        _Row(pressed, parse_trakt_time(episode.first_aired), "watch", "episode", episode.trakt)
        for episode in catalog.episodes_of(catalog.shows[ABBOTT], 6)[:4]
    ]


def _flood(catalog: Catalog) -> list[_Row]:
    """A sync app re-sends the Friends plays one by one, 9 to 12 seconds apart."""
    rows: list[_Row] = []
    at = _at("2026-11-17T14:03:10")
    for index, episode in enumerate(_friends(catalog)):
        rows.append(_Row(at, at, "watch", "episode", episode.trakt))
        at += timedelta(seconds=9 + index % 4)
    return rows


def _slow_horses(catalog: Catalog) -> list[_Row]:
    """Season 5 in one night; S05E03's scrobble arrives twice, 17m06s apart."""
    episodes = catalog.episodes_of(catalog.shows[SLOW_HORSES], 5)
    rows = _scrobbles(episodes, _at("2026-10-11T23:52:10"), [72, 95, 64, 118, 81])
    again = rows[2].watched_at + timedelta(minutes=17, seconds=6)
    return [*rows, _Row(again, again, "scrobble", "episode", episodes[2].trakt)]


def _singles(catalog: Catalog) -> list[_Row]:
    """A rewatch weeks apart, a manual mark, live scrobbles, and more of the shows above."""
    rows = [
        _Row(_at(at), _at(at), action, "movie", movie)
        for at, action, movie in (
            ("2026-02-08T03:52:10", "scrobble", DUNE_TWO),
            ("2026-03-15T02:41:55", "scrobble", DUNE_TWO),
            ("2026-09-20T18:22:41", "watch", OPPENHEIMER),
        )
    ]
    abbott, severance = catalog.shows[ABBOTT], catalog.shows[SEVERANCE]
    friends = catalog.episodes_of(catalog.shows[FRIENDS])
    for at, episode in (
        ("2026-11-05T02:29:48", catalog.episode_at(abbott, 6, 5)),
        ("2026-11-12T02:30:31", catalog.episode_at(abbott, 6, 6)),
        ("2026-10-05T02:31:40", catalog.episode_at(severance, 2, 5)),
        ("2026-10-06T02:20:05", catalog.episode_at(severance, 2, 6)),
    ):
        assert episode is not None
        rows.append(_Row(_at(at), _at(at), "scrobble", "episode", episode.trakt))
    evening = friends[FRIENDS_WATCHED : FRIENDS_WATCHED + 2]
    return rows + _scrobbles(evening, _at("2026-11-17T23:05:12"), [95])


def plays_2026(catalog: Catalog) -> list[Play]:
    """Every 2026 play, with ids from ``FIRST_ID`` up in the order Trakt received them."""
    rows = [
        *_friends_winter(catalog),
        *_back_to_back(catalog),
        *_at_release(catalog),
        *_flood(catalog),
        *_slow_horses(catalog),
        *_singles(catalog),
    ]
    rows.sort(key=lambda row: (row.created, row.watched_at))
    return [
        Play(
            format_trakt_time(row.watched_at), FIRST_ID + index, row.action, row.type, row.media_id
        )
        for index, row in enumerate(rows)
    ]
