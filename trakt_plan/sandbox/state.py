"""Everything the emulated Trakt remembers: catalog, users and their plays, tokens, device codes.

One :class:`SandboxState` is shared by every request thread, so each public method takes
``state.lock`` (an ``RLock``: route handlers hold it across several calls). A user's plays
stay sorted oldest first by ``(watched_at, id)``; since Trakt timestamps written in the
canonical form sort as text in time order, range filters are two bisections and pages are
slices of a cached newest-first view, which keeps 100,000 plays fast.
"""

from __future__ import annotations

import bisect
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from trakt_plan.errors import ConfigError
from trakt_plan.fsutil import atomic_write
from trakt_plan.sandbox.catalog import EPISODE_ID_FACTOR, SEASON_ID_FACTOR, Catalog
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time

SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
STATE_FORMAT = "trakt-plan/sandbox-state"
STATE_VERSION = 1
DEFAULT_TOKEN_LIFETIME = 604_800
# Filtered history views kept per user; each is a list of references, not copies.
_MAX_VIEWS = 32

_watched_at = attrgetter("watched_at")


class Play(NamedTuple):
    """One history entry. Field order makes tuples sort by time, then id."""

    watched_at: str
    id: int
    action: str
    type: str  # "episode" or "movie"
    media_id: int  # episode or movie trakt id

    @property
    def show_id(self) -> int:
        return self.media_id // EPISODE_ID_FACTOR if self.type == "episode" else 0

    @property
    def season_id(self) -> int:
        if self.type != "episode":
            return 0
        season = (self.media_id % EPISODE_ID_FACTOR) // 100
        return self.show_id * SEASON_ID_FACTOR + season


def canonical_time(value: str | datetime) -> str:
    """Any accepted timestamp in Trakt's canonical form (which also sorts as text)."""
    if isinstance(value, datetime):
        return format_trakt_time(value)
    return format_trakt_time(parse_trakt_time(value))


def now_time() -> str:
    return format_trakt_time(datetime.now(UTC))


def changed_kinds(plays: Iterable[Play]) -> set[str]:
    """The ``last_activities`` groups (``episodes``, ``movies``) that these plays touch."""
    return {"episodes" if play.type == "episode" else "movies" for play in plays}


class HistoryFilter(NamedTuple):
    """What a history request selects; the key of the cached views."""

    media_type: str | None = None  # movies | shows | seasons | episodes
    item_id: int | None = None
    start_at: str | None = None
    end_at: str | None = None


_LAST_ACTIVITY_FIELDS: dict[str, tuple[str, ...]] = {
    "movies": (
        "watched_at",
        "collected_at",
        "rated_at",
        "watchlisted_at",
        "favorited_at",
        "recommendations_at",
        "commented_at",
        "paused_at",
        "hidden_at",
    ),
    "episodes": (
        "watched_at",
        "collected_at",
        "rated_at",
        "watchlisted_at",
        "commented_at",
        "paused_at",
    ),
    "shows": (
        "rated_at",
        "watchlisted_at",
        "favorited_at",
        "recommendations_at",
        "commented_at",
        "hidden_at",
        "dropped_at",
    ),
    "seasons": ("rated_at", "watchlisted_at", "commented_at", "hidden_at"),
    "comments": ("liked_at", "blocked_at"),
    "lists": ("liked_at", "updated_at", "commented_at"),
    "watchlist": ("updated_at",),
    "favorites": ("updated_at",),
    "recommendations": ("updated_at",),
    "collaborations": ("updated_at",),
    "account": ("settings_at", "followed_at", "following_at", "pending_at", "requested_at"),
    "saved_filters": ("updated_at",),
    "notes": ("updated_at",),
}


def blank_last_activities(at: str) -> dict[str, Any]:
    """Trakt's full ``/sync/last_activities`` shape with every stamp set to ``at``."""
    data: dict[str, Any] = {"all": at}
    for group, names in _LAST_ACTIVITY_FIELDS.items():
        data[group] = dict.fromkeys(names, at)
    return data


@dataclass
class UserProfile:
    """What ``GET /users/settings`` reports about a user."""

    username: str
    name: str
    timezone: str = "UTC"
    private: bool = False
    vip: bool = False
    vip_ep: bool = False
    uuid: str = ""
    joined_at: str = "2020-01-01T00:00:00.000Z"
    location: str | None = None
    about: str | None = None
    gender: str | None = None
    age: int | None = None
    date_format: str = "mdy"
    time_24hr: bool = False

    @property
    def slug(self) -> str:
        return self.username.lower()


