"""What an apply and an undo need from the Trakt client and from a progress bar.

:class:`~trakt_plan.trakt.client.TraktClient` implements both client protocols; tests use an
in-memory fake (the way pip-tools tests ``sync`` against a ``FakeRepository``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from trakt_plan.fetch import HistoryClient
from trakt_plan.trakt.models import (
    AddResult,
    LastActivities,
    PlayToAdd,
    RemoveResult,
    UserSettings,
)

__all__ = ["ApplyClient", "ApplyProgress", "UndoClient"]


class ApplyProgress(Protocol):
    """Where the engine reports progress (the CLI draws a bar; tests count)."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def finish(self) -> None: ...


class ApplyClient(HistoryClient, Protocol):
    """The part of :class:`~trakt_plan.trakt.client.TraktClient` an apply uses."""

    def user_settings(self) -> UserSettings: ...

    def last_activities(self) -> LastActivities: ...

    def remove_history(self, ids: Sequence[int]) -> RemoveResult: ...


class UndoClient(HistoryClient, Protocol):
    """The part of :class:`~trakt_plan.trakt.client.TraktClient` an undo uses."""

    def user_settings(self) -> UserSettings: ...

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult: ...
