"""Big synthetic accounts for benchmarks and scale tests, deterministic per seed.

The catalogue is the demo one plus generated shows and movies; the plays are viewing
sessions, movies, bulk marks and a few double scrobbles (see :func:`generate_state`).
Changing the order of the random draws changes every account: tests and benchmarks pin
figures measured on them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from trakt_plan.sandbox.catalog import Catalog, MovieRecord, ShowRecord, slugify
from trakt_plan.sandbox.demo import DEMO_USER, demo_catalog, demo_profile
from trakt_plan.sandbox.state import Play, SandboxState, UserRecord, blank_last_activities

_ADJECTIVES = (
    "Silent", "Crimson", "Hidden", "Broken", "Golden", "Last", "Northern", "Wild", "Distant",
    "Electric", "Burning", "Frozen", "Secret", "Lucky", "Iron", "Midnight", "Hollow", "Bright",
)  # fmt: skip
_NOUNS = (
    "Harbor", "Empire", "Signal", "Garden", "Frontier", "Station", "Kingdom", "Protocol", "River",
    "Orchard", "Circuit", "Lantern", "Colony", "Archive", "Voyage", "Meridian", "Foundry", "Tide",
)  # fmt: skip
_START = int(datetime(2015, 1, 1, tzinfo=UTC).timestamp())
_SPAN = int(datetime(2025, 11, 1, tzinfo=UTC).timestamp()) - _START
_FIRST_ID = 5_000_000_001

# (unix seconds, action, type, media trakt id)
_Row = tuple[int, str, str, int]


def _unique(slug: str, taken: set[str], *fallbacks: str) -> str:
    """``slug``, else the first fallback not taken yet (the last one is always used)."""
    for candidate in (slug, *fallbacks[:-1]):
        if candidate not in taken:
            break
    else:
        candidate = fallbacks[-1]
    taken.add(candidate)
    return candidate


def _made_up_day(rng: random.Random, year: int) -> str:
    """A day of ``year`` from the 10th to the 19th of January to September, as YYYY-MM-DD."""
    return f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"


def _add_shows(catalog: Catalog, rng: random.Random, count: int) -> None:
    slugs = {show.slug for show in catalog.shows.values()}
    for index in range(count):
        title = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        year = rng.randint(1995, 2024)
        slug = slugify(title)
        slug = _unique(slug, slugs, f"{slug}-{year}", f"{slug}-{300_000 + index}")
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
                first_aired=f"{_made_up_day(rng, year)}T01:00:00.000Z",
                network=rng.choice(("ABC", "NBC", "HBO", "Netflix", "BBC One")),
                genres=["drama"],
            )
        )


def _add_movies(catalog: Catalog, rng: random.Random, count: int) -> None:
    slugs = {movie.slug for movie in catalog.movies.values()}
    for index in range(count):
        title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        year = rng.randint(1970, 2025)
        slug = f"{slugify(title)}-{year}"
        slug = _unique(slug, slugs, f"{slug}-{500_000 + index}")
        catalog.add_movie(
            MovieRecord(
                trakt=500_000 + index,
                slug=slug,
                title=title,
                year=year,
                imdb=f"tt8{index:06d}",
                tmdb=700_000 + index,
                released=_made_up_day(rng, year),
                genres=["drama"],
            )
        )


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


class _Viewer:
    """Writes the rows of one synthetic account; every draw comes from one ``rng``."""

    def __init__(self, rng: random.Random, catalog: Catalog) -> None:
        self.rng = rng
        self.shows = list(catalog.shows.values())
        self.movies = list(catalog.movies)
        # Episode trakt ids per show (specials excluded), in airing order.
        self.episodes = {
            show.trakt: [e.trakt for e in catalog.episodes_of(show)] for show in self.shows
        }
        self.progress: dict[int, int] = {}  # show trakt id -> index of the next episode
        self.rows: list[_Row] = []

    def bulk_mark(self, clock: int) -> None:
        """A run of one show's episodes stamped in one second, action ``watch``."""
        episodes = self.episodes[self.rng.choice(self.shows).trakt]
        first = self.rng.randrange(len(episodes))
        for episode_id in episodes[first : first + self.rng.randint(5, 30)]:
            self.rows.append((clock, "watch", "episode", episode_id))

    def movie(self, clock: int) -> None:
        action = self.rng.choice(("scrobble", "checkin", "watch"))
        self.rows.append((clock, action, "movie", self.rng.choice(self.movies)))

    def session(self, clock: int) -> int:
        """One to four next episodes of a show back to back; returns the clock after them."""
        # Local names: this loop writes most of a 100,000-play account.
        rng, rows = self.rng, self.rows
        randint, draw = rng.randint, rng.random
        show = rng.choice(self.shows)
        episodes = self.episodes[show.trakt]
        position = self.progress.get(show.trakt, 0)
        runtime = show.runtime * 60
        for _ in range(randint(1, 4)):
            if position >= len(episodes):
                position = 0  # a rewatch from the start
            episode = episodes[position]
            rows.append((clock, "scrobble" if draw() < 0.8 else "checkin", "episode", episode))
            if draw() < 0.01:
                rows.append((clock + randint(60, 600), "scrobble", "episode", episode))
            position += 1
            clock += runtime + randint(0, 600)
        self.progress[show.trakt] = position
        return clock


def _viewing_rows(viewer: _Viewer, plays: int, bulk_marks: int) -> list[_Row]:
    """At least ``plays`` rows, oldest first from 2015 on, then cut to exactly ``plays``."""
    rng, rows = viewer.rng, viewer.rows
    # Events average ~2.2 plays and a session runs ~1.8 h; aim to end near `_SPAN`.
    mean_gap = max(int(_SPAN * 2.2 / max(plays, 1)) - 6400, 60)
    bulk_every = plays // (bulk_marks + 1) if bulk_marks > 0 else 0
    next_bulk = bulk_every
    clock = _START
    while len(rows) < plays:
        clock += rng.randint(mean_gap // 2, mean_gap * 3 // 2)
        if bulk_every and len(rows) >= next_bulk:
            next_bulk += bulk_every
            viewer.bulk_mark(clock)
        elif rng.random() < 0.15:
            viewer.movie(clock)
        else:
            clock = viewer.session(clock)
    del rows[plays:]
    rows.sort(key=lambda row: row[0])
    last = rows[-1][0] if rows else _START
    if last > _START + _SPAN:
        # Too many plays for ten years: squeeze time (equal stamps stay equal).
        rows = [
            (_START + (at - _START) * _SPAN // (last - _START), action, kind, media)
            for at, action, kind, media in rows
        ]
    return rows


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
    catalog = demo_catalog()
    _add_shows(catalog, rng, max(20, plays // 200))
    _add_movies(catalog, rng, max(20, plays // 100))
    rows = _viewing_rows(_Viewer(rng, catalog), plays, bulk_marks)
    built = [
        Play(_unix_to_trakt(at), _FIRST_ID + index, action, kind, media)
        for index, (at, action, kind, media) in enumerate(rows)
    ]
    state = SandboxState(catalog, default_user=DEMO_USER, next_history_id=_FIRST_ID + len(built))
    activities = blank_last_activities("2015-01-01T00:00:00.000Z")
    if built:
        latest = built[-1].watched_at
        activities["all"] = latest
        activities["episodes"]["watched_at"] = latest
        activities["movies"]["watched_at"] = latest
    state.users[DEMO_USER] = UserRecord(demo_profile(), activities, built)
    return state
