"""The shows and movies the fake Trakt knows, and the plays tests build from them.

An episode's trakt id derives from its show and code (:func:`episode_id`), so two plays of
one episode name the same episode, as they do on Trakt.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt.models import HistoryItem, Ids, Movie, Show

AOS = Show(
    title="Marvel's Agents of S.H.I.E.L.D.",
    year=2013,
    ids=Ids(
        trakt=1394,
        slug="marvel-s-agents-of-s-h-i-e-l-d",
        imdb="tt2364582",
        tvdb=263365,
        tmdb=1403,
    ),
)
TRON = Movie(
    title="TRON: Legacy",
    year=2010,
    ids=Ids(trakt=12601, slug="tron-legacy-2010", imdb="tt1104001", tmdb=20526),
)
SHOWS = [
    AOS,
    Show(title="The Office", year=2005, ids=Ids(trakt=1402, slug="the-office", tvdb=73244)),
    Show(title="The Office", year=2001, ids=Ids(trakt=2279, slug="the-office-2001", tmdb=20526)),
    Show(title="Game of Thrones", year=2011, ids=Ids(trakt=1390, slug="game-of-thrones")),
    Show(title="Dexter", year=2006, ids=Ids(trakt=4242, slug="dexter-2006")),
]
MOVIES = [
    TRON,
    Movie(title="Interstellar", year=2014, ids=Ids(trakt=102156, slug="interstellar-2014")),
    # Shares its trakt id with Game of Thrones: ids of shows and movies are separate spaces.
    Movie(title="Heat", year=1995, ids=Ids(trakt=1390, slug="heat-1995")),
]


def parse_code(code: str) -> tuple[int, int]:
    """``S03E16`` as ``(3, 16)``."""
    season, number = code.upper().lstrip("S").split("E")
    return int(season), int(number)


def episode_id(show: Show, code: str) -> int:
    """The trakt id of episode ``code`` of ``show`` in the fake's catalogue."""
    season, number = parse_code(code)
    return (show.ids.trakt or 0) * 10_000 + season * 100 + number


def episode_play(
    history_id: int,
    at: str,
    code: str = "S01E01",
    *,
    show: Show = AOS,
    action: str = "watch",
    missing_id: bool = False,
) -> HistoryItem:
    """A play of episode ``code`` of ``show`` at ``at`` (Trakt's time format).

    ``missing_id`` makes the play Trakt sends at times: its episode without a trakt id.
    """
    season, number = parse_code(code)
    return HistoryItem.model_validate(
        {
            "id": history_id,
            "watched_at": at,
            "action": action,
            "type": "episode",
            "show": show,
            "episode": {
                "season": season,
                "number": number,
                "ids": {"trakt": None if missing_id else episode_id(show, code)},
            },
        }
    )


def movie_play(
    history_id: int, at: str, movie: Movie = TRON, *, action: str = "scrobble"
) -> HistoryItem:
    """A play of ``movie`` at ``at`` (Trakt's time format)."""
    return HistoryItem.model_validate(
        {"id": history_id, "watched_at": at, "action": action, "type": "movie", "movie": movie}
    )


def movie_nights(count: int) -> list[HistoryItem]:
    """``count`` ordinary movie nights of 2020, one movie each (history ids 901 on, movies 7001
    on): the years of plays a real account has before a story's cleanup."""
    start = datetime(2020, 1, 1, 20, tzinfo=UTC)
    return [
        movie_play(
            900 + n,
            format_trakt_time(start + timedelta(days=n)),
            Movie(title=f"Movie {n}", year=2000, ids=Ids(trakt=7000 + n)),
        )
        for n in range(1, count + 1)
    ]
