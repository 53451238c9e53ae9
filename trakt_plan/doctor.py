"""The ``doctor`` command's flow: read a scope's history, run the detector, report.

The history comes from the account (one read of the scope) or from a snapshot file (the
JSON of ``history all --json`` or Trakt's export ZIP). The detector and the report are pure
(:mod:`trakt_plan.detect`); this module only gathers their inputs and hands the report to
the UI, the ``--json`` printer or the starter-plan writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trakt_plan.catalogfetch import CatalogueNeeds, CatalogueReads
from trakt_plan.detect import Catalogue, find_accidents
from trakt_plan.detect.report import DoctorReport, build_report
from trakt_plan.errors import ApiError, ConfigError, ExitStatus, NetworkError, ResolveError
from trakt_plan.fsutil import atomic_write
from trakt_plan.labels import plural
from trakt_plan.media import media_key
from trakt_plan.runtime import Runtime
from trakt_plan.trakt.models import HistoryItem, ResolvedScope
from trakt_plan.workflow import check_timezone, choose_timezone

__all__ = ["DoctorOptions", "run_doctor"]

_ALWAYS = ("same_second", "double_play", "flood")
_NEEDS_CATALOGUE = ("runtime_chain", "at_release")


@dataclass(frozen=True)
class DoctorOptions:
    """The options of ``doctor`` after parsing."""

    reference: str | None = None
    days: int = 90
    as_json: bool = False
    out: Path | None = None
    force: bool = False
    detailed_exitcode: bool = False
    snapshot: Path | None = None
    now: datetime | None = None
    timezone: str | None = None
    refresh: bool = False


@dataclass(frozen=True)
class _Source:
    """Where the plays came from, and the time zone their days are counted in."""

    history: list[HistoryItem]
    scope: ResolvedScope | None
    account: str
    source: str
    timezone: str
    timezone_from: str


def _from_snapshot(path: Path, reference: str | None, timezone: str | None) -> _Source:
    from trakt_plan.plays import in_scope, plays_in_order
    from trakt_plan.snapshotfile import read_snapshot

    snapshot = read_snapshot(path)
    scope = None if reference is None else _offline_scope(reference, snapshot.history)
    history = [p.item for p in in_scope(plays_in_order(snapshot.history), scope)]
    zone, origin = choose_timezone(timezone, snapshot.timezone, "the export's account settings")
    kind = "Trakt export" if snapshot.export else "snapshot"
    return _Source(history, scope, "snapshot", f"{kind} {path.name}", zone, origin)


def _offline_scope(reference: str, history: list[HistoryItem]) -> ResolvedScope:
    from trakt_plan.resolve import resolve_offline
    from trakt_plan.spec.model import PlanSpec

    for kind in ("show", "movie"):
        rule = {"name": "doctor", kind: reference, "drop": {"all": True}}
        spec = PlanSpec.model_validate({"version": 1, "rules": [rule]})
        try:
            found = next(iter(resolve_offline(spec, history).values()))
        except ResolveError:
            continue
        if any(_belongs(item, found) for item in history):
            return found
    raise ResolveError(f"{reference!r} names no show or movie with plays in the snapshot.")


def _belongs(item: HistoryItem, scope: ResolvedScope) -> bool:
    media = item.show if scope.type == "show" else item.movie
    return media is not None and media.ids.trakt == scope.trakt_id


def _from_account(rt: Runtime, reference: str | None, timezone: str | None) -> _Source:
    from trakt_plan.fetch import HistoryRead, read_history
    from trakt_plan.resolve import resolve_any

    client = rt.client()
    settings = client.user_settings()
    scope = None if reference is None else resolve_any(client, reference)
    with rt.ui.pages("Reading history") as on_page:
        history = read_history(client, HistoryRead.of(scope), on_page=on_page)
    zone, origin = choose_timezone(timezone, settings.account.timezone, "the account's settings")
    return _Source(history, scope, settings.user.username, rt.api_label, zone, origin)


def _scope_label(scope: ResolvedScope | None) -> str:
    if scope is None:
        return "all"
    return f"{scope.type} {scope.trakt_id}" + (f" ({scope.title})" if scope.title else "")


# Two plays of one episode further apart than this are never one playback reported twice.
_CLOSE = timedelta(hours=4)


def catalogue_needs(history: Sequence[HistoryItem]) -> CatalogueNeeds:
    """Where a runtime or an air date can decide: shows and movies with a ``watch`` play,
    and those played twice within a few hours."""
    shows: set[int] = set()
    movies: set[int] = set()
    last: dict[object, datetime] = {}
    for item in sorted(history, key=lambda item: item.watched_at):
        key = media_key(item)
        close = key in last and item.watched_at - last[key] <= _CLOSE
        last[key] = item.watched_at
        if item.action != "watch" and not close:
            continue
        if item.show is not None and item.show.ids.trakt is not None:
            shows.add(item.show.ids.trakt)
        elif item.movie is not None and item.movie.ids.trakt is not None:
            movies.add(item.movie.ids.trakt)
    return CatalogueNeeds(frozenset(shows), frozenset(movies))


# What a report without runtimes and air dates cannot say; each warning ends with it.
_WITHOUT_CATALOGUE = (
    "Back-to-back and release-date marks are not checked, and double plays are looked for "
    "within 10 minutes only, not within each episode's runtime."
)


def _read_catalogue(rt: Runtime, options: DoctorOptions, source: _Source) -> Catalogue | None:
    """The facts the detector can use; ``None`` when some cannot be had, with a warning that
    says what the report then leaves unchecked."""
    from trakt_plan.catalogfetch import read_facts

    needs = catalogue_needs(source.history)
    if not needs:
        return None
    opener = rt.public_client_opener() if options.snapshot is not None else rt.client
    try:
        reads, missing = read_facts(needs, source.history, opener=opener, refresh=options.refresh)
    except (ApiError, NetworkError) as error:
        # A report of what could be checked beats no report: the rest is said to be missing.
        rt.ui.warn(
            f"the runtimes and air dates could not be read from Trakt: {error.message} "
            + _WITHOUT_CATALOGUE
        )
        return None
    if missing:
        count = plural(len(missing.shows) + len(missing.movies), "show or movie", "shows or movies")
        rt.ui.warn(
            f"no runtimes or air dates for {count} (not in the cache, and no Trakt API app to "
            "read them: set TRAKT_CLIENT_ID). " + _WITHOUT_CATALOGUE
        )
        return None
    unknown = _without_runtime(reads)
    if unknown:
        which = plural(unknown, "show or movie", "shows or movies")
        rt.ui.warn(
            f"Trakt lists no runtime for some plays of {which}: their back-to-back marks and "
            "double plays cannot be judged, and none is reported."
        )
    return reads.catalogue()


def _without_runtime(reads: CatalogueReads) -> int:
    """How many shows and movies have plays whose runtime is unknown (the episode's and the
    show's both null): runtime-based findings cannot be told for them."""
    shows = sum(
        show.runtime is None and any(e.runtime is None for e in show.episodes.values())
        for show in reads.shows.values()
    )
    return shows + sum(movie.runtime is None for movie in reads.movies.values())


def run_doctor(
    rt: Runtime, options: DoctorOptions, *, catalogue: Catalogue | None = None
) -> ExitStatus:
    """`doctor`: the accident report of a scope; exit 2 on findings with --detailed-exitcode."""
    from trakt_plan.starter import render_starter

    if options.days < 1:
        raise ConfigError(f"--days {options.days}: give at least 1 day.")
    if options.out is not None and options.out.exists() and not options.force:
        raise ConfigError(f"{options.out} already exists; pass --force to overwrite it.")
    if options.timezone is not None:
        check_timezone(options.timezone)
    now = options.now or datetime.now(UTC).replace(microsecond=0)
    if options.snapshot is not None:
        source = _from_snapshot(options.snapshot, options.reference, options.timezone)
    else:
        source = _from_account(rt, options.reference, options.timezone)
    if catalogue is None:
        catalogue = _read_catalogue(rt, options, source)
    findings = find_accidents(
        source.history, scope=source.scope, catalogue=catalogue, timezone=source.timezone
    )
    checked = _ALWAYS + (_NEEDS_CATALOGUE if catalogue is not None else ())
    report = build_report(
        source.history,
        findings,
        account=source.account,
        source=source.source,
        scope=_scope_label(source.scope),
        now=now,
        days=options.days,
        timezone=source.timezone,
        timezone_from=source.timezone_from,
        checked=checked,
    )
    _show(rt, report, options)
    if options.out is not None:
        text = render_starter(
            source.scope,
            source.history,
            now=now,
            # A snapshot has no account name: "snapshot on Trakt export X.zip" would say nothing.
            source=source.source if options.snapshot else f"{source.account} on {source.source}",
            findings=report.findings,
        )
        atomic_write(options.out, text)
        rt.ui.info(f"Wrote {options.out}. Review it, then: trakt-plan plan {options.out}")
    if options.detailed_exitcode and report.findings:
        return ExitStatus.CHANGES
    return ExitStatus.OK


def _show(rt: Runtime, report: DoctorReport, options: DoctorOptions) -> None:
    if options.as_json:
        import json

        rt.ui.data(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        rt.ui.doctor(report)
    plays = sum(len(f.history_ids) for f in report.findings)
    rt.ui.info(
        f"{plural(report.plays, 'play')} read; {plural(len(report.findings), 'finding')} "
        f"covering {plural(plays, 'play')}."
    )
