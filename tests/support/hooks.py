"""Faults injected around a write: the n-th remove or add call goes through a hook.

A hook gets the call's number (from 1), its payload and the real write, and returns the
answer or raises. One hook serves both the in-memory account (``FakeTrakt.on_remove`` and
``on_add``) and a real client on the emulator, wrapped in :class:`Hooked`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from trakt_plan.trakt.models import AddResult, PlayToAdd, RemoveResult

RemoveHook = Callable[[int, Sequence[int], Callable[[Sequence[int]], RemoveResult]], RemoveResult]
AddHook = Callable[
    [int, Sequence[PlayToAdd], Callable[[Sequence[PlayToAdd]], AddResult]], AddResult
]

_Payload = TypeVar("_Payload")
_Answer = TypeVar("_Answer")


class WriteHook(Protocol):
    """A hook that fits removes and adds alike."""

    def __call__(
        self, n: int, payload: Sequence[_Payload], write: Callable[[Sequence[_Payload]], _Answer], /
    ) -> _Answer: ...


def answer_lost(at: int, error: BaseException) -> WriteHook:
    """The ``at``-th write reaches Trakt, then ``error`` is raised instead of its answer (a
    dropped connection, a 524, a kill between the request and the journal)."""

    def hook(
        n: int, payload: Sequence[_Payload], write: Callable[[Sequence[_Payload]], _Answer]
    ) -> _Answer:
        answer = write(payload)
        if n == at:
            raise error
        return answer

    return hook


class Hooked:
    """A client whose removes and adds go through hooks; every other call reaches it as is."""

    def __init__(
        self, client: Any, *, on_remove: RemoveHook | None = None, on_add: AddHook | None = None
    ) -> None:
        self._client = client
        self.on_remove = on_remove
        self.on_add = on_add
        self.removes = 0
        self.adds = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def remove_history(self, ids: Sequence[int]) -> RemoveResult:
        self.removes += 1
        send: Callable[[Sequence[int]], RemoveResult] = self._client.remove_history
        return send(ids) if self.on_remove is None else self.on_remove(self.removes, ids, send)

    def add_history(self, plays: Sequence[PlayToAdd]) -> AddResult:
        self.adds += 1
        send: Callable[[Sequence[PlayToAdd]], AddResult] = self._client.add_history
        return send(plays) if self.on_add is None else self.on_add(self.adds, plays, send)
