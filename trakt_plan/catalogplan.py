"""The catalogue a plan needs: which shows and movies, read beside the history pages.

A plan's runtime- and release-based conditions (``spec.catalogue_scopes()``) name the
shows and movies whose runtimes and air dates it needs; a ``history:`` scope needs those
its plays belong to. :func:`fetch_for_plan` reads them beside the history, and
:func:`offline_catalogue` for a snapshot (the cache, else Trakt's public endpoints), both
as :class:`~trakt_plan.catalogfetch.CatalogueReads` (``.catalogue()`` is the planner's value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from trakt_plan.catalogcache import CatalogueCache
from trakt_plan.catalogfetch import (
    CatalogueClient,
    CatalogueNeeds,
    CatalogueReads,
    PendingCatalogue,
    read_facts,
)
from trakt_plan.errors import ConfigError, NetworkError
from trakt_plan.fetch import HistoryClient, fetch_history
from trakt_plan.spec.conditions import RUNTIME
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.trakt.models import HistoryItem, ResolvedScope

__all__ = ["catalogue_needs", "fetch_for_plan", "offline_catalogue"]

_WORKERS = 4


def catalogue_needs(
    spec: PlanSpec, resolved: Mapping[ScopeRef, ResolvedScope]
) -> tuple[CatalogueNeeds, frozenset[str]]:
    """What the plan's runtime- and release-based conditions look at.

    Shows and movies named by a scope are known before the history is read; a ``history:``
    scope (``all``, ``episodes``, ``movies``) needs whatever of its kind the history holds,
    so its kinds are returned for :meth:`PendingCatalogue.collect`.
    """
    shows: set[int] = set()
    movies: set[int] = set()
    kinds: set[str] = set()
    # runtime_chain alone reads no movie: on a large account, the movies' reads would push
    # the first plan past Trakt's 1,000 GETs per 5 minutes for nothing.
    with_movies = _reads_movie_facts(spec)
    for scope in spec.catalogue_scopes():
        if scope.kind == "history":
            kind = "episodes" if scope.ref == "all" and not with_movies else scope.ref
            if kind != "movies" or with_movies:
                kinds.add(kind)
            continue
        target = resolved.get(scope)
        if target is not None and target.ids.trakt is not None:
            if target.type == "show":
                shows.add(target.ids.trakt)
            elif with_movies:
                movies.add(target.ids.trakt)
    return CatalogueNeeds(frozenset(shows), frozenset(movies)), frozenset(kinds)


def _reads_movie_facts(spec: PlanSpec) -> bool:
    """Whether a condition reads a movie's runtime or release date: ``at_release`` and
    ``repeats`` within a runtime do; ``runtime_chain`` is per show and never matches a movie."""
    blocks = [block for rule in spec.rules for block in (rule.drop, rule.unless)]
    blocks += [entry.when for entry in spec.protect]
    return any(
        block is not None
        and (
            block.at_release is not None
            or (block.repeats is not None and block.repeats.within == RUNTIME)
        )
        for block in blocks
    )


class PlanFetchClient(CatalogueClient, HistoryClient, Protocol):
    """What planning reads: the history and the catalogue."""


def fetch_for_plan(
    client: PlanFetchClient,
    spec: PlanSpec,
    resolved: Mapping[ScopeRef, ResolvedScope],
    *,
    on_page: Callable[[int, int], None] | None = None,
    refresh: bool = False,
    cache: CatalogueCache | None = None,
) -> tuple[list[HistoryItem], CatalogueReads | None]:
    """The plays a plan needs and, when a condition reads them, the catalogue facts.

    The catalogue reads of shows and movies named by a scope run beside the history pages;
    those of a ``history:`` scope start once its plays are in (they say which shows).
    """
    needs, kinds = catalogue_needs(spec, resolved)
    if not needs and not kinds:
        return fetch_history(client, spec, resolved, on_page=on_page), None
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pending = PendingCatalogue(client, cache or CatalogueCache(), pool, refresh=refresh)
        pending.start(needs)
        history = fetch_history(client, spec, resolved, on_page=on_page)
        return history, pending.collect(history, kinds)


def offline_catalogue(
    spec: PlanSpec,
    resolved: Mapping[ScopeRef, ResolvedScope],
    history: Sequence[HistoryItem],
    *,
    client: Callable[[], CatalogueClient] | None,
    refresh: bool = False,
    cache: CatalogueCache | None = None,
) -> CatalogueReads | None:
    """For a snapshot: the facts from the cache, else from Trakt's public endpoints.

    ``client`` opens a client for the public catalogue endpoints (no login needed), or is
    ``None`` when none can be had; then facts the cache lacks raise ``ConfigError`` naming
    the shows and movies (``NetworkError``, naming them too, when Trakt cannot be reached).
    """
    needs, kinds = catalogue_needs(spec, resolved)
    found = CatalogueNeeds.of_history(history, kinds)
    needs = CatalogueNeeds(needs.shows | found.shows, needs.movies | found.movies)
    if not needs:
        return None
    try:
        reads, missing = read_facts(needs, history, opener=client, refresh=refresh, cache=cache)
    except NetworkError as error:
        # Planning from an export, the catalogue is the only request: name what it was for.
        raise NetworkError(
            "the plan's runtime- or release-based conditions need the runtimes and air dates "
            f"of {_names(needs, history)}, and those not in the cache could not be read from "
            f"Trakt's public catalogue. {error.message}"
        ) from None
    if missing:
        raise ConfigError(
            "the plan's runtime- or release-based conditions need the runtimes and air dates "
            f"of {_names(missing, history)}, which are not in the cache, and no Trakt API app "
            "is configured to read them (set TRAKT_CLIENT_ID, or plan once online)."
        )
    return reads


def _names(missing: CatalogueNeeds, history: Sequence[HistoryItem]) -> str:
    """The titles of the shows and movies in ``missing``, as the history names them."""
    titles: dict[tuple[str, int], str] = {}
    for item in history:
        for kind, media in (("show", item.show), ("movie", item.movie)):
            if media is not None and media.ids.trakt is not None:
                titles.setdefault(
                    (kind, media.ids.trakt), media.title or f"{kind} {media.ids.trakt}"
                )
    wanted = [("show", i) for i in sorted(missing.shows)] + [
        ("movie", i) for i in sorted(missing.movies)
    ]
    named = [titles.get(key, f"{key[0]} {key[1]}") for key in wanted]
    shown = ", ".join(named[:10])
    return shown + (f" and {len(named) - 10} more" if len(named) > 10 else "")
