"""The emulated API routes: history read/add/remove, account, search and media summaries.

Each route is ``(emulator, request) -> Reply``; :mod:`trakt_plan.sandbox.app` has already
checked headers, the token and the rate limits. Shapes follow ``trakt-api.md`` and the
recorded bodies in ``tests/fixtures/trakt-responses``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from trakt_plan.sandbox.catalog import ID_TYPES, Catalog, EpisodeRef, MovieRecord, ShowRecord
from trakt_plan.sandbox.state import HistoryFilter, Play, UserRecord, canonical_time, now_time
from trakt_plan.sandbox.wire import Reply, Request, empty_reply, error_reply, json_reply

if TYPE_CHECKING:
    from trakt_plan.sandbox.app import Emulator

T = TypeVar("T")

MAX_LIMIT = 250
HISTORY_LIMIT = 100
SEARCH_LIMIT = 50
SEARCH_TYPES = ("movie", "show", "episode", "person", "list")
# Trakt's search default fields; asking only for others (e.g. `overview`) finds nothing here.
TITLE_FIELDS = {"title", "original_title", "translations", "aliases"}
# What an add stamps on a play sent with `"watched_at": "unknown"`.
UNKNOWN_WATCHED_AT = "1970-01-01T00:00:00.000Z"


class BadRequest(Exception):
    """A request value the route cannot use; becomes a 400."""


# -- helpers ----------------------------------------------------------------------------


def _positive(text: str | None, default: int) -> int:
    if text is None or not text.strip().lstrip("+").isdigit():
        return default
    return max(int(text), 1)


def paginate(
    req: Request, items: Sequence[T], default_limit: int
) -> tuple[list[T], dict[str, str]]:
    """One page of ``items`` and Trakt's four pagination headers (limit clamped to 250)."""
    page = _positive(req.arg("page"), 1)
    limit = min(_positive(req.arg("limit"), default_limit), MAX_LIMIT)
    total = len(items)
    start = (page - 1) * limit
    chunk = list(items[start : start + limit]) if start < total else []
    headers = {
        "X-Pagination-Page": str(page),
        "X-Pagination-Limit": str(limit),
        "X-Pagination-Page-Count": str(max(1, math.ceil(total / limit))),
        "X-Pagination-Item-Count": str(total),
    }
    return chunk, headers


def _wants_full(req: Request) -> bool:
    extended = req.arg("extended") or ""
    return "full" in {part.strip() for part in extended.split(",")}


def _time_arg(req: Request, name: str) -> str | None:
    text = req.arg(name)
    if text is None or not text.strip():
        return None
    try:
        return canonical_time(text.strip())
    except ValueError:
        raise BadRequest(f"{name} must be an ISO-8601 date or datetime, got {text!r}") from None


def _ids_of(ref: Any) -> dict[str, Any]:
    if isinstance(ref, dict) and isinstance(ref.get("ids"), dict):
        return dict(ref["ids"])
    return {}


