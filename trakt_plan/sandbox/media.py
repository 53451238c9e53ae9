"""The emulated catalogue routes: text search, id lookup and media summaries.

Shapes follow ``trakt-api.md`` section 3 and the recorded bodies in
``tests/fixtures/trakt-responses``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trakt_plan.sandbox.catalog import ID_TYPES, EpisodeRef, MovieRecord, SeasonRef, ShowRecord
from trakt_plan.sandbox.wire import (
    Context,
    Reply,
    Request,
    empty_reply,
    error_reply,
    json_reply,
    paginate,
)

SEARCH_LIMIT = 50
SEARCH_TYPES = ("movie", "show", "episode", "person", "list")
# Trakt's search default fields; asking only for others (e.g. `overview`) finds nothing here.
TITLE_FIELDS = {"title", "original_title", "translations", "aliases"}

_LUCENE_ESCAPE = re.compile(r"\\(.)")
_SQUEEZE = re.compile(r"['’.]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def _normal(text: str) -> str:
    """Lower case, apostrophes and dots dropped (S.H.I.E.L.D. -> shield), the rest spaces."""
    return " ".join(_NON_WORD.sub(" ", _SQUEEZE.sub("", text.lower())).split())


def title_score(query: str, title: str, votes: int) -> float | None:
    """How well ``title`` matches a text query; None when it does not. Exact is highest."""
    wanted, have = query.strip().lower(), title.lower()
    normal_query, normal_title = _normal(query), _normal(title)
    if not normal_query and not wanted:
        return None
    if wanted == have:
        base = 5000.0
    elif normal_query == normal_title:
        base = 3000.0
    elif normal_query and normal_title.startswith(normal_query):
        base = 400.0 * len(normal_query) / len(normal_title)
    elif normal_query and normal_query in normal_title:
        base = 200.0 * len(normal_query) / len(normal_title)
    elif normal_query and set(normal_query.split()) <= set(normal_title.split()):
        base = 50.0 * len(normal_query) / len(normal_title)
    else:
        return None
    # Popularity breaks ties between equal titles, as on Trakt.
    return round(base + votes / 1_000_000, 6)


def _media_entry(
    ctx: Context,
    kind: str,
    item: ShowRecord | MovieRecord | EpisodeRef,
    score: float | None,
    full: bool,
) -> dict[str, Any]:
    catalog = ctx.state.catalog
    entry: dict[str, Any] = {"type": kind, "score": score}
    if isinstance(item, MovieRecord):
        entry["movie"] = catalog.movie_json(item, full=full)
    elif isinstance(item, ShowRecord):
        entry["show"] = catalog.show_json(item, full=full)
    else:
        entry["episode"] = catalog.episode_json(item, full=full)
        entry["show"] = catalog.show_json(item.show, full=full)
    return entry


def _text_hits(
    ctx: Context, types: Sequence[str], query: str, exact: bool
) -> list[tuple[float, str, int, ShowRecord | MovieRecord | EpisodeRef]]:
    catalog = ctx.state.catalog
    hits: list[tuple[float, str, int, ShowRecord | MovieRecord | EpisodeRef]] = []
    wanted = query.strip().lower()

    def consider(kind: str, trakt: int, title: str, votes: int, item: Any) -> None:
        if exact and title.lower() != wanted:
            return
        score = title_score(query, title, votes)
        if score is not None:
            hits.append((score, kind, trakt, item))

    if "movie" in types:
        for movie in catalog.movies.values():
            consider("movie", movie.trakt, movie.title, movie.votes, movie)
    if "show" in types:
        for show in catalog.shows.values():
            consider("show", show.trakt, show.title, show.votes, show)
    if "episode" in types:
        for episode in catalog.all_episodes():
            consider("episode", episode.trakt, episode.title, episode.show.votes // 10, episode)
    hits.sort(key=lambda hit: (-hit[0], hit[2]))
    return hits


def search(ctx: Context, req: Request) -> Reply:
    """``GET /search/{type[,type]}?query=`` and ``GET /search/{movie|show}/exact?query=``."""
    exact = req.path.endswith("/exact")
    types = [part.strip() for part in req.params["type"].split(",")]
    unknown = [name for name in types if name not in SEARCH_TYPES]
    if unknown:
        return error_reply(400, "invalid_type", f"unknown search type {unknown[0]!r}")
    query = _LUCENE_ESCAPE.sub(r"\1", req.arg("query") or "")
    fields = req.arg("fields")
    if fields and not {part.strip() for part in fields.split(",")} & TITLE_FIELDS:
        hits = []
    else:
        hits = _text_hits(ctx, types, query, exact) if query.strip() else []
    page, headers = paginate(req, hits, SEARCH_LIMIT)
    full = req.extended("full")
    body = [_media_entry(ctx, kind, item, score, full) for score, kind, _, item in page]
    return json_reply(200, body, headers)


def lookup(ctx: Context, req: Request) -> Reply:
    """``GET /search/{trakt|imdb|tmdb|tvdb}/{id}[?type=]``: score null, ``[]`` when nothing."""
    id_type, value = req.params["id_type"], req.params["id"]
    media_type = req.arg("type")
    if id_type not in ID_TYPES:
        return empty_reply(404)
    if media_type is not None and media_type not in SEARCH_TYPES:
        return error_reply(400, "invalid_type", f"unknown type {media_type!r}")
    if media_type in ("person", "list"):
        return json_reply(200, [])
    full = req.extended("full")
    hits = ctx.state.catalog.lookup(id_type, value, media_type)
    return json_reply(200, [_media_entry(ctx, kind, item, None, full) for kind, item in hits])


def show_summary(ctx: Context, req: Request) -> Reply:
    """``GET /shows/{id}`` by trakt id, slug or IMDB id."""
    show = ctx.state.catalog.find_show(req.params["id"])
    if show is None:
        return empty_reply(404)
    return json_reply(200, ctx.state.catalog.show_json(show, full=req.extended("full")))


def movie_summary(ctx: Context, req: Request) -> Reply:
    """``GET /movies/{id}`` by trakt id, slug or IMDB id."""
    movie = ctx.state.catalog.find_movie(req.params["id"])
    if movie is None:
        return empty_reply(404)
    return json_reply(200, ctx.state.catalog.movie_json(movie, full=req.extended("full")))


def episode_summary(ctx: Context, req: Request) -> Reply:
    """``GET /shows/{id}/seasons/{season}/episodes/{number}``."""
    catalog = ctx.state.catalog
    show = catalog.find_show(req.params["id"])
    episode = (
        catalog.episode_at(show, int(req.params["season"]), int(req.params["episode"]))
        if show is not None
        else None
    )
    if episode is None:
        return empty_reply(404)
    return json_reply(200, catalog.episode_json(episode, full=req.extended("full")))


def seasons(ctx: Context, req: Request) -> Reply:
    """``GET /shows/{id}/seasons[?extended=full,episodes]``: every season, specials first."""
    catalog = ctx.state.catalog
    show = catalog.find_show(req.params["id"])
    if show is None:
        return empty_reply(404)
    full = req.extended("full")
    body = []
    for number in sorted(show.seasons):
        season = catalog.season_json(SeasonRef(show, number), full=full)
        if req.extended("episodes"):
            season["episodes"] = [
                catalog.episode_json(episode, full=full)
                for episode in catalog.episodes_of(show, number)
            ]
        body.append(season)
    return json_reply(200, body)


def season_episodes(ctx: Context, req: Request) -> Reply:
    """``GET /shows/{id}/seasons/{season}[?extended=full]``: that season's episodes."""
    catalog = ctx.state.catalog
    show = catalog.find_show(req.params["id"])
    number = int(req.params["season"])
    if show is None or number not in show.seasons:
        return empty_reply(404)
    full = req.extended("full")
    return json_reply(
        200,
        [catalog.episode_json(episode, full=full) for episode in catalog.episodes_of(show, number)],
    )
