"""Jobs on a few worker threads, their results back on the calling thread; Ctrl-C where it is safe.

CPython's ``threading`` and ``concurrent.futures`` do not survive a KeyboardInterrupt raised
inside them. One raised after a Condition has let go of its lock to wait, and before the
``try`` that takes it back, makes the ``with`` around the wait release the lock twice:
``RuntimeError: release unlocked lock`` instead of a Ctrl-C. One raised inside
``concurrent.futures.wait`` can leave a future's lock held, and the shutdown after it waits
for ever. A thread waiting for workers spends its time in exactly that code (every ``submit``
waits on a semaphore's Condition), so on a busy machine a Ctrl-C lands there now and then.

So while jobs run, Ctrl-C only leaves a message. The waiting thread reads it and raises
KeyboardInterrupt from its own code, after cancelling the jobs not started and waiting for
those in flight. Runs inside a job (a read that pages) get the message too and stop as well.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from queue import Empty, SimpleQueue
from types import FrameType
from typing import TypeVar, cast

__all__ = ["run_all"]

T = TypeVar("T")

# What the Ctrl-C handler leaves in the inbox of every run.
_CTRL_C = object()
# The kernel may hand SIGINT to a worker thread, which does not wake the waiting main
# thread; Python runs the handler once the main thread runs again, at most this much later.
_WAKE_EVERY = 0.1


class _CtrlC:
    """A Ctrl-C while jobs run: a flag, and a message to every run that waits for jobs."""

    def __init__(self) -> None:
        self.pressed = False
        self.inboxes: set[SimpleQueue[object]] = set()

    def handle(self, signum: int, frame: FrameType | None) -> None:
        # No lock here: the handler runs on the main thread wherever it was, maybe inside one.
        # SimpleQueue.put is reentrant, which is what makes it safe in a signal handler.
        self.pressed = True
        for inbox in list(self.inboxes):
            inbox.put(_CTRL_C)


_ctrl_c = _CtrlC()


def run_all(
    jobs: Sequence[Callable[[], T]],
    *,
    workers: int,
    name: str,
    on_done: Callable[[int], None] | None = None,
) -> list[T]:
    """Run ``jobs`` on up to ``workers`` threads named ``name``; their results, in job order.

    ``on_done(count)`` runs on the calling thread each time one more job has finished. The
    first failure cancels the jobs not started; once those running have ended, the failure
    of the earliest job is raised (jobs start in order, so every earlier job has ended too).
    A Ctrl-C ends the run the same way, with KeyboardInterrupt.
    """
    inbox: SimpleQueue[object] = SimpleQueue()
    futures: list[Future[T]] = []
    with _ctrl_c_posted_to(inbox):
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        try:
            for job in jobs:
                if _ctrl_c.pressed:
                    raise KeyboardInterrupt
                futures.append(executor.submit(job))
                futures[-1].add_done_callback(inbox.put)
            _collect(inbox, len(futures), on_done)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
    return [future.result() for future in futures]


def _collect(inbox: SimpleQueue[object], count: int, on_done: Callable[[int], None] | None) -> None:
    """Wait for ``count`` jobs, or for the first to fail, or for a Ctrl-C."""
    for done in range(1, count + 1):
        message = _next(inbox)
        if message is _CTRL_C:
            raise KeyboardInterrupt
        if cast(Future[object], message).exception() is not None:
            return
        if on_done is not None:
            on_done(done)


def _next(inbox: SimpleQueue[object]) -> object:
    while True:
        try:
            return inbox.get(timeout=_WAKE_EVERY)
        except Empty:
            continue


@contextmanager
def _ctrl_c_posted_to(inbox: SimpleQueue[object]) -> Iterator[None]:
    """Ctrl-C as a message in ``inbox``; the outermost run on the main thread takes SIGINT."""
    takes_sigint = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )
    previous = signal.signal(signal.SIGINT, _ctrl_c.handle) if takes_sigint else None
    _ctrl_c.inboxes.add(inbox)
    pressed = False
    try:
        yield
    finally:
        _ctrl_c.inboxes.discard(inbox)
        if takes_sigint:
            signal.signal(signal.SIGINT, previous)
            pressed, _ctrl_c.pressed = _ctrl_c.pressed, False
    if pressed:
        # Pressed as the last job ended: still a Ctrl-C, raised here rather than lost.
        raise KeyboardInterrupt