class UserRecord:
    """A user's profile, activity stamps and plays, with cached filtered views."""

    def __init__(
        self, profile: UserProfile, last_activities: dict[str, Any], plays: list[Play]
    ) -> None:
        self.profile = profile
        self.last_activities = last_activities
        self.plays = sorted(plays)
        self.by_id: dict[int, Play] = {play.id: play for play in self.plays}
        if len(self.by_id) != len(self.plays):
            raise ValueError(f"user {profile.username}: duplicate history ids")
        self.version = 0
        self._views: dict[HistoryFilter, list[Play]] = {}
        self._views_version = 0

    def view(self, wanted: HistoryFilter) -> list[Play]:
        """Plays selected by ``wanted``, newest first. Callers must not mutate the list."""
        if self._views_version != self.version or len(self._views) >= _MAX_VIEWS:
            self._views.clear()
            self._views_version = self.version
        cached = self._views.get(wanted)
        if cached is not None:
            return cached
        low = (
            0
            if wanted.start_at is None
            else bisect.bisect_left(self.plays, wanted.start_at, key=_watched_at)
        )
        high = (
            len(self.plays)
            if wanted.end_at is None
            else bisect.bisect_right(self.plays, wanted.end_at, key=_watched_at)
        )
        selected = self.plays[low:high]
        media_type, item_id = wanted.media_type, wanted.item_id
        if media_type == "movies":
            selected = [p for p in selected if p.type == "movie" and item_id in (None, p.media_id)]
        elif media_type == "episodes":
            selected = [
                p for p in selected if p.type == "episode" and item_id in (None, p.media_id)
            ]
        elif media_type == "shows":
            selected = [p for p in selected if p.type == "episode" and item_id in (None, p.show_id)]
        elif media_type == "seasons":
            selected = [
                p for p in selected if p.type == "episode" and item_id in (None, p.season_id)
            ]
        selected.reverse()
        self._views[wanted] = selected
        return selected

    def insert(self, plays: Iterable[Play]) -> None:
        new = list(plays)
        if not new:
            return
        if len(new) > 64:
            self.plays.extend(new)
            self.plays.sort()
        else:
            for play in new:
                bisect.insort(self.plays, play)
        for play in new:
            self.by_id[play.id] = play
        self.version += 1

    def remove(self, ids: set[int]) -> None:
        if not ids:
            return
        self.plays = [play for play in self.plays if play.id not in ids]
        for play_id in ids:
            self.by_id.pop(play_id, None)
        self.version += 1

    def touch_history(self, kinds: Iterable[str]) -> None:
        """Move ``all`` and ``{kind}.watched_at`` strictly past their old values."""
        kinds = set(kinds)
        if not kinds:
            return
        stamps = [self.last_activities.get("all")]
        stamps += [self.last_activities.get(kind, {}).get("watched_at") for kind in kinds]
        stamp = _strictly_after(now_time(), [s for s in stamps if isinstance(s, str)])
        self.last_activities["all"] = stamp
        for kind in kinds:
            self.last_activities.setdefault(kind, {})["watched_at"] = stamp


def _strictly_after(candidate: str, previous: list[str]) -> str:
    latest = max(previous, default="")
    if candidate > latest:
        return candidate
    # Two changes in the same millisecond (or a clock behind the demo data): step 1 ms on.
    return format_trakt_time(parse_trakt_time(latest) + timedelta(milliseconds=1))


@dataclass
class TokenRecord:
    access_token: str
    refresh_token: str
    username: str
    created_at: int
    expires_in: int
    # expire_access_token() forces this; refreshing or revoking deletes the record.
    expired: bool = False

    def is_valid(self, now: float) -> bool:
        return not self.expired and now < self.created_at + self.expires_in

    def response(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": "public",
            "created_at": self.created_at,
        }


@dataclass
class DeviceRecord:
    """A device code between ``/oauth/device/code`` and its last poll (not persisted)."""

    device_code: str
    user_code: str
    client_id: str
    interval: float
    expires_at: float  # time.monotonic()
    status: str = "pending"  # pending | approved | denied | used | expired
    username: str | None = None
    pending_polls: int = 0
    last_poll: float | None = None
    token: dict[str, Any] | None = field(default=None, repr=False)


