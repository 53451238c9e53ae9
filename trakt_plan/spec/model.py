"""The plan language as pydantic models (section 2 of the product contract): the plan, its
rules and protect entries, and the scopes they name.

Every model is frozen and refuses unknown keys. Values arrive either from YAML
(through :mod:`trakt_plan.spec.load`) or from the JSON a saved plan embeds, so each
field accepts the text forms a person writes and dumps back to those same forms:
``PlanSpec.model_validate(spec.model_dump(mode="json"))`` gives back an equal spec.
The value forms live in :mod:`.values` and :mod:`.episodes`, the conditions in
:mod:`.conditions`.

Validation messages are written for the person who wrote the YAML. A failure that
concerns a value *below* the model being validated (the ``after`` inside a rule's
``drop``) raises :class:`~trakt_plan.spec.values.SpecIssue` with the relative path, so
the loader can point at the exact line and column. This module does no I/O.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator, model_validator

from trakt_plan import __version__
from trakt_plan.errors import SpecError
from trakt_plan.spec.conditions import EPISODE_ONLY_CONDITIONS, Conditions, check_window
from trakt_plan.spec.messages import EMPTY_DROP, EMPTY_UNLESS, EMPTY_WHEN
from trakt_plan.spec.values import (
    Instant,
    RelativeInstant,
    SpecIssue,
    SpecModel,
    as_list,
    checked,
    describe_value,
    format_instant,
    suggest,
    whole_number,
)

__all__ = [
    "HISTORY_SCOPES",
    "PlanSpec",
    "ProtectEntry",
    "Rule",
    "ScopeRef",
]

HISTORY_SCOPES: tuple[str, ...] = ("all", "episodes", "movies")
_RULE_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class ScopeRef(SpecModel):
    """What a rule or protect entry looks at; hashable, so it keys resolved scopes.

    ``kind`` is ``show``, ``movie`` or ``history``. For ``history`` the ``ref`` is
    ``all``, ``episodes`` or ``movies``; for shows and movies it is the reference as
    the user wrote it (id, slug, URL, ``imdb:tt...`` or title), which ``resolve``
    interprets.
    """

    kind: Literal["show", "movie", "history"]
    ref: str
    year: int | None = None

    @model_validator(mode="after")
    def _check_history_ref(self) -> ScopeRef:
        if self.kind == "history" and self.ref not in HISTORY_SCOPES:
            raise SpecIssue(
                f"history must be all, episodes or movies, got {describe_value(self.ref)}", ("ref",)
            )
        return self

    @property
    def movies_only(self) -> bool:
        """True when the scope holds no episode plays (a movie, or ``history: movies``)."""
        return self.kind == "movie" or (self.kind == "history" and self.ref == "movies")

    def __str__(self) -> str:
        year = f" ({self.year})" if self.year is not None else ""
        return f"{self.kind}: {self.ref}{year}"


def _check_media_refs(value: Any, name: str) -> str | tuple[str, ...] | None:
    """One reference, or a list of them (the rule's scope is then their union)."""
    if value is None:
        return None
    items = as_list(value)
    if items is None:
        return _check_media_ref(value, name)
    if not items:
        raise SpecIssue(f"{name} lists no {name}; name at least one")
    refs: list[str] = []
    for index, item in enumerate(items):
        try:
            refs.append(_check_media_ref(item, name))
        except SpecIssue as issue:
            raise SpecIssue(issue.message, (index,)) from None
    return tuple(dict.fromkeys(refs))


def _check_media_ref(value: Any, name: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise SpecIssue(
        f"{name} must be a Trakt id, slug, URL, imdb:/tvdb:/tmdb: id or exact title, "
        f"got {describe_value(value)}"
    )


def _check_history_ref(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in HISTORY_SCOPES:
        return value.strip()
    hint = suggest(value.strip(), HISTORY_SCOPES) if isinstance(value, str) else ""
    raise SpecIssue(f"history must be all, episodes or movies, got {describe_value(value)}{hint}")


def _check_year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1800 <= value <= 2999:
        return value
    raise SpecIssue(f"year must be a four-digit year like 2013, got {describe_value(value)}")


Refs = str | tuple[str, ...] | None


def _scope_of(
    owner: str, show: Refs, movie: Refs, history: str | None, year: int | None
) -> tuple[ScopeRef, ...]:
    given = [
        (kind, ref)
        for kind, ref in (("show", show), ("movie", movie), ("history", history))
        if ref is not None
    ]
    if not given:
        raise SpecIssue(f"{owner} needs a scope: one of show:, movie: or history:")
    if len(given) > 1:
        raise SpecIssue(
            f"{owner} has exactly one scope, but this one has both {given[0][0]}: "
            f"and {given[1][0]}:",
            (given[1][0],),
        )
    kind, ref = given[0]
    if year is not None and kind == "history":
        raise SpecIssue(
            "year only narrows a show: or movie: title, not a history: scope", ("year",)
        )
    if isinstance(ref, tuple):
        if year is not None and len(ref) > 1:
            raise SpecIssue(
                f"year narrows one title, but this {kind}: lists {len(ref)}; "
                "name each by its id or slug instead",
                ("year",),
            )
        return tuple(ScopeRef(kind=kind, ref=one, year=year) for one in ref)
    return (ScopeRef(kind=kind, ref=ref, year=year),)


def _check_episode_only(
    scopes: tuple[ScopeRef, ...], block: str, conditions: Conditions | None
) -> None:
    if conditions is None or not scopes[0].movies_only:
        return
    shown = str(scopes[0]) + "".join(f", {scope.ref}" for scope in scopes[1:])
    for name in EPISODE_ONLY_CONDITIONS:
        if getattr(conditions, name) is not None:
            raise SpecIssue(
                f"{name} only applies to episode plays, but this scope is {shown} "
                "(movies have no seasons or episodes)",
                (block, name),
            )


def _need_mapping(value: Any, what: str) -> Any:
    if not isinstance(value, dict | BaseModel):
        raise SpecIssue(f"{what}, got {describe_value(value)}")
    return value


def _check_block(value: Any, block: str) -> Any:
    if value is None or isinstance(value, Conditions):
        return value
    return _need_mapping(value, f"{block} must be a mapping of conditions (key: value lines)")


class _Scoped(SpecModel):
    """The scope keys a rule and a protect entry share: exactly one of show/movie/history."""

    # How error messages name the model ("a rule must have ..."), and what they say of a
    # value that is not a mapping at all.
    _what: ClassVar[str] = "a scope"
    _forms: ClassVar[str] = "a scope must be a mapping with show:, movie: or history:"

    show: str | tuple[str, ...] | None = None
    movie: str | tuple[str, ...] | None = None
    history: Literal["all", "episodes", "movies"] | None = None
    year: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _need_scoped_mapping(cls, value: Any) -> Any:
        return _need_mapping(value, cls._forms)

    @field_validator("show", "movie", mode="before")
    @classmethod
    def _check_ref(cls, value: Any, info: ValidationInfo) -> str | tuple[str, ...] | None:
        return _check_media_refs(value, str(info.field_name))

    @field_validator("history", mode="before")
    @classmethod
    def _check_history(cls, value: Any) -> str | None:
        return _check_history_ref(value)

    @field_validator("year", mode="before")
    @classmethod
    def _check_year(cls, value: Any) -> int | None:
        return _check_year(value)

    @property
    def scopes(self) -> tuple[ScopeRef, ...]:
        """The plays this rule looks at, or this entry protects: one scope per reference
        (``show: [a, b]`` names two, and the rule looks at their union)."""
        return _scope_of(self._what, self.show, self.movie, self.history, self.year)

    @property
    def scope(self) -> ScopeRef:
        """The first of :attr:`scopes`: the only one, unless the rule lists several."""
        return self.scopes[0]


class Rule(_Scoped):
    """One rule: a scope, an optional time window, what to ``drop`` and what to spare."""

    _what: ClassVar[str] = "a rule"
    _forms: ClassVar[str] = (
        "each rule must be a mapping with name:, a scope (show:, movie: or history:) and drop:"
    )

    name: str
    watched_from: Instant | None = None
    watched_until: Instant | None = None
    drop: Conditions
    unless: Annotated[Conditions | None, checked(_check_block, "unless")] = None

    @field_validator("name", mode="before")
    @classmethod
    def _check_name(cls, value: Any) -> str:
        if isinstance(value, str) and _RULE_NAME.fullmatch(value):
            return value
        raise SpecIssue(
            "a rule name is made of letters, digits, '_', '.' and '-' "
            f"(like aos-bulk), got {describe_value(value)}"
        )

    @field_validator("drop", mode="before")
    @classmethod
    def _check_drop(cls, value: Any) -> Any:
        if value is None:
            raise SpecIssue(EMPTY_DROP)
        return _check_block(value, "drop")

    @model_validator(mode="after")
    def _check_rule(self) -> Rule:
        scopes = self.scopes
        check_window(self.watched_from, self.watched_until)
        if self.drop.is_empty:
            raise SpecIssue(EMPTY_DROP, ("drop",))
        if self.unless is not None and self.unless.is_empty:
            raise SpecIssue(EMPTY_UNLESS, ("unless",))
        _check_episode_only(scopes, "drop", self.drop)
        _check_episode_only(scopes, "unless", self.unless)
        return self


class ProtectEntry(_Scoped):
    """A top-level ``protect:`` entry: plays no rule may remove (all of a scope, or ``when``)."""

    _what: ClassVar[str] = "a protect entry"
    _forms: ClassVar[str] = (
        "each protect entry must be a mapping like {show: 1394} or "
        "{show: 1394, when: {seasons: [3]}}"
    )

    when: Annotated[Conditions | None, checked(_check_block, "when")] = None

    @model_validator(mode="after")
    def _check_entry(self) -> ProtectEntry:
        scopes = self.scopes
        if self.when is not None and self.when.is_empty:
            raise SpecIssue(EMPTY_WHEN, ("when",))
        _check_episode_only(scopes, "when", self.when)
        return self


class PlanSpec(SpecModel):
    """A whole plan file: the rules whose deletions are unioned, and what to protect."""

    version: Literal[1]
    description: str | None = None
    max_deletions: int = 5000
    rules: tuple[Rule, ...]
    protect: tuple[ProtectEntry, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _need_plan_mapping(cls, value: Any) -> Any:
        return _need_mapping(value, "a plan must be a mapping with version: 1 and rules:")

    @field_validator("version", mode="before")
    @classmethod
    def _check_version(cls, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            if value == 1:
                return 1
            raise SpecIssue(
                f"version {value} is not supported by trakt-plan {__version__}; "
                "this version reads version 1"
            )
        raise SpecIssue(f"version must be the number 1, got {describe_value(value)}")

    @field_validator("description", mode="before")
    @classmethod
    def _check_description(cls, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        raise SpecIssue(f"description must be text, got {describe_value(value)}")

    @field_validator("max_deletions", mode="before")
    @classmethod
    def _check_max_deletions(cls, value: Any) -> int:
        return whole_number(value, "max_deletions", 0)

    @field_validator("rules", mode="before")
    @classmethod
    def _check_rules(cls, value: Any) -> Any:
        items = as_list(value)
        if items is None:
            raise SpecIssue(
                f"rules must be a list of rules (each starting with `- name:`), "
                f"got {describe_value(value)}"
            )
        if not items:
            raise SpecIssue("rules is empty; a plan needs at least one rule")
        return items

    @field_validator("protect", mode="before")
    @classmethod
    def _check_protect(cls, value: Any) -> Any:
        if value is None:
            return ()
        items = as_list(value)
        if items is None:
            raise SpecIssue(
                "protect must be a list of entries like `- show: 1394`, "
                f"got {describe_value(value)}"
            )
        return items

    @model_validator(mode="after")
    def _check_names(self) -> PlanSpec:
        seen: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.name in seen:
                raise SpecIssue(
                    f"two rules are named {rule.name!r} (rules[{seen[rule.name]}] and "
                    f"rules[{index}]); deletions cite rules by name, so names must be unique",
                    ("rules", index, "name"),
                )
            seen[rule.name] = index
        return self

    def catalogue_scopes(self) -> tuple[ScopeRef, ...]:
        """The scopes whose runtimes or release dates a condition reads, in file order.

        The fetch layer reads the catalogue (``trakt_plan.catalogue``) for these only.
        """
        ordered: dict[ScopeRef, None] = {}
        for rule in self.rules:
            if rule.drop.needs_catalogue or (rule.unless and rule.unless.needs_catalogue):
                ordered.update(dict.fromkeys(rule.scopes))
        for entry in self.protect:
            if entry.when is not None and entry.when.needs_catalogue:
                ordered.update(dict.fromkeys(entry.scopes))
        return tuple(ordered)

    def pending_dates(self) -> tuple[str, ...]:
        """The relative dates (``30d ago``) not yet resolved to an instant, as written."""
        blocks = [c for rule in self.rules for c in (rule, rule.drop, rule.unless)]
        blocks += [entry.when for entry in self.protect]
        found = [
            value.text
            for block in blocks
            if block is not None
            for value in (block.watched_from, block.watched_until)
            if isinstance(value, RelativeInstant) and value.pending
        ]
        return tuple(dict.fromkeys(found))

    def resolve_dates(self, *, now: datetime, timezone: str, source: str) -> PlanSpec:
        """This plan with every relative date resolved at ``now`` (``today`` in ``timezone``).

        Each resolved date keeps its text, and the saved plan records both, so apply checks
        the same window as the review. ``source`` names the file in a ``SpecError`` (a
        window whose end comes before its start once resolved).
        """
        if not self.pending_dates():
            return self
        context = {"now": now, "timezone": timezone}
        try:
            return PlanSpec.model_validate(self.model_dump(mode="json"), context=context)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            issue = (error.get("ctx") or {}).get("error")
            message = issue.message if isinstance(issue, SpecIssue) else str(error["msg"])
            at = format_instant(now)
            loc = (*error["loc"], *(issue.subpath if isinstance(issue, SpecIssue) else ()))
            raise SpecError(
                f"{message} (relative dates resolved at {at}, {timezone})",
                file=source,
                key_path="".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)[1:],
            ) from None

    def scopes(self) -> tuple[ScopeRef, ...]:
        """Every distinct scope named by a rule or protect entry, in file order."""
        ordered: dict[ScopeRef, None] = {}
        for owner in (*self.rules, *self.protect):
            for scope in owner.scopes:
                ordered.setdefault(scope, None)
        return tuple(ordered)
