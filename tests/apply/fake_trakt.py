"""An in-memory Trakt account implementing the apply and undo client protocols.

The way pip-tools tests ``sync`` against a ``FakeRepository``: no socket, no thread, every
write recorded, and faults injected per call (``on_remove`` / ``on_add`` hooks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from trakt_plan.planfile import SavedPlan, make_saved_plan
from trakt_plan.planner import build_plan
from trakt_plan.spec.load import load_spec_text
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.client import ClientStats
from trakt_plan.trakt.models import (
    Account,
    AddResult,
    Counts,
    HistoryItem,
    LastActivities,
    NotFound,
    PlayToAdd,
    RemoveResult,
    User,
    UserSettings,
    WatchedActivity,
)

USERNAME = "fake-user"
API_BASE = "fake:"
SHOW = {"title": "Agents of S.H.I.E.L.D.", "year": 2013, "ids": {"trakt": 1394}}


def episode_play(
    history_id: int, episode: int, watched_at: str, *, trakt: int | None = 0, action: str = "watch"
) -> HistoryItem:
    """A play of season 1, ``episode`` of the fake show (episode trakt id 5000 + episode).

    ``trakt=None`` makes the play Trakt sends at times: its episode without a trakt id.
    """
    data = {
        "id": history_id,
        "watched_at": watched_at,
        "action": action,
        "type": "episode",
        "show": SHOW,
        "episode": {
            "season": 1,
            "number": episode,
            "ids": {"trakt": 5000 + episode if trakt == 0 else trakt},
        },
    }
    return HistoryItem.model_validate(data)


def movie_play(number: int) -> HistoryItem:
    """The ``number``-th movie night of 2020 (history id 900 + number, movie 7000 + number)."""
    return HistoryItem.model_validate(
        {
            "id": 900 + number,
            "watched_at": format_trakt_time(
                datetime(2020, 1, 1, 20, tzinfo=UTC) + timedelta(days=number)
            ),
            "action": "scrobble",
            "type": "movie",
            "movie": {"title": f"Movie {number}", "year": 2000, "ids": {"trakt": 7000 + number}},
        }
    )


class FakeTrakt:
    """One account's history in a dict; answers like Trakt, counts every write."""

    def __init__(
        self, plays: Sequence[HistoryItem], *, timezone: str = "UTC", filler: int = 40
    ) -> None:
        # Years of ordinary movie nights before the story, as a real account has: a cleanup
        # of the story's plays is then a small share of the history.
        plays = [*(movie_play(n) for n in range(1, filler + 1)), *plays]
        self.plays: dict[int, HistoryItem] = {play.id: play for play in plays}
        self.media = {play.media_trakt_id: play for play in plays}
        self.timezone = timezone
        self.next_id = max(self.plays, default=0) + 1_000
        self.changed = datetime(2026, 1, 1, tzinfo=UTC)
        self.removes: list[tuple[int, ...]] = []
        self.adds: list[list[PlayToAdd]] = []
        self.reads = 0
        # Counted like TraktClient.stats: one POST per write call (a hook may add retries).
        self.stats = ClientStats()
        # Hooks called with (call number, payload, real write): return its answer or raise.
        self.on_remove: Callable[[int, Sequence[int], Any], RemoveResult] | None = None
        self.on_add: Callable[[int, Sequence[PlayToAdd], Any], AddResult] | None = None

    # -------------------------------------------------------------- the protocols

    def user_settings(self) -> UserSettings:
        return UserSettings(user=User(username=USERNAME), account=Account(timezone=self.timezone))

    def last_activities(self) -> LastActivities:
        mark = WatchedActivity(watched_at=self.changed)
        return LastActivities(episodes=mark, movies=mark)

    def history(
        self,
        *,
        media_type: str | None = None,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[HistoryItem]:
        self.reads += 1
        if on_page is not None:
            on_page(1, 1)
        kind = media_type.rstrip("s") if media_type else None
        found = [
            play
            for play in self.plays.values()
            if kind in (None, play.type)
            and item_id in (None, play.media_trakt_id)
            and (start_at is None or play.watched_at >= start_at)
            and (end_at is None or play.watched_at <= end_at)
        ]
        return sorted(found, key=lambda p: (p.watched_at, p.id), reverse=True)

    def remove_history(self, ids: Sequence[int]) -> RemoveResult:
        self.removes.append(tuple(ids))
        self.stats.count_request("POST")
        if self.on_remove is not None:
            return self.on_remove(len(self.removes), ids, self.really_remove)
        return self.really_remove(ids)

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult:
        self.adds.append(list(plays))
        self.stats.count_request("POST")
        if self.on_add is not None:
            return self.on_add(len(self.adds), plays, self.really_add)
        return self.really_add(plays)

    # -------------------------------------------------------------- what a write does

    def really_remove(self, ids: Sequence[int]) -> RemoveResult:
        """Remove ``ids`` as Trakt does: the missing ones come back as ``not_found``."""
        gone = [i for i in ids if i not in self.plays]
        removed = [self.plays.pop(i) for i in ids if i in self.plays]
        self.touch()
        return RemoveResult(
            deleted=Counts(
                episodes=sum(p.type == "episode" for p in removed),
                movies=sum(p.type == "movie" for p in removed),
            ),
            not_found=NotFound(ids=gone),
        )

    def really_add(self, plays: Sequence[PlayToAdd]) -> AddResult:
        """Add a new play (new id, ``watch``) for every entry whose media is known."""
        unknown = []
        added = Counts()
        for play in plays:
            template = self.media.get(play.trakt_id)
            if template is None:
                unknown.append({"ids": {"trakt": play.trakt_id}})
                continue
            self.insert(template, watched_at=play.watched_at)
            field = "episodes" if play.type == "episode" else "movies"
            added = added.model_copy(update={field: getattr(added, field) + 1})
        self.touch()
        return AddResult(added=added, not_found=NotFound(episodes=unknown))

    def insert(self, template: HistoryItem, *, watched_at: datetime) -> int:
        """A new play of ``template``'s media at ``watched_at`` (another app, or an add)."""
        self.next_id += 1
        self.plays[self.next_id] = template.model_copy(
            update={"id": self.next_id, "watched_at": watched_at, "action": "watch"}
        )
        return self.next_id

    def touch(self) -> None:
        self.changed += timedelta(seconds=1)

    # -------------------------------------------------------------- looking at it

    def keys(self) -> dict[tuple[int, str], int]:
        """How many plays each (media, watched_at) has: what an exact undo restores."""
        counts: dict[tuple[int, str], int] = {}
        for play in self.plays.values():
            key = (play.media_trakt_id or 0, format_trakt_time(play.watched_at))
            counts[key] = counts.get(key, 0) + 1
        return counts


def plan_for(fake: FakeTrakt, yaml_text: str) -> SavedPlan:
    """What `trakt-plan plan` saves for ``yaml_text`` over the fake's history (no network)."""
    spec = load_spec_text(yaml_text, "plan.yaml")
    history = sorted(fake.plays.values(), key=lambda p: (p.watched_at, p.id), reverse=True)
    result = build_plan(spec, {}, history, timezone="UTC")
    now = parse_trakt_time("2026-01-02T00:00:00.000Z")
    return make_saved_plan(
        result,
        spec=spec,
        resolved={},
        source_path="plan.yaml",
        source_text=yaml_text,
        username=USERNAME,
        api_base=API_BASE,
        last_activities=fake.last_activities().history_marks(),
        fetched_at=now,
        created_at=now,
        history=history,
    )