def _list_field(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BadRequest(f"{key} must be an array")
    return value


def _not_found(*keys: str) -> dict[str, list[Any]]:
    return {key: [] for key in keys}


def _body(req: Request) -> dict[str, Any]:
    if not isinstance(req.data, dict):
        raise BadRequest("the body must be a JSON object")
    return req.data


# -- account ----------------------------------------------------------------------------


def settings(emu: Emulator, req: Request) -> Reply:
    """``GET /users/settings`` for the token's user."""
    assert req.user is not None
    profile = req.user.profile
    return json_reply(
        200,
        {
            "user": {
                "username": profile.username,
                "private": profile.private,
                "name": profile.name,
                "vip": profile.vip,
                "vip_ep": profile.vip_ep,
                "ids": {"slug": profile.slug, "uuid": profile.uuid},
                "joined_at": profile.joined_at,
                "location": profile.location,
                "about": profile.about,
                "gender": profile.gender,
                "age": profile.age,
                "images": {"avatar": {"full": f"{req.base_url}/images/avatars/{profile.slug}.png"}},
            },
            "account": {
                "timezone": profile.timezone,
                "date_format": profile.date_format,
                "time_24hr": profile.time_24hr,
                "cover_image": None,
            },
            "connections": {
                name: False
                for name in (
                    "facebook",
                    "twitter",
                    "mastodon",
                    "google",
                    "tumblr",
                    "medium",
                    "slack",
                    "apple",
                    "dropbox",
                    "microsoft",
                )
            },
            "sharing_text": {
                "watching": "I'm watching [item]",
                "watched": "I just watched [item]",
                "rated": "[item] [stars]",
            },
            "limits": {
                "list": {"count": 2, "item_count": 100},
                "watchlist": {"item_count": 100},
                "favorites": {"item_count": 50},
                "search": {"recent_count": 5},
                "collection": {"item_count": 100},
                "notes": {"item_count": 100},
            },
        },
    )


def last_activities(emu: Emulator, req: Request) -> Reply:
    """``GET /sync/last_activities``: when each part of the account last changed."""
    assert req.user is not None
    with emu.state.lock:
        return json_reply(200, req.user.last_activities)


# -- history ----------------------------------------------------------------------------


def _history_owner(emu: Emulator, req: Request) -> UserRecord | Reply:
    slug = req.params.get("user")
    if slug is None:
        assert req.user is not None
        return req.user
    if slug == "me":
        if req.user is None:
            return emu.unauthorized("missing")
        return req.user
    owner = emu.state.user_by_slug(slug)
    if owner is None:
        return empty_reply(404)
    if owner.profile.private and req.user is not owner:
        return emu.unauthorized("missing") if req.user is None else empty_reply(403)
    return owner


def _item_exists(emu: Emulator, media_type: str, item_id: int) -> bool:
    catalog = emu.state.catalog
    if media_type == "movies":
        return item_id in catalog.movies
    if media_type == "shows":
        return item_id in catalog.shows
    if media_type == "seasons":
        return catalog.season(item_id) is not None
    return catalog.episode(item_id) is not None


def history(emu: Emulator, req: Request) -> Reply:
    """``GET /sync/history[/{type}[/{id}]]`` and ``/users/{user}/history[...]``, newest first."""
    owner = _history_owner(emu, req)
    if isinstance(owner, Reply):
        return owner
    media_type = req.params.get("type")
    raw_id = req.params.get("id")
    item_id: int | None = None
    if raw_id is not None:
        if (
            not raw_id.isdigit()
            or media_type is None
            or not _item_exists(emu, media_type, int(raw_id))
        ):
            return empty_reply(404)
        item_id = int(raw_id)
    wanted = HistoryFilter(
        media_type, item_id, _time_arg(req, "start_at"), _time_arg(req, "end_at")
    )
    with emu.state.lock:
        page, headers = paginate(req, owner.view(wanted), HISTORY_LIMIT)
    full = _wants_full(req)
    return json_reply(200, [emu.state.play_json(play, full=full) for play in page], headers)


@dataclass(frozen=True)
class _ShowPart:
    """What a ``shows`` entry of an add or remove body names: a whole show, a season or
    an episode, with the ``watched_at`` that applies to it (inherited downwards; adds only)."""

    show: ShowRecord
    season: int | None
    episode: EpisodeRef | None
    stamp: Any


def _show_parts(catalog: Catalog, ref: Any, not_found: dict[str, list[Any]]) -> Iterator[_ShowPart]:
    """Walk one ``{ids, seasons: [{number, episodes: [{number}]}]}`` entry; what the catalog
    lacks goes to ``not_found`` the way Trakt echoes it."""
    show = catalog.resolve_ids("show", _ids_of(ref))
    if not isinstance(show, ShowRecord):
        not_found["shows"].append(ref)
        return
    show_stamp = ref.get("watched_at") if isinstance(ref, dict) else None
    seasons = ref.get("seasons") if isinstance(ref, dict) else None
    if not isinstance(seasons, list):
        yield _ShowPart(show, None, None, show_stamp)
        return
    for season in seasons:
        number = season.get("number") if isinstance(season, dict) else None
        if not isinstance(number, int) or number not in show.seasons:
            not_found["seasons"].append(season)
            continue
        season_stamp = season.get("watched_at", show_stamp)
        episodes = season.get("episodes")
        if not isinstance(episodes, list):
            yield _ShowPart(show, number, None, season_stamp)
            continue
        for entry in episodes:
            episode_number = entry.get("number") if isinstance(entry, dict) else None
            found = (
                catalog.episode_at(show, number, episode_number)
                if isinstance(episode_number, int)
                else None
            )
            if found is None:
                not_found["episodes"].append(entry)
            else:
                yield _ShowPart(show, number, found, entry.get("watched_at", season_stamp))


def remove_history(emu: Emulator, req: Request) -> Reply:
    """``POST /sync/history/remove``: by history ids, or every play of the named items."""
    assert req.user is not None
    data = _body(req)
    user = req.user
    catalog = emu.state.catalog
    not_found = _not_found("movies", "shows", "seasons", "episodes", "ids", "people", "users")
    doomed: dict[int, Play] = {}
    with emu.state.lock:

        def take(wanted: HistoryFilter) -> None:
            for play in user.view(wanted):
                doomed[play.id] = play

        for raw in _list_field(data, "ids"):
            play = (
                user.by_id.get(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
            )
            if play is None:
                not_found["ids"].append(raw)
            else:
                doomed[play.id] = play
        for ref in _list_field(data, "movies"):
            movie = catalog.resolve_ids("movie", _ids_of(ref))
            if movie is None:
                not_found["movies"].append(ref)
            else:
                take(HistoryFilter("movies", movie.trakt))
        for ref in _list_field(data, "shows"):
            for part in _show_parts(catalog, ref, not_found):
                if part.season is None:
                    take(HistoryFilter("shows", part.show.trakt))
                elif part.episode is None:
                    take(HistoryFilter("seasons", part.show.trakt * 1000 + part.season))
                else:
                    take(HistoryFilter("episodes", part.episode.trakt))
        for ref in _list_field(data, "seasons"):
            season_ref = catalog.resolve_season_ids(_ids_of(ref))
            if season_ref is None:
                not_found["seasons"].append(ref)
            else:
                take(HistoryFilter("seasons", season_ref.trakt))
        for ref in _list_field(data, "episodes"):
            episode = catalog.resolve_episode_ids(_ids_of(ref))
            if episode is None:
                not_found["episodes"].append(ref)
            else:
                take(HistoryFilter("episodes", episode.trakt))
        kinds = {play.type for play in doomed.values()}
        user.remove(set(doomed))
        user.touch_history({"episodes" if kind == "episode" else "movies" for kind in kinds})
    deleted = {
        "movies": sum(1 for play in doomed.values() if play.type == "movie"),
        "episodes": sum(1 for play in doomed.values() if play.type == "episode"),
    }
    return json_reply(200, {"deleted": deleted, "not_found": not_found})


def _watched_at(emu: Emulator, value: Any, kind: str, media_id: int, now: str) -> str:
    if value is None:
        return now
    if value == "released":
        released = emu.state.catalog.released_at(kind, media_id)
        return released if released is not None else now
    if value == "unknown":
        return UNKNOWN_WATCHED_AT
    if not isinstance(value, str):
        raise BadRequest(f"watched_at must be an ISO-8601 datetime, got {value!r}")
    try:
        return canonical_time(value)
    except ValueError:
        raise BadRequest(f"watched_at must be an ISO-8601 datetime, got {value!r}") from None


def add_history(emu: Emulator, req: Request) -> Reply:
    """``POST /sync/history``: new plays with new ids, action ``watch``, never de-duplicated."""
    assert req.user is not None
    data = _body(req)
    catalog = emu.state.catalog
    now = now_time()
    not_found = _not_found("movies", "shows", "seasons", "episodes", "people", "users")
    wanted: list[tuple[str, str, int]] = []  # (watched_at, type, media id)

    def add_episode(episode: EpisodeRef, stamp: Any) -> None:
        wanted.append(
            (_watched_at(emu, stamp, "episode", episode.trakt, now), "episode", episode.trakt)
        )

    for ref in _list_field(data, "movies"):
        movie = catalog.resolve_ids("movie", _ids_of(ref))
        if not isinstance(movie, MovieRecord):
            not_found["movies"].append(ref)
            continue
        wanted.append(
            (
                _watched_at(emu, ref.get("watched_at"), "movie", movie.trakt, now),
                "movie",
                movie.trakt,
            )
        )
    for ref in _list_field(data, "shows"):
        for part in _show_parts(catalog, ref, not_found):
            if part.episode is not None:
                add_episode(part.episode, part.stamp)
            else:
                for episode in catalog.episodes_of(part.show, part.season):
                    add_episode(episode, part.stamp)
    for ref in _list_field(data, "seasons"):
        season_ref = catalog.resolve_season_ids(_ids_of(ref))
        if season_ref is None:
            not_found["seasons"].append(ref)
            continue
        for episode in catalog.episodes_of(season_ref.show, season_ref.number):
            add_episode(episode, ref.get("watched_at"))
    for ref in _list_field(data, "episodes"):
        found = catalog.resolve_episode_ids(_ids_of(ref))
        if found is None:
            not_found["episodes"].append(ref)
        else:
            add_episode(found, ref.get("watched_at"))
    with emu.state.lock:
        ids = emu.state.new_history_ids(len(wanted))
        plays = [
            Play(stamp, play_id, "watch", kind, media_id)
            for play_id, (stamp, kind, media_id) in zip(ids, wanted, strict=True)
        ]
        req.user.insert(plays)
        req.user.touch_history(
            {"episodes" if play.type == "episode" else "movies" for play in plays}
        )
    added = {
        "movies": sum(1 for play in plays if play.type == "movie"),
        "episodes": sum(1 for play in plays if play.type == "episode"),
    }
    return json_reply(
        201, {"added": added, "updated": {"movies": 0, "episodes": 0}, "not_found": not_found}
    )


# -- search and media -----------------------------------------------------------------

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
    emu: Emulator,
    kind: str,
    item: ShowRecord | MovieRecord | EpisodeRef,
    score: float | None,
    full: bool,
) -> dict[str, Any]:
    catalog = emu.state.catalog
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
    emu: Emulator, types: Sequence[str], query: str, exact: bool
) -> list[tuple[float, str, int, ShowRecord | MovieRecord | EpisodeRef]]:
    catalog = emu.state.catalog
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


