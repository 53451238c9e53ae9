"""A large account: 100,000 plays planned with bulk rules over the whole history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trakt_plan.planner import build_plan
from trakt_plan.trakt.models import Episode, HistoryItem, Ids, Movie, Show

PLAYS = 100_000
BULK_EVERY = 50
BULK_SIZE = 8


def big_history() -> list[HistoryItem]:
    """Plays a minute apart; every 50th minute a tap marks 8 episodes watched at once."""
    shows = [Show(title=f"Show {n}", year=2000 + n % 20, ids=Ids(trakt=n)) for n in range(1, 201)]
    movies = [
        Movie(title=f"Movie {n}", year=1990 + n % 30, ids=Ids(trakt=n)) for n in range(1, 501)
    ]
    episodes = {
        (show, season, number): Episode(
            season=season, number=number, ids=Ids(trakt=show * 10_000 + season * 100 + number)
        )
        for show in range(1, 201)
        for season in range(1, 6)
        for number in range(1, 11)
    }
    start = datetime(2015, 1, 1, tzinfo=UTC)
    items: list[HistoryItem] = []
    minute = 0
    while len(items) < PLAYS:
        minute += 1
        at = start + timedelta(minutes=minute)
        count = BULK_SIZE if minute % BULK_EVERY == 0 else 1
        for _ in range(min(count, PLAYS - len(items))):
            n = len(items)
            if n % 10 == 9:
                items.append(
                    HistoryItem(
                        id=10**10 + n,
                        watched_at=at,
                        action="scrobble",
                        type="movie",
                        movie=movies[n % 500],
                    )
                )
                continue
            show = 1 + n % 200
            key = (show, 1 + (n // 200) % 5, 1 + (n // 1000) % 10)
            items.append(
                HistoryItem(
                    id=10**10 + n,
                    watched_at=at,
                    action="watch",
                    type="episode",
                    show=shows[show - 1],
                    episode=episodes[key],
                )
            )
    return items


def test_a_bulk_rule_over_100000_plays(spec_of):
    """same_timestamp over `history: all` picks exactly the plays of every bulk mark."""
    history = big_history()
    spec = spec_of(
        {"name": "bulk", "history": "all", "drop": {"same_timestamp": 3}},
        {"name": "old-movies", "history": "movies", "drop": {"watched_until": "2015-02-01"}},
    )
    result = build_plan(spec, {}, history)

    by_second: dict[datetime, int] = {}
    for item in history:
        by_second[item.watched_at] = by_second.get(item.watched_at, 0) + 1
    bulk = {item.id for item in history if by_second[item.watched_at] >= 3}
    cutoff = datetime(2015, 2, 1, tzinfo=UTC)
    old_movies = {item.id for item in history if item.type == "movie" and item.watched_at < cutoff}

    assert result.plays_seen == PLAYS
    assert len(bulk) > 10_000
    assert {d.item.id for d in result.deletions} == bulk | old_movies
    assert [(r.name, r.deletions) for r in result.rules] == [
        ("bulk", len(bulk)),
        ("old-movies", len(old_movies)),
    ]
