"""Apply a saved plan and undo it: journaled, resumable batches of history writes.

:mod:`~trakt_plan.apply.engine` runs an apply (preflight, then batches of removals) and
:mod:`~trakt_plan.apply.undo` the way back. Their decisions are pure and live apart:
:mod:`~trakt_plan.apply.resume` (what is pending, in flight, settled),
:mod:`~trakt_plan.apply.guards` (refusals before anything is sent) and
:mod:`~trakt_plan.apply.drift` (the plan against the live history). The journal is
:mod:`~trakt_plan.apply.records` (typed records), :mod:`~trakt_plan.apply.journal` (the file)
and :mod:`~trakt_plan.apply.lock`; :mod:`~trakt_plan.apply.lifecycle` says which journal
belongs to which plan file. Import from the submodules; this package module stays empty so
the journal loads on its own.
"""