def search(emu: Emulator, req: Request) -> Reply:
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
        hits = _text_hits(emu, types, query, exact) if query.strip() else []
    page, headers = paginate(req, hits, SEARCH_LIMIT)
    full = _wants_full(req)
    body = [_media_entry(emu, kind, item, score, full) for score, kind, _, item in page]
    return json_reply(200, body, headers)


def lookup(emu: Emulator, req: Request) -> Reply:
    """``GET /search/{trakt|imdb|tmdb|tvdb}/{id}[?type=]``: score null, ``[]`` when nothing."""
    id_type, value = req.params["id_type"], req.params["id"]
    media_type = req.arg("type")
    if id_type not in ID_TYPES:
        return empty_reply(404)
    if media_type is not None and media_type not in SEARCH_TYPES:
        return error_reply(400, "invalid_type", f"unknown type {media_type!r}")
    if media_type in ("person", "list"):
        return json_reply(200, [])
    full = _wants_full(req)
    hits = emu.state.catalog.lookup(id_type, value, media_type)
    return json_reply(200, [_media_entry(emu, kind, item, None, full) for kind, item in hits])


def show_summary(emu: Emulator, req: Request) -> Reply:
    """``GET /shows/{id}`` by trakt id, slug or IMDB id."""
    show = emu.state.catalog.find_show(req.params["id"])
    if show is None:
        return empty_reply(404)
    return json_reply(200, emu.state.catalog.show_json(show, full=_wants_full(req)))


def movie_summary(emu: Emulator, req: Request) -> Reply:
    """``GET /movies/{id}`` by trakt id, slug or IMDB id."""
    movie = emu.state.catalog.find_movie(req.params["id"])
    if movie is None:
        return empty_reply(404)
    return json_reply(200, emu.state.catalog.movie_json(movie, full=_wants_full(req)))


def episode_summary(emu: Emulator, req: Request) -> Reply:
    """``GET /shows/{id}/seasons/{season}/episodes/{number}``."""
    catalog = emu.state.catalog
    show = catalog.find_show(req.params["id"])
    episode = (
        catalog.episode_at(show, int(req.params["season"]), int(req.params["episode"]))
        if show is not None
        else None
    )
    if episode is None:
        return empty_reply(404)
    return json_reply(200, catalog.episode_json(episode, full=_wants_full(req)))
