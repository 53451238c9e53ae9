"""Validation messages that both the models and the loader give, written once.

The loader sees a key written with no value before the models do; both must say the same
thing about it, whichever notices first.
"""

from __future__ import annotations

__all__ = ["EMPTY_DROP", "EMPTY_UNLESS", "EMPTY_WHEN", "MISSING_KEY"]

EMPTY_DROP = (
    "drop has no conditions, which would remove every play in scope; "
    "write `drop: {all: true}` if that is what you mean"
)
EMPTY_UNLESS = "unless has no conditions; remove it, or list the plays to spare"
EMPTY_WHEN = "when has no conditions; remove it to protect the whole scope"

# A required key left out, by its name (or `parent.name`): what to write instead.
MISSING_KEY = {
    "version": "the plan has no version; add `version: 1` at the top",
    "rules": "the plan has no rules; add a `rules:` list with at least one rule",
    "name": "this rule has no name; add `name:` (letters, digits, '_', '.', '-')",
    "drop": (
        "this rule has no drop:; list the conditions of the plays to remove "
        "(or `drop: {all: true}` for every play in scope)"
    ),
    "burst.plays": "burst needs plays:, like {plays: 5, within: 2m}",
    "burst.within": "burst needs within:, like {plays: 5, within: 2m}",
    "repeats.keep": "repeats needs keep: first or keep: last",
    "runtime_chain.plays": "runtime_chain needs plays:, like {plays: 5, tolerance: 0s}",
    "flood.plays": "flood needs plays:, like {plays: 200, timezone: Europe/Paris}",
}
