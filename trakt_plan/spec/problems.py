"""Problems found in a plan file: located, worded for its author, and how they are told apart.

The loader (:mod:`.load`) finds them in two places: while it turns YAML nodes into data
(duplicate keys, refused tags) and in pydantic's errors on that data. This module gives
both the same form (``file:line:col: message (at key.path)``) and turns pydantic's
locations and error kinds into the plan's key paths and words ("unknown key 'shw' in a
rule; did you mean 'show'?").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from trakt_plan.errors import SpecError
from trakt_plan.spec.accidents import AtRelease, Flood, RuntimeChain
from trakt_plan.spec.conditions import Burst, Conditions, Repeats
from trakt_plan.spec.messages import MISSING_KEY
from trakt_plan.spec.model import PlanSpec, ProtectEntry, Rule

__all__ = [
    "Fatal",
    "Loc",
    "Problem",
    "data_loc",
    "follows_from",
    "key_path",
    "located_error",
    "missing_key",
    "short",
    "unknown_key",
]

Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the file; sorted so that the first in the file comes first."""

    # 0: the version (nothing else means much under another version), 1: the rest,
    # 2: missing keys, as an unknown key nearby ("rule:") usually explains them.
    rank: int
    line: int
    column: int
    message: str
    key_path: str


class Fatal(SpecError):
    """A problem after which the rest of the file cannot be read (an alias bomb, deep nesting)."""


def located_error(
    filename: str,
    line: int,
    column: int,
    key_path: str,
    text: str,
    suffix: str = "",
    kind: type[SpecError] = SpecError,
) -> SpecError:
    at = f" (at {key_path})" if key_path else ""
    error = kind(
        f"{filename}:{line}:{column}: {text}{at}{suffix}",
        file=filename,
        line=line,
        column=column,
        key_path=key_path,
    )
    # SpecError keeps the full line in str(); `reason` is the message alone, for tests and UIs.
    error.reason = text
    return error


def follows_from(key_path: str, left_out: list[str]) -> bool:
    """Whether a model's problem at ``key_path`` is about an entry the loader left out (or a
    mapping that holds one): then it repeats, less clearly, a problem already reported."""

    def within(inner: str, outer: str) -> bool:
        return inner == outer or not outer or inner.startswith((outer + ".", outer + "["))

    return any(within(key_path, gone) or within(gone, key_path) for gone in left_out)


def short(name: str) -> str:
    """A key as shown in messages: escaped when it holds control characters (so an error
    stays one line and cannot drive the terminal), and cut when it is a pasted paragraph."""
    shown = name if name.isprintable() else repr(name)[1:-1]
    return shown if len(shown) <= 60 else shown[:57] + "..."


def key_path(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{short(part)}" if text else short(part)
    return text


def data_loc(raw: tuple[Any, ...], data: Any) -> Loc:
    """The part of a pydantic location that names keys and indexes of the data.

    pydantic may insert validator or union-member names (``function-after[...]``); they
    are dropped by following the location through the data itself. The last part may
    name a key that is not there: the missing one.
    """
    loc: list[str | int] = []
    current = data
    for index, part in enumerate(raw):
        if isinstance(current, dict) and isinstance(part, str):
            if part in current:
                loc.append(part)
                current = current[part]
            elif index == len(raw) - 1:
                loc.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            loc.append(part)
            current = current[part]
    return tuple(loc)


_BLOCK_NAMES = {"drop": Conditions, "unless": Conditions, "when": Conditions}
_NESTED: dict[str, type[BaseModel]] = {
    **_BLOCK_NAMES,
    "burst": Burst,
    "repeats": Repeats,
    "runtime_chain": RuntimeChain,
    "at_release": AtRelease,
    "flood": Flood,
}


def _model_at(loc: Loc) -> tuple[type[BaseModel] | None, str]:
    """Which model (and how to name it) the mapping at ``loc`` is validated as."""
    if not loc:
        return PlanSpec, "the plan"
    last = loc[-1]
    if isinstance(last, int) and len(loc) >= 2:
        if loc[-2] == "rules":
            return Rule, "a rule"
        if loc[-2] == "protect":
            return ProtectEntry, "a protect entry"
    if isinstance(last, str) and last in _NESTED:
        return _NESTED[last], last
    return None, key_path(loc) or "the plan"


def unknown_key(loc: Loc) -> str:
    key = str(loc[-1])
    model, where = _model_at(loc[:-1])
    message = f"unknown key {short(key)!r} in {where}"
    if model is None:
        return message
    allowed = list(model.model_fields)
    by_lower = {name.lower(): name for name in allowed}
    # difflib is quadratic; nobody mistypes a key that long.
    close = (
        difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.6)
        if len(key) <= 64
        else []
    )
    if model is Rule and key in Conditions.model_fields:
        return f"{message}; conditions go under drop: (or unless:)"
    if model is Conditions and key in Rule.model_fields:
        return f"{message}; {key} belongs to the rule itself, beside drop:"
    if close:
        return f"{message}; did you mean {by_lower[close[0]]!r}?"
    extra = " (or a name starting with x- to hold YAML anchors)" if model is PlanSpec else ""
    return f"{message}; expected one of: {', '.join(allowed)}{extra}"


def missing_key(loc: Loc) -> str:
    key = str(loc[-1])
    parent = loc[-2] if len(loc) >= 2 and isinstance(loc[-2], str) else ""
    message = MISSING_KEY.get(f"{parent}.{key}") or MISSING_KEY.get(key)
    return message or f"missing required key {key!r}"
