"""Apply a saved plan and undo it: journaled, resumable batches of history writes.

:mod:`~trakt_plan.apply.journal` is the write-ahead log and its lock (no network),
:mod:`~trakt_plan.apply.engine` the apply (preflight, then batches of removals) and
:mod:`~trakt_plan.apply.undo` the way back (re-adding what an apply removed). Import
from the submodules; this package module stays empty so the journal loads on its own.
"""
