"""Scope resolution: what a plan's ``show:`` and ``movie:`` references name on Trakt.

This is the one place where reference forms are interpreted. A reference is a Trakt id
(``1394``), a slug (``marvel-s-agents-of-s-h-i-e-l-d``), a trakt.tv URL, an external id
(``imdb:tt2364582``, ``tvdb:263365``, ``tmdb:1403``) or an exact title, with an optional year.
Online resolution goes through the client; ``resolve_offline`` matches the shows and movies
present in a saved history instead, for ``plan --snapshot``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal, Protocol

from trakt_plan.errors import NotFound, ResolveError
from trakt_plan.labels import plural
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, Ids, Movie, ResolvedScope, SearchResult, Show
from trakt_plan.workers import run_all

__all__ = [
    "Reference",
    "ResolveClient",
    "parse_reference",
    "resolve_any",
    "resolve_offline",
    "resolve_reference",
    "resolve_scopes",
    "search_references",
    "unresolved_scopes",
]

ReferenceForm = Literal["trakt", "slug", "url", "imdb", "tvdb", "tmdb", "title"]
Kind = Literal["show", "movie"]

_TRAKT_ID = re.compile(r"\d+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_IMDB = re.compile(r"(?:imdb:)?(tt\d+)", re.IGNORECASE)
_EXTERNAL = re.compile(r"(tvdb|tmdb):(\d+)", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://)?(?:www\.|app\.)?trakt\.tv/(shows|movies)/([^/?#\s]+)(?:[/?#]\S*)?",
    re.IGNORECASE,
)
# How many near misses an "unknown title" error lists.
_CLOSEST = 5
_MAX_WORKERS = 4


class _NothingFound(ResolveError):
    """The reference names nothing of this kind (as opposed to several things)."""


class _ScopeFailed(ResolveError):
    """A scope of the plan could not be resolved; knows which, to point at it in the file."""

    def __init__(self, message: str, scope: ScopeRef) -> None:
        super().__init__(message)
        self.scope = scope


def _located(error: _ScopeFailed, spec: PlanSpec, source: Path | None) -> str:
    """``error`` as validation errors read: ``file:line:col: message (at key, rule name)``."""
    from trakt_plan.spec.load import scope_places

    places = scope_places(source, spec, error.scope) if source is not None else []
    if not places:
        return str(error)
    first = places[0]
    also = "".join(f"; also {p.owner} at line {p.line}" for p in places[1:])
    return (
        f"{source}:{first.line}:{first.column}: {error} (at {first.key_path}, {first.owner}{also})"
    )


def _raise_all(failures: Sequence[_ScopeFailed], spec: PlanSpec, source: Path | None) -> None:
    """One error listing every reference that failed, one line each, as validation does.

    A plan with two misspelt titles is fixed in one edit, not two runs.
    """
    if failures:
        raise ResolveError("\n".join(_located(f, spec, source) for f in failures))


@dataclass(frozen=True)
class Reference:
    """A parsed reference. For ``url`` the value is the slug and ``media`` says which kind."""

    form: ReferenceForm
    value: str
    media: Kind | None = None


def parse_reference(text: str) -> Reference:
    """Classify a reference as the user wrote it (no network).

    ``1394`` is a trakt id; lower-case words joined by hyphens are a slug; a trakt.tv (or
    app.trakt.tv) ``/shows/<slug>`` or ``/movies/<slug>`` URL gives that slug;
    ``imdb:tt2364582`` or ``tt2364582``, ``tvdb:263365`` and ``tmdb:1403`` are external ids;
    anything else (spaces, capitals, punctuation) is a title.
    """
    value = text.strip()
    if _TRAKT_ID.fullmatch(value):
        return Reference("trakt", value)
    url = _URL.fullmatch(value)
    if url:
        media: Kind = "show" if url.group(1).lower() == "shows" else "movie"
        return Reference("url", url.group(2), media)
    imdb = _IMDB.fullmatch(value)
    if imdb:
        return Reference("imdb", imdb.group(1).lower())
    external = _EXTERNAL.fullmatch(value)
    if external:
        form: ReferenceForm = "tvdb" if external.group(1).lower() == "tvdb" else "tmdb"
        return Reference(form, external.group(2))
    if _SLUG.fullmatch(value):
        return Reference("slug", value)
    return Reference("title", value)


class ResolveClient(Protocol):
    """The part of ``TraktClient`` that resolution uses (tests pass small fakes)."""

    def show(self, ref: str | int) -> Show: ...

    def movie(self, ref: str | int) -> Movie: ...

    def search(
        self, query: str, types: Sequence[str] = ..., *, exact: bool = False
    ) -> list[SearchResult]: ...

    def lookup_id(
        self, id_type: str, value: str, media_type: str | None = None
    ) -> list[SearchResult]: ...


def _scope_of(kind: Kind, media: Show | Movie) -> ResolvedScope:
    return ResolvedScope(type=kind, title=media.title, year=media.year, ids=media.ids)


def _candidate(media: Show | Movie) -> str:
    """A candidate as ``search`` lists it: trakt id, slug, (year)."""
    year = f" ({media.year})" if media.year is not None else ""
    return f"{media.ids.trakt} {media.ids.slug or '-'}{year}"


def _describe(text: str, year: int | None) -> str:
    return f'"{text}"' + (f" (year {year})" if year is not None else "")


def _ambiguous(
    kind: Kind, described: str, matches: list[Show | Movie], where: str = ""
) -> ResolveError:
    """A reference several items answer to (``where``: in the snapshot), each listed."""
    listed = ", ".join(_candidate(m) for m in matches)
    return ResolveError(
        f"{kind} {described} matches {plural(len(matches), kind)}{where}: {listed}; "
        "use a trakt id, a slug or add year: to the rule."
    )


def _fetch(client: ResolveClient, kind: Kind, ref: str | int) -> Show | Movie:
    return client.show(ref) if kind == "show" else client.movie(ref)


def _check_year(kind: Kind, text: str, found: ResolvedScope, year: int | None) -> ResolvedScope:
    # A year beside an id is a claim about the item; a mismatch means the wrong id was pasted.
    if year is not None and found.year is not None and found.year != year:
        raise ResolveError(
            f"{kind} {text!r} is {found.title} ({found.year}), not a {kind} from {year}; "
            "fix the id or the year: of the rule."
        )
    return found


def _titled(
    results: Iterable[SearchResult], kind: Kind, title: str, year: int | None
) -> list[Show | Movie]:
    """The results of ``kind`` whose title is ``title`` (any case), de-duplicated by trakt id."""
    wanted = title.casefold()
    seen: dict[int | str, Show | Movie] = {}
    for result in results:
        media = result.media
        if result.type != kind or media is None or media.title is None:
            continue
        if media.title.casefold() != wanted and _slugify(media.title) != wanted:
            continue
        if year is not None and media.year != year:
            continue
        seen.setdefault(media.ids.trakt or media.ids.slug or media.title, media)
    return list(seen.values())


def _slugify(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.casefold()))


def _search(
    client: ResolveClient,
    kind: Kind,
    query: str,
    *,
    exact: bool,
    types: Sequence[str] | None = None,
) -> list[SearchResult]:
    try:
        return client.search(query, list(types or [kind]), exact=exact)
    except NotFound:
        # A server without the exact-title endpoint: the broad search still answers.
        if exact:
            return []
        raise


def _resolve_title(
    client: ResolveClient, kind: Kind, text: str, year: int | None, *, query: str | None = None
) -> ResolvedScope:
    query = query or text
    exact = _search(client, kind, query, exact=True)
    broad = _search(client, kind, query, exact=False)
    # Both searches are read and merged, so a second show of the same title is never missed.
    matches = _titled([*exact, *broad], kind, text, year)
    if len(matches) == 1:
        return _scope_of(kind, matches[0])
    if not matches:
        seen: dict[int | None, Show | Movie] = {}
        for result in [*exact, *broad]:
            media = result.media
            if result.type == kind and media is not None:
                seen.setdefault(media.ids.trakt, media)
        closest = list(seen.values())[:_CLOSEST]
        hint = (
            "; closest: " + ", ".join(f"{_candidate(m)} {m.title}" for m in closest)
            if closest
            else ""
        )
        raise _NothingFound(
            f"no {kind} titled {_describe(text, year)} on Trakt{hint}. Use the exact title, "
            f"a trakt id or a slug (`trakt-plan search {query!r} --type {kind}` lists them)."
        )
    raise _ambiguous(kind, _describe(text, year), matches)


def resolve_reference(
    client: ResolveClient, kind: Kind, text: str, year: int | None = None
) -> ResolvedScope:
    """Turn one ``show:``/``movie:`` reference into the Trakt item it names.

    Raises ``ResolveError`` for an unknown id, slug or title, for a title several items share
    (listing them with ids and years), and for a URL of the other kind.
    """
    reference = parse_reference(text)
    form, value = reference.form, reference.value
    if form == "title":
        return _resolve_title(client, kind, value, year)
    if form in ("tvdb", "tmdb"):
        results = client.lookup_id(form, value, kind)
        found = {
            media.ids.trakt: media
            for result in results
            if result.type == kind and (media := result.media) is not None
        }
        if not found:
            raise _NothingFound(f"no {kind} with {form} id {value} on Trakt.")
        if len(found) > 1:
            candidates = ", ".join(_candidate(m) for m in found.values())
            raise ResolveError(
                f"{form} id {value} matches {len(found)} {kind}s on Trakt: {candidates}; "
                "use a trakt id or a slug."
            )
        return _check_year(kind, text, _scope_of(kind, next(iter(found.values()))), year)
    if form == "url" and reference.media != kind:
        raise ResolveError(
            f"{text} is a trakt.tv {reference.media} URL, but the scope says {kind}:; "
            f"use {reference.media}: for it."
        )
    what = {"trakt": "trakt id", "slug": "slug", "url": "slug", "imdb": "imdb id"}[form]
    try:
        media = _fetch(client, kind, int(value) if form == "trakt" else value)
    except NotFound:
        if form == "slug":
            # Lower-case single words ("dexter") look like slugs but are often titles.
            return _resolve_title(client, kind, value, year, query=value.replace("-", " "))
        raise _NothingFound(f"no {kind} with {what} {value} on Trakt.") from None
    return _check_year(kind, text, _scope_of(kind, media), year)


def resolve_any(client: ResolveClient, text: str, kind: str | None = None) -> ResolvedScope:
    """Resolve a reference that may name a show or a movie (``history SCOPE``).

    With ``kind`` (``show`` or ``movie``) this is ``resolve_reference``. Without it a URL
    says which; otherwise both kinds are tried, and a reference naming one show *and* one
    movie (a trakt id often does) is an error asking for ``--type``.
    """
    if kind in ("show", "movie"):
        return resolve_reference(client, "show" if kind == "show" else "movie", text)
    reference = parse_reference(text)
    if reference.form == "url" and reference.media is not None:
        return resolve_reference(client, reference.media, text)
    found: list[ResolvedScope] = []
    errors: list[ResolveError] = []
    kinds: tuple[Kind, ...] = ("show", "movie")
    for each in kinds:
        try:
            found.append(resolve_reference(client, each, text))
        except _NothingFound as exc:
            errors.append(exc)
    if len(found) == 1:
        return found[0]
    if found:
        show, movie = found
        raise ResolveError(
            f"{text!r} names both a show, {show.title} ({show.year}), and a movie, "
            f"{movie.title} ({movie.year}); add --type show or --type movie."
        )
    raise ResolveError(
        f"{text!r} names no show or movie on Trakt. As a show: {errors[0].message} "
        f"As a movie: {errors[1].message}"
    )


def search_references(
    client: ResolveClient, text: str, types: Sequence[str] = ("show", "movie")
) -> list[SearchResult]:
    """What ``text`` could name, as search results (the ``search`` command).

    An id, slug, URL or external id is looked up directly; a title (or a slug Trakt does not
    know) is searched, exact matches first. Nothing found is an empty list, not an error.
    """
    reference = parse_reference(text)
    kinds: list[Kind] = [kind for kind in ("show", "movie") if kind in types]
    if reference.form == "url":
        kinds = [kind for kind in kinds if kind == reference.media]
    form, value = reference.form, reference.value
    results: list[SearchResult] = []
    if form in ("tvdb", "tmdb"):
        for kind in kinds:
            results += [r for r in client.lookup_id(form, value, kind) if r.type == kind]
        return results
    if form != "title":
        for kind in kinds:
            try:
                media = _fetch(client, kind, int(value) if form == "trakt" else value)
            except NotFound:
                continue
            results.append(SearchResult.model_validate({"type": kind, kind: media}))
        if results or form != "slug":
            return results
        value = value.replace("-", " ")
    if not kinds:
        return []
    merged: dict[tuple[str, int | str | None], SearchResult] = {}
    for exact in (True, False):
        for result in _search(client, kinds[0], value, exact=exact, types=kinds):
            hit = result.media
            if hit is not None and result.type in kinds:
                merged.setdefault((result.type, hit.ids.trakt or hit.ids.slug), result)
    return list(merged.values())


def _media_scopes(spec: PlanSpec) -> list[ScopeRef]:
    return [scope for scope in spec.scopes() if scope.kind != "history"]


def unresolved_scopes(spec: PlanSpec) -> list[ScopeRef]:
    """The ``show:``/``movie:`` scopes of rules and ``protect``, in plan order, once each.

    ``history:`` scopes need no resolving; everything listed here needs Trakt (or a snapshot).
    """
    return _media_scopes(spec)


def resolve_scopes(
    spec: PlanSpec, client: ResolveClient, *, source: Path | None = None
) -> dict[ScopeRef, ResolvedScope]:
    """Resolve every show and movie scope of ``spec`` (a few at a time).

    Every reference that names nothing (or several things) is reported in one
    ``ResolveError``, one line each in plan order; with ``source`` (the plan's file) each line
    names its line, column and rule, as validation errors do. Other failures (network, auth)
    raise as they come.
    """
    scopes = _media_scopes(spec)
    if not scopes:
        return {}

    def one(scope: ScopeRef) -> ResolvedScope | _ScopeFailed:
        kind: Kind = "show" if scope.kind == "show" else "movie"
        try:
            return resolve_reference(client, kind, scope.ref, scope.year)
        except ResolveError as exc:
            return _ScopeFailed(str(exc), scope)

    jobs = [partial(one, scope) for scope in scopes]
    found = run_all(jobs, workers=min(_MAX_WORKERS, len(scopes)), name="trakt-resolve")
    _raise_all([f for f in found if isinstance(f, _ScopeFailed)], spec, source)
    return {s: f for s, f in zip(scopes, found, strict=True) if not isinstance(f, _ScopeFailed)}


def _present(history: Sequence[HistoryItem], kind: Kind) -> list[Show | Movie]:
    seen: dict[tuple[object, ...], Show | Movie] = {}
    for item in history:
        media: Show | Movie | None = item.show if kind == "show" else item.movie
        if media is None:
            continue
        ids = media.ids
        key = ("trakt", ids.trakt) if ids.trakt is not None else ("title", media.title, media.year)
        seen.setdefault(key, media)
    return list(seen.values())


def _offline_match(reference: Reference, ids: Ids, media: Show | Movie) -> bool:
    form, value = reference.form, reference.value
    if form == "trakt":
        return ids.trakt == int(value)
    if form == "url":
        # trakt.tv URLs also work with the numeric id in place of the slug.
        return ids.slug == value or (value.isdigit() and ids.trakt == int(value))
    if form == "slug":
        return ids.slug == value
    if form == "imdb":
        return ids.imdb is not None and ids.imdb.lower() == value
    if form == "tvdb":
        return ids.tvdb == int(value)
    if form == "tmdb":
        return ids.tmdb == int(value)
    return media.title is not None and media.title.casefold() == value.casefold()


def resolve_offline(
    spec: PlanSpec, history: Sequence[HistoryItem], *, source: Path | None = None
) -> dict[ScopeRef, ResolvedScope]:
    """Resolve the plan's show and movie scopes against the items present in ``history``.

    For ``plan --snapshot``: no network. A trakt id absent from the history still resolves
    (its rule simply sees no plays); any other reference must match an item of the history.
    Every failing reference is reported at once; with ``source``, each names its line and rule.
    """
    resolved: dict[ScopeRef, ResolvedScope] = {}
    present = {"show": _present(history, "show"), "movie": _present(history, "movie")}
    failures: list[_ScopeFailed] = []
    for scope in _media_scopes(spec):
        try:
            resolved[scope] = _resolve_present(scope, present)
        except ResolveError as exc:
            failures.append(_ScopeFailed(str(exc), scope))
    _raise_all(failures, spec, source)
    return resolved


def _resolve_present(scope: ScopeRef, present: dict[str, list[Show | Movie]]) -> ResolvedScope:
    """One scope against the shows and movies of a snapshot."""
    kind: Kind = "show" if scope.kind == "show" else "movie"
    reference = parse_reference(scope.ref)
    if reference.form == "url" and reference.media != kind:
        raise ResolveError(
            f"{scope.ref} is a trakt.tv {reference.media} URL, but the scope says {kind}:; "
            f"use {reference.media}: for it."
        )
    candidates = [m for m in present[kind] if scope.year is None or m.year == scope.year]
    matches = [m for m in candidates if _offline_match(reference, m.ids, m)]
    if not matches and reference.form == "slug":
        # As online, a slug nobody has may be a lower-case title.
        matches = [
            m
            for m in candidates
            if m.title is not None and reference.value in (m.title.casefold(), _slugify(m.title))
        ]
    if len(matches) == 1:
        return _scope_of(kind, matches[0])
    if not matches and reference.form == "trakt":
        return ResolvedScope(type=kind, ids=Ids(trakt=int(reference.value)))
    if not matches:
        raise ResolveError(
            f"{kind} {_describe(scope.ref, scope.year)} matches no {kind} in the snapshot's "
            f"history, so it cannot be resolved offline; use its trakt id, or plan online."
        )
    raise _ambiguous(kind, _describe(scope.ref, scope.year), matches, " in the snapshot")
