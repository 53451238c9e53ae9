"""Ctrl-C between batches, never inside one: the journal always describes what was sent."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any, Self

__all__ = ["DeferredInterrupt"]


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
