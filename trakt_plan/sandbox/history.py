"""The emulated history routes: read (paged, newest first), add and remove.

Each route is ``(context, request) -> Reply``; :mod:`trakt_plan.sandbox.app` has already
checked headers, the token and the rate limits. Shapes follow ``trakt-api.md`` sections
4 to 6 and the recorded bodies in ``tests/fixtures/trakt-responses``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from trakt_plan.sandbox.catalog import Catalog, EpisodeRef, MovieRecord, ShowRecord
from trakt_plan.sandbox.state import (
    HistoryFilter,
    Play,
    UserRecord,
    canonical_time,
    changed_kinds,
    now_time,
)
from trakt_plan.sandbox.wire import (
    BadRequest,
    Context,
    Reply,
    Request,
    empty_reply,
    json_reply,
    paginate,
)

HISTORY_LIMIT = 100
# What an add stamps on a play sent with `"watched_at": "unknown"`.
UNKNOWN_WATCHED_AT = "1970-01-01T00:00:00.000Z"
_ITEM_KEYS = ("movies", "shows", "seasons", "episodes")


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


def _stamp(ref: Any, inherited: Any = None) -> Any:
    return ref.get("watched_at", inherited) if isinstance(ref, dict) else inherited


def _list_field(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BadRequest(f"{key} must be an array")
    return value


def _body(req: Request) -> dict[str, Any]:
    if not isinstance(req.data, dict):
        raise BadRequest("the body must be a JSON object")
    return req.data


def _counts(plays: Iterable[Play]) -> dict[str, int]:
    kinds = [play.type for play in plays]
    return {"movies": kinds.count("movie"), "episodes": kinds.count("episode")}


# -- reading ----------------------------------------------------------------------------


def _history_owner(ctx: Context, req: Request) -> UserRecord | Reply:
    slug = req.params.get("user")
    if slug is None:
        assert req.user is not None
        return req.user
    if slug == "me":
        return req.user if req.user is not None else ctx.unauthorized("missing")
    owner = ctx.state.user_by_slug(slug)
    if owner is None:
        return empty_reply(404)
    if owner.profile.private and req.user is not owner:
        return ctx.unauthorized("missing") if req.user is None else empty_reply(403)
    return owner


def _item_exists(catalog: Catalog, media_type: str, item_id: int) -> bool:
    if media_type == "movies":
        return item_id in catalog.movies
    if media_type == "shows":
        return item_id in catalog.shows
    if media_type == "seasons":
        return catalog.season(item_id) is not None
    return catalog.episode(item_id) is not None


def history(ctx: Context, req: Request) -> Reply:
    """``GET /sync/history[/{type}[/{id}]]`` and ``/users/{user}/history[...]``, newest first."""
    owner = _history_owner(ctx, req)
    if isinstance(owner, Reply):
        return owner
    media_type = req.params.get("type")
    raw_id = req.params.get("id")
    item_id: int | None = None
    if raw_id is not None:
        if (
            not raw_id.isdigit()
            or media_type is None
            or not _item_exists(ctx.state.catalog, media_type, int(raw_id))
        ):
            return empty_reply(404)
        item_id = int(raw_id)
    wanted = HistoryFilter(
        media_type, item_id, _time_arg(req, "start_at"), _time_arg(req, "end_at")
    )
    with ctx.state.lock:
        page, headers = paginate(req, owner.view(wanted), HISTORY_LIMIT)
    full = req.extended("full")
    return json_reply(200, [ctx.state.play_json(play, full=full) for play in page], headers)


# -- what an add or remove body names ---------------------------------------------------


@dataclass(frozen=True)
class _Named:
    """One item of an add or remove body: a movie, or a show, one of its seasons or one
    episode, with the ``watched_at`` that applies to it (inherited downwards; adds only)."""

    stamp: Any
    movie: MovieRecord | None = None
    show: ShowRecord | None = None
    season: int | None = None
    episode: EpisodeRef | None = None

    def selector(self) -> HistoryFilter:
        """Which plays removing this item removes."""
        if self.movie is not None:
            return HistoryFilter("movies", self.movie.trakt)
        if self.episode is not None:
            return HistoryFilter("episodes", self.episode.trakt)
        assert self.show is not None
        if self.season is not None:
            return HistoryFilter("seasons", self.show.trakt * 1000 + self.season)
        return HistoryFilter("shows", self.show.trakt)

    def media(self, catalog: Catalog) -> list[tuple[str, int]]:
        """``(type, trakt id)`` of each play that adding this item adds."""
        if self.movie is not None:
            return [("movie", self.movie.trakt)]
        if self.episode is not None:
            return [("episode", self.episode.trakt)]
        assert self.show is not None
        return [("episode", e.trakt) for e in catalog.episodes_of(self.show, self.season)]


def _show_parts(catalog: Catalog, ref: Any, not_found: dict[str, list[Any]]) -> Iterator[_Named]:
    """Walk one ``{ids, seasons: [{number, episodes: [{number}]}]}`` entry; what the catalog
    lacks goes to ``not_found`` the way Trakt echoes it."""
    show = catalog.resolve_ids("show", _ids_of(ref))
    if not isinstance(show, ShowRecord):
        not_found["shows"].append(ref)
        return
    seasons = ref.get("seasons")
    if not isinstance(seasons, list):
        yield _Named(_stamp(ref), show=show)
        return
    for season in seasons:
        number = season.get("number") if isinstance(season, dict) else None
        if not isinstance(number, int) or number not in show.seasons:
            not_found["seasons"].append(season)
            continue
        season_stamp = _stamp(season, _stamp(ref))
        episodes = season.get("episodes")
        if not isinstance(episodes, list):
            yield _Named(season_stamp, show=show, season=number)
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
                yield _Named(_stamp(entry, season_stamp), show=show, episode=found)


def _named_items(
    catalog: Catalog, data: dict[str, Any], not_found: dict[str, list[Any]]
) -> Iterator[_Named]:
    """The items under ``movies``, ``shows``, ``seasons`` and ``episodes``, in that order."""
    for ref in _list_field(data, "movies"):
        movie = catalog.resolve_ids("movie", _ids_of(ref))
        if isinstance(movie, MovieRecord):
            yield _Named(_stamp(ref), movie=movie)
        else:
            not_found["movies"].append(ref)
    for ref in _list_field(data, "shows"):
        yield from _show_parts(catalog, ref, not_found)
    for ref in _list_field(data, "seasons"):
        season = catalog.resolve_season_ids(_ids_of(ref))
        if season is None:
            not_found["seasons"].append(ref)
        else:
            yield _Named(_stamp(ref), show=season.show, season=season.number)
    for ref in _list_field(data, "episodes"):
        episode = catalog.resolve_episode_ids(_ids_of(ref))
        if episode is None:
            not_found["episodes"].append(ref)
        else:
            yield _Named(_stamp(ref), show=episode.show, episode=episode)


# -- writing ----------------------------------------------------------------------------


def _plays_by_id(user: UserRecord, raw_ids: list[Any], not_found: list[Any]) -> dict[int, Play]:
    found: dict[int, Play] = {}
    for raw in raw_ids:
        play = user.by_id.get(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
        if play is None:
            not_found.append(raw)
        else:
            found[play.id] = play
    return found


def remove_history(ctx: Context, req: Request) -> Reply:
    """``POST /sync/history/remove``: by history ids, or every play of the named items."""
    assert req.user is not None
    data = _body(req)
    user = req.user
    not_found: dict[str, list[Any]] = {key: [] for key in (*_ITEM_KEYS, "ids", "people", "users")}
    with ctx.state.lock:
        doomed = _plays_by_id(user, _list_field(data, "ids"), not_found["ids"])
        for named in _named_items(ctx.state.catalog, data, not_found):
            doomed.update((play.id, play) for play in user.view(named.selector()))
        user.remove(set(doomed))
        user.touch_history(changed_kinds(doomed.values()))
    return json_reply(200, {"deleted": _counts(doomed.values()), "not_found": not_found})


def _watched_at(ctx: Context, value: Any, kind: str, media_id: int, now: str) -> str:
    if value is None:
        return now
    if value == "released":
        released = ctx.state.catalog.released_at(kind, media_id)
        return released if released is not None else now
    if value == "unknown":
        return UNKNOWN_WATCHED_AT
    if not isinstance(value, str):
        raise BadRequest(f"watched_at must be an ISO-8601 datetime, got {value!r}")
    try:
        return canonical_time(value)
    except ValueError:
        raise BadRequest(f"watched_at must be an ISO-8601 datetime, got {value!r}") from None


def add_history(ctx: Context, req: Request) -> Reply:
    """``POST /sync/history``: new plays with new ids, action ``watch``, never de-duplicated."""
    assert req.user is not None
    data = _body(req)
    catalog = ctx.state.catalog
    now = now_time()
    not_found: dict[str, list[Any]] = {key: [] for key in (*_ITEM_KEYS, "people", "users")}
    wanted = [
        (_watched_at(ctx, named.stamp, kind, media_id, now), kind, media_id)
        for named in _named_items(catalog, data, not_found)
        for kind, media_id in named.media(catalog)
    ]
    with ctx.state.lock:
        ids = ctx.state.new_history_ids(len(wanted))
        plays = [
            Play(stamp, play_id, "watch", kind, media_id)
            for play_id, (stamp, kind, media_id) in zip(ids, wanted, strict=True)
        ]
        req.user.insert(plays)
        req.user.touch_history(changed_kinds(plays))
    return json_reply(
        201,
        {"added": _counts(plays), "updated": {"movies": 0, "episodes": 0}, "not_found": not_found},
    )
