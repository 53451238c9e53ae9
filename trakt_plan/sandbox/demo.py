"""The bundled demo account and a generator of big synthetic ones.

Other modules' tests depend on the exact demo facts (ids, times, actions), so they are
written out here plainly rather than computed from a seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import partial

from trakt_plan.sandbox.catalog import Catalog, MovieRecord, ShowRecord, slugify
from trakt_plan.sandbox.state import (
    Play,
    SandboxState,
    UserProfile,
    UserRecord,
    blank_last_activities,
)
from trakt_plan.timefmt import format_trakt_time

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
    """The demo shows and movies (``trakt-api.md``'s examples plus a few ambiguities)."""
    shows = [
        ShowRecord(
            trakt=AOS,
            slug="marvel-s-agents-of-s-h-i-e-l-d",
            title="Marvel's Agents of S.H.I.E.L.D.",
            year=2013,
            imdb="tt2364582",
            tvdb=263365,
            tmdb=1403,
            seasons={0: 2, 1: 22, 2: 22, 3: 22, 4: 22, 5: 22, 6: 13, 7: 13},
            first_aired="2013-09-25T00:00:00.000Z",
            network="ABC",
            runtime=43,
            overview="Agent Phil Coulson leads a team of highly skilled agents of S.H.I.E.L.D.",
            genres=["action", "adventure", "science-fiction"],
            certification="TV-PG",
            airs_day="Tuesday",
            airs_time="20:00",
            rating=7.5,
            votes=21000,
        ),
        ShowRecord(
            trakt=SLINGSHOT,
            slug="marvel-s-agents-of-s-h-i-e-l-d-slingshot",
            title="Marvel's Agents of S.H.I.E.L.D.: Slingshot",
            year=2016,
            imdb=None,
            tvdb=None,
            tmdb=None,
            seasons={1: 6},
            first_aired="2016-12-13T17:00:00.000Z",
            network="ABC.com",
            runtime=5,
            overview="A six-part digital series following Yo-Yo Rodriguez.",
            genres=["action", "science-fiction"],
            certification="TV-PG",
            airs_day="Tuesday",
            airs_time="12:00",
            rating=6.9,
            votes=900,
        ),
        ShowRecord(
            trakt=BREAKING_BAD,
            slug="breaking-bad",
            title="Breaking Bad",
            year=2008,
            imdb="tt0903747",
            tvdb=81189,
            tmdb=1396,
            seasons={1: 7, 2: 13, 3: 13, 4: 13, 5: 16},
            first_aired="2008-01-21T02:00:00.000Z",
            network="AMC",
            runtime=47,
            overview="A chemistry teacher diagnosed with cancer turns to making methamphetamine.",
            genres=["drama", "crime", "thriller"],
            certification="TV-MA",
            rating=9.4,
            votes=44000,
        ),
        ShowRecord(
            trakt=GAME_OF_THRONES,
            slug="game-of-thrones",
            title="Game of Thrones",
            year=2011,
            imdb="tt0944947",
            tvdb=121361,
            tmdb=1399,
            seasons={1: 10, 2: 10, 3: 10, 4: 10, 5: 10, 6: 10, 7: 7, 8: 6},
            first_aired="2011-04-18T01:00:00.000Z",
            network="HBO",
            runtime=60,
            overview="Noble families fight for control of the lands of Westeros.",
            genres=["drama", "fantasy", "adventure"],
            certification="TV-MA",
            rating=9.0,
            votes=54000,
        ),
        ShowRecord(
            trakt=OFFICE_US,
            slug="the-office",
            title="The Office",
            year=2005,
            imdb="tt0386676",
            tvdb=73244,
            tmdb=2316,
            seasons={1: 6, 2: 22, 3: 25, 4: 19},
            first_aired="2005-03-25T02:30:00.000Z",
            network="NBC",
            runtime=22,
            overview="A mockumentary on a group of typical office workers.",
            genres=["comedy"],
            certification="TV-14",
            airs_day="Thursday",
            rating=8.7,
            votes=30000,
        ),
        ShowRecord(
            trakt=OFFICE_UK,
            slug="the-office-2001",
            title="The Office",
            year=2001,
            imdb="tt0290978",
            tvdb=78107,
            tmdb=2996,
            seasons={0: 2, 1: 6, 2: 6},
            first_aired="2001-07-09T21:00:00.000Z",
            network="BBC Two",
            runtime=30,
            overview="The everyday lives of office employees in a Slough paper company.",
            genres=["comedy"],
            certification="TV-MA",
            country="gb",
            airs_day="Monday",
            airs_timezone="Europe/London",
            rating=8.4,
            votes=6000,
        ),
    ]
    movies = [
        MovieRecord(
            trakt=TRON_LEGACY,
            slug="tron-legacy-2010",
            title="TRON: Legacy",
            year=2010,
            imdb="tt1104001",
            tmdb=20526,
            released="2010-12-10",
            runtime=125,
            overview="Sam Flynn is pulled into the digital world his father built.",
            tagline="The game has changed.",
            genres=["action", "adventure", "science-fiction"],
            certification="PG",
            rating=7.3,
            votes=8500,
        ),
        MovieRecord(
            trakt=AVENGERS,
            slug="the-avengers-2012",
            title="The Avengers",
            year=2012,
            imdb="tt0848228",
            tmdb=24428,
            released="2012-05-04",
            runtime=143,
            overview="Earth's mightiest heroes team up against an alien invasion.",
            tagline="Some assembly required.",
            genres=["action", "adventure", "science-fiction"],
            rating=8.3,
            votes=27000,
        ),
        MovieRecord(
            trakt=DARK_KNIGHT,
            slug="the-dark-knight-2008",
            title="The Dark Knight",
            year=2008,
            imdb="tt0468569",
            tmdb=155,
            released="2008-07-18",
            runtime=152,
            overview="Batman faces the Joker, who wants to plunge Gotham into anarchy.",
            tagline="Why so serious?",
            genres=["action", "crime", "drama"],
            rating=8.9,
            votes=40000,
        ),
    ]
    return Catalog(shows, movies)


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


def _demo_profile() -> UserProfile:
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
    """A fresh copy of the demo account: ``sandbox-user`` with 95 plays (see the module)."""
    plays = _demo_plays()
    state = SandboxState(demo_catalog(), default_user=DEMO_USER, next_history_id=10_000_000_040)
    state.users[DEMO_USER] = UserRecord(_demo_profile(), _demo_activities(plays), plays)
    return state


_ADJECTIVES = (
    "Silent", "Crimson", "Hidden", "Broken", "Golden", "Last", "Northern", "Wild", "Distant",
    "Electric", "Burning", "Frozen", "Secret", "Lucky", "Iron", "Midnight", "Hollow", "Bright",
)  # fmt: skip
_NOUNS = (
    "Harbor", "Empire", "Signal", "Garden", "Frontier", "Station", "Kingdom", "Protocol", "River",
    "Orchard", "Circuit", "Lantern", "Colony", "Archive", "Voyage", "Meridian", "Foundry", "Tide",
)  # fmt: skip


def _generated_catalog(rng: random.Random, show_count: int, movie_count: int) -> Catalog:
    catalog = demo_catalog()
    slugs = {show.slug for show in catalog.shows.values()}
    for index in range(show_count):
        title = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        year = rng.randint(1995, 2024)
        slug = slugify(title)
        if slug in slugs:
            slug = (
                f"{slug}-{year}" if f"{slug}-{year}" not in slugs else f"{slug}-{300_000 + index}"
            )
        slugs.add(slug)
        seasons = {number: rng.randint(6, 24) for number in range(1, rng.randint(1, 10) + 1)}
        catalog.add_show(
            ShowRecord(
                trakt=300_000 + index,
                slug=slug,
                title=title,
                year=year,
                imdb=f"tt9{index:06d}",
                tvdb=900_000 + index,
                tmdb=800_000 + index,
                seasons=seasons,
                first_aired=f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T01:00:00.000Z",
                network=rng.choice(("ABC", "NBC", "HBO", "Netflix", "BBC One")),
                genres=["drama"],
            )
        )
    movie_slugs = {movie.slug for movie in catalog.movies.values()}
    for index in range(movie_count):
        title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        year = rng.randint(1970, 2025)
        slug = f"{slugify(title)}-{year}"
        if slug in movie_slugs:
            slug = f"{slug}-{500_000 + index}"
        movie_slugs.add(slug)
        catalog.add_movie(
            MovieRecord(
                trakt=500_000 + index,
                slug=slug,
                title=title,
                year=year,
                imdb=f"tt8{index:06d}",
                tmdb=700_000 + index,
                released=f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                genres=["drama"],
            )
        )
    return catalog


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_PREFIXES: dict[int, str] = {}


def _unix_to_trakt(seconds: int) -> str:
    """Unix seconds in Trakt's format; strftime per play was most of the generator's time."""
    day, rest = divmod(seconds, 86_400)
    prefix = _DAY_PREFIXES.get(day)
    if prefix is None:
        prefix = _DAY_PREFIXES[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
    hours, rest = divmod(rest, 3600)
    return f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000Z"


def generate_state(plays: int, *, seed: int = 0, bulk_marks: int = 10) -> SandboxState:
    """A synthetic account of exactly ``plays`` plays for ``sandbox-user``.

    The catalog is the demo one plus enough generated shows and movies for the plays
    to spread out. Viewing sessions of consecutive episodes (mostly scrobbles), movies,
    ``bulk_marks`` bulk marks (runs of episodes stamped in the same second, action
    ``watch``) and about 1% double scrobbles (the same item again a few minutes later).
    Deterministic for a given ``seed``; history ids are unique and rise with time.
    """
    if plays < 0:
        raise ValueError("plays must be >= 0")
    rng = random.Random(seed)
    catalog = _generated_catalog(rng, max(20, plays // 200), max(20, plays // 100))
    shows = list(catalog.shows.values())
    movies = list(catalog.movies)
    # Episode trakt ids per show (specials excluded), in airing order.
    episode_ids = {show.trakt: [e.trakt for e in catalog.episodes_of(show)] for show in shows}
    start = int(datetime(2015, 1, 1, tzinfo=UTC).timestamp())
    span = int(datetime(2025, 11, 1, tzinfo=UTC).timestamp()) - start
    # Events average ~2.2 plays and a session runs ~1.8 h; aim to end near `span`.
    mean_gap = max(int(span * 2.2 / max(plays, 1)) - 6400, 60)
    bulk_every = plays // (bulk_marks + 1) if bulk_marks > 0 else 0
    next_bulk = bulk_every
    rows: list[tuple[int, str, str, int]] = []  # (unix seconds, action, type, media id)
    clock = start
    progress: dict[int, int] = {}  # show trakt id -> index of the next episode to watch
    while len(rows) < plays:
        clock += rng.randint(mean_gap // 2, mean_gap * 3 // 2)
        if bulk_every and len(rows) >= next_bulk and bulk_marks > 0:
            next_bulk += bulk_every
            episodes = episode_ids[rng.choice(shows).trakt]
            first = rng.randrange(len(episodes))
            for episode_id in episodes[first : first + rng.randint(5, 30)]:
                rows.append((clock, "watch", "episode", episode_id))
            continue
        if rng.random() < 0.15:
            rows.append(
                (clock, rng.choice(("scrobble", "checkin", "watch")), "movie", rng.choice(movies))
            )
            continue
        show = rng.choice(shows)
        episodes = episode_ids[show.trakt]
        position = progress.get(show.trakt, 0)
        for _ in range(rng.randint(1, 4)):
            if position >= len(episodes):
                position = 0  # a rewatch from the start
            action = "scrobble" if rng.random() < 0.8 else "checkin"
            rows.append((clock, action, "episode", episodes[position]))
            if rng.random() < 0.01:
                rows.append(
                    (clock + rng.randint(60, 600), "scrobble", "episode", episodes[position])
                )
            position += 1
            clock += show.runtime * 60 + rng.randint(0, 600)
        progress[show.trakt] = position
    del rows[plays:]
    rows.sort(key=lambda row: row[0])
    last = rows[-1][0] if rows else start
    if last > start + span:
        # Too many plays for ten years: squeeze time (equal stamps stay equal).
        rows = [
            (start + (at - start) * span // (last - start), action, kind, media)
            for at, action, kind, media in rows
        ]
    first_id = 5_000_000_001
    built = [
        Play(_unix_to_trakt(at), first_id + index, action, kind, media)
        for index, (at, action, kind, media) in enumerate(rows)
    ]
    state = SandboxState(catalog, default_user=DEMO_USER, next_history_id=first_id + len(built))
    activities = blank_last_activities("2015-01-01T00:00:00.000Z")
    if built:
        latest = built[-1].watched_at
        activities["all"] = latest
        activities["episodes"]["watched_at"] = latest
        activities["movies"]["watched_at"] = latest
    state.users[DEMO_USER] = UserRecord(_demo_profile(), activities, built)
    return state