class SandboxState:
    """The whole emulated Trakt: catalog, users and history, tokens and device codes."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        default_user: str,
        client_id: str = SANDBOX_CLIENT_ID,
        client_secret: str = SANDBOX_CLIENT_SECRET,
        next_history_id: int = 1,
    ) -> None:
        self.lock = threading.RLock()
        self.catalog = catalog
        self.client_id = client_id
        self.client_secret = client_secret
        self.default_user = default_user
        self.users: dict[str, UserRecord] = {}
        self.tokens: dict[str, TokenRecord] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> access token
        self.devices: dict[str, DeviceRecord] = {}
        # Authorization codes (the PIN grant): code -> (username, time.monotonic() deadline).
        self.auth_codes: dict[str, tuple[str, float]] = {}
        self.next_history_id = next_history_id

    # -- users and plays ---------------------------------------------------------------

    def add_user(self, username: str, timezone: str = "UTC") -> None:
        """Create an empty account (name = username) with the given settings timezone."""
        with self.lock:
            if username in self.users:
                raise ValueError(f"user {username!r} already exists")
            profile = UserProfile(
                username=username,
                name=username,
                timezone=timezone,
                uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"trakt-plan-sandbox:{username}")),
            )
            self.users[username] = UserRecord(profile, blank_last_activities(now_time()), [])

    def user(self, username: str | None = None) -> UserRecord:
        with self.lock:
            name = username or self.default_user
            try:
                return self.users[name]
            except KeyError:
                raise ValueError(f"no sandbox user {name!r}") from None

    def user_by_slug(self, slug: str) -> UserRecord | None:
        with self.lock:
            lowered = slug.lower()
            for record in self.users.values():
                if record.profile.slug == lowered:
                    return record
            return None

    def new_history_ids(self, count: int) -> list[int]:
        with self.lock:
            first = self.next_history_id
            self.next_history_id += count
            return list(range(first, first + count))

    def add_plays(self, username: str, plays: list[dict[str, Any]]) -> list[int]:
        """Add plays ``{type, trakt_id, watched_at, action}`` (action defaults to "watch").

        Ids are new and greater than any before; the user's last activities move on.
        """
        with self.lock:
            record = self.user(username)
            ids = self.new_history_ids(len(plays))
            built: list[Play] = []
            for play_id, spec in zip(ids, plays, strict=True):
                kind = str(spec["type"])
                media_id = int(spec["trakt_id"])
                if kind == "episode" and self.catalog.episode(media_id) is None:
                    raise ValueError(f"episode {media_id} is not in the sandbox catalog")
                if kind == "movie" and media_id not in self.catalog.movies:
                    raise ValueError(f"movie {media_id} is not in the sandbox catalog")
                if kind not in ("episode", "movie"):
                    raise ValueError(f"play type must be 'episode' or 'movie', got {kind!r}")
                watched = spec.get("watched_at") or now_time()
                built.append(
                    Play(
                        canonical_time(watched),
                        play_id,
                        str(spec.get("action", "watch")),
                        kind,
                        media_id,
                    )
                )
            record.insert(built)
            record.touch_history(changed_kinds(built))
            return ids

    def history(self, username: str | None = None) -> list[dict[str, Any]]:
        """That user's plays in Trakt's JSON shape, newest first (fresh dicts)."""
        with self.lock:
            plays = list(self.user(username).view(HistoryFilter()))
        return [self.play_json(play) for play in plays]

    def play_json(self, play: Play, *, full: bool = False) -> dict[str, Any]:
        """One play as ``/sync/history`` shows it."""
        data: dict[str, Any] = {
            "id": play.id,
            "watched_at": play.watched_at,
            "action": play.action,
            "type": play.type,
        }
        if play.type == "movie":
            data["movie"] = self.catalog.movie_json(self.catalog.movies[play.media_id], full=full)
        else:
            episode = self.catalog.episode(play.media_id)
            if episode is None:
                raise ValueError(f"play {play.id}: episode {play.media_id} is not in the catalog")
            data["episode"] = self.catalog.episode_json(episode, full=full)
            data["show"] = self.catalog.show_json(episode.show, full=full)
        return data

    # -- tokens ------------------------------------------------------------------------

    def issue_token(
        self, username: str | None = None, lifetime: int | None = None
    ) -> dict[str, Any]:
        """A fresh access/refresh pair for the user, as ``/oauth/token`` would return it."""
        with self.lock:
            name = self.user(username).profile.username
            record = TokenRecord(
                access_token=secrets.token_hex(32),
                refresh_token=secrets.token_hex(32),
                username=name,
                created_at=int(time.time()),
                expires_in=DEFAULT_TOKEN_LIFETIME if lifetime is None else lifetime,
            )
            self.tokens[record.access_token] = record
            self.refresh_tokens[record.refresh_token] = record.access_token
            return record.response()

    def issue_authorization_code(self, username: str | None = None, lifetime: float = 600) -> str:
        """A single-use code (Trakt's PIN) that ``/oauth/token`` exchanges for tokens."""
        with self.lock:
            name = self.user(username).profile.username
            code = secrets.token_hex(4).upper()
            self.auth_codes[code] = (name, time.monotonic() + lifetime)
            return code

    def redeem_authorization_code(self, code: str) -> str | None:
        """The user an unexpired, unused code was issued for; the code is spent."""
        with self.lock:
            username, deadline = self.auth_codes.pop(code.strip().upper(), ("", 0.0))
            return username if username and time.monotonic() < deadline else None

    def token_user(self, access_token: str) -> UserRecord | None:
        """The user a still-valid access token belongs to."""
        with self.lock:
            record = self.tokens.get(access_token)
            if record is None or not record.is_valid(time.time()):
                return None
            return self.users.get(record.username)

    def drop_token(self, access_token: str) -> None:
        with self.lock:
            record = self.tokens.pop(access_token, None)
            if record is not None:
                self.refresh_tokens.pop(record.refresh_token, None)

    # -- persistence -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": STATE_FORMAT,
                "version": STATE_VERSION,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "default_user": self.default_user,
                "next_history_id": self.next_history_id,
                "catalog": self.catalog.to_json(),
                "users": {
                    name: {
                        "settings": asdict(record.profile),
                        "last_activities": record.last_activities,
                        # Compact rows: [id, watched_at, action, type, media trakt id].
                        "history": [
                            [p.id, p.watched_at, p.action, p.type, p.media_id] for p in record.plays
                        ],
                    }
                    for name, record in self.users.items()
                },
                "tokens": [asdict(token) for token in self.tokens.values()],
            }

    def save(self, path: Path) -> None:
        """Write the state to ``path`` atomically (device codes are not kept)."""
        text = json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)
        atomic_write(Path(path), text + "\n", mode=0o600)

    @classmethod
    def from_json(cls, data: Any, *, source: str = "the sandbox state") -> SandboxState:
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ConfigError(
                f"{source} is not a trakt-plan sandbox state file (expected "
                f'"format": "{STATE_FORMAT}"). Delete it or run `trakt-plan sandbox reset` '
                "to start again from the demo data."
            )
        if data.get("version") != STATE_VERSION:
            raise ConfigError(
                f"{source} is a sandbox state of version {data.get('version')!r}; this "
                f"trakt-plan reads version {STATE_VERSION}. Run `trakt-plan sandbox reset`."
            )
        try:
            state = cls(
                Catalog.from_json(data["catalog"]),
                default_user=data["default_user"],
                client_id=data["client_id"],
                client_secret=data["client_secret"],
                next_history_id=int(data["next_history_id"]),
            )
            for name, user in data["users"].items():
                plays = [
                    Play(str(row[1]), int(row[0]), str(row[2]), str(row[3]), int(row[4]))
                    for row in user["history"]
                ]
                state.users[name] = UserRecord(
                    UserProfile(**user["settings"]), user["last_activities"], plays
                )
            for token in data["tokens"]:
                record = TokenRecord(**token)
                state.tokens[record.access_token] = record
                state.refresh_tokens[record.refresh_token] = record.access_token
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ConfigError(
                f"{source} is damaged ({type(exc).__name__}: {exc}). Run "
                "`trakt-plan sandbox reset` to start again from the demo data."
            ) from None
        return state

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        """Read a state written by :meth:`save`; anything else raises ``ConfigError``."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no sandbox state file there.") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f"{path} is not a trakt-plan sandbox state file ({exc}). Delete it or run "
                "`trakt-plan sandbox reset`."
            ) from None
        return cls.from_json(data, source=str(path))
