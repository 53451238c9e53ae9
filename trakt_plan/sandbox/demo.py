"""The bundled demo account: its catalogue (``data/demo_catalog.json``) and its plays.

Other modules' tests depend on the exact demo facts (ids, times, actions), so the 2025
plays are written out here plainly rather than computed from a seed; the 2026 ones, with
the accidents of that year, are in :mod:`trakt_plan.sandbox.demo_2026`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib import resources

from trakt_plan.sandbox.catalog import Catalog
from trakt_plan.sandbox.demo_2026 import plays_2026
from trakt_plan.sandbox.state import (
    Play,
    SandboxState,
    UserProfile,
    UserRecord,
    blank_last_activities,
)
from trakt_plan.timefmt import format_trakt_time

DEMO_CATALOG = "data/demo_catalog.json"
DEMO_USER = "sandbox-user"
DEMO_USER_UUID = "5f1d6f3e-3b5c-4d7e-9a61-0c2b7d9e4a10"
AOS = 1394
SLINGSHOT = 110000
BREAKING_BAD = 1388
GAME_OF_THRONES = 1390
OFFICE_US = 1402
OFFICE_UK = 2279
TRON_LEGACY = 12601
AVENGERS = 14701
DARK_KNIGHT = 120


def demo_catalog() -> Catalog:
    """The demo shows and movies (``trakt-api.md``'s examples plus a few ambiguities).

    They live in ``data/demo_catalog.json`` so that adding a show is an edit of data.
    """
    text = resources.files("trakt_plan.sandbox").joinpath(DEMO_CATALOG).read_text("utf-8")
    return Catalog.from_json(json.loads(text))


def _episode(show: int, season: int, number: int) -> int:
    return show * 100_000 + season * 100 + number


def _demo_plays() -> list[Play]:
    plays: list[Play] = []
    # 55 evening scrobbles of S01E01..S03E11, spread from 1 June to 16 November 2025.
    real = [(season, number) for season in (1, 2) for number in range(1, 23)]
    real += [(3, number) for number in range(1, 12)]
    start = datetime(2025, 6, 1, tzinfo=UTC)
    for index, (season, number) in enumerate(real):
        day = round(index * 168 / (len(real) - 1))
        minutes = 19 * 60 + (index * 37) % 180
        at = start + timedelta(days=day, minutes=minutes, seconds=(index * 13) % 60)
        plays.append(
            Play(
                format_trakt_time(at),
                9_000_000_001 + index,
                "scrobble",
                "episode",
                _episode(AOS, season, number),
            )
        )
    # The bulk "mark as watched" that hit S06E02..S07E10 in one second.
    bulk = [(6, number) for number in range(2, 14)] + [(7, number) for number in range(1, 11)]
    for index, (season, number) in enumerate(bulk):
        plays.append(
            Play(
                "2025-11-17T01:02:03.000Z",
                10_000_000_000 + index,
                "watch",
                "episode",
                _episode(AOS, season, number),
            )
        )
    aos, bb = partial(_episode, AOS), partial(_episode, BREAKING_BAD)
    sling, got = partial(_episode, SLINGSHOT), partial(_episode, GAME_OF_THRONES)
    tail = [
        (10_000_000_022, "2025-11-17T18:03:06.000Z", "scrobble", "episode", aos(3, 12)),
        (10_000_000_023, "2025-11-18T19:40:54.000Z", "scrobble", "episode", aos(3, 13)),
        (10_000_000_024, "2025-11-18T21:15:00.000Z", "scrobble", "episode", aos(3, 13)),
        (10_000_000_025, "2025-11-19T20:05:31.000Z", "scrobble", "episode", aos(3, 14)),
        (10_000_000_026, "2025-11-19T22:20:12.000Z", "scrobble", "episode", aos(3, 15)),
        (10_000_000_027, "2025-11-20T10:11:12.000Z", "scrobble", "episode", aos(3, 16)),
        # Decoys: another show marked in the same second, a double scrobble, a movie
        # watched twice, the show whose title contains the first one's, and check-ins.
        (10_000_000_028, "2025-11-17T01:02:03.000Z", "watch", "episode", bb(5, 1)),
        (10_000_000_029, "2025-11-17T01:02:03.000Z", "watch", "episode", bb(5, 2)),
        (10_000_000_030, "2025-11-17T01:02:03.000Z", "watch", "episode", bb(5, 3)),
        (10_000_000_031, "2025-11-17T01:02:03.000Z", "watch", "episode", bb(5, 4)),
        (10_000_000_032, "2025-10-02T20:00:00.000Z", "scrobble", "episode", bb(1, 1)),
        (10_000_000_033, "2025-10-02T20:04:10.000Z", "scrobble", "episode", bb(1, 1)),
        (10_000_000_034, "2025-09-12T19:30:00.000Z", "scrobble", "movie", TRON_LEGACY),
        (10_000_000_035, "2025-09-12T23:10:00.000Z", "watch", "movie", TRON_LEGACY),
        (10_000_000_036, "2025-08-03T19:00:00.000Z", "scrobble", "episode", sling(1, 1)),
        (10_000_000_037, "2025-08-03T19:07:30.000Z", "scrobble", "episode", sling(1, 2)),
        (10_000_000_038, "2025-07-04T01:30:00.000Z", "checkin", "movie", DARK_KNIGHT),
        (10_000_000_039, "2025-05-01T02:00:00.000Z", "checkin", "episode", got(1, 1)),
    ]
    plays += [Play(at, play_id, action, kind, media) for play_id, at, action, kind, media in tail]
    return plays


def demo_profile() -> UserProfile:
    return UserProfile(
        username=DEMO_USER,
        name="Sandbox User",
        timezone="America/New_York",
        uuid=DEMO_USER_UUID,
        joined_at="2013-09-01T12:00:00.000Z",
        location="Sandbox",
        about="The demo account of trakt-plan's local Trakt emulator.",
    )


def _demo_activities(plays: list[Play]) -> dict[str, object]:
    activities = blank_last_activities("2025-05-01T00:00:00.000Z")
    episodes = max(p.watched_at for p in plays if p.type == "episode")
    movies = max(p.watched_at for p in plays if p.type == "movie")
    activities["episodes"]["watched_at"] = episodes
    activities["movies"]["watched_at"] = movies
    activities["all"] = max(episodes, movies)
    return activities


def demo_state() -> SandboxState:
    """A fresh copy of the demo account: ``sandbox-user`` with 548 plays.

    95 plays of 2025 (this module) and 453 of 2026 with its accidents (``demo_2026``).
    """
    catalog = demo_catalog()
    plays = _demo_plays() + plays_2026(catalog)
    next_id = max(play.id for play in plays) + 1
    state = SandboxState(catalog, default_user=DEMO_USER, next_history_id=next_id)
    state.users[DEMO_USER] = UserRecord(demo_profile(), _demo_activities(plays), plays)
    return state
