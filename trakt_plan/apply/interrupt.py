"""Ctrl-C between batches, never inside one: the journal always describes what was sent."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any, Protocol, Self, TypeVar

__all__ = ["DeferredInterrupt"]


class _Numbered(Protocol):
    @property
    def number(self) -> int: ...


_B = TypeVar("_B", bound=_Numbered)


class DeferredInterrupt:
    """Holds Ctrl-C until the batch in flight is journaled (main thread only).

    The first SIGINT only sets :attr:`requested`; the loop checks it between batches. A
    second one raises ``KeyboardInterrupt`` at once: the journal still has the batch's
    intent, so the next run re-sends it.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._installed = False

    def each(self, batches: Iterable[_B], notify: Callable[[str], None]) -> Iterator[_B]:
        """The batches in turn, until a Ctrl-C: then a ``KeyboardInterrupt`` before the next."""
        for batch in batches:
            if self.requested:
                notify(f"stopped before batch {batch.number} on an interrupt.")
                raise KeyboardInterrupt
            yield batch

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            # A process told to ignore Ctrl-C keeps ignoring it.
            if previous is not signal.SIG_IGN:
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
                self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(
                signal.SIGINT, self._previous if self._previous is not None else signal.SIG_DFL
            )
            self._installed = False
