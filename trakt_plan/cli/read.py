"""``search`` and ``history``: read-only looks at Trakt, for writing a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from trakt_plan.errors import ConfigError
from trakt_plan.runtime import Runtime


def _check_media_type(value: str | None) -> None:
    if value not in (None, "show", "movie"):
        raise ConfigError(f"--type must be show or movie, got {value!r}.")


def _parse_when(value: str | None, option: str) -> datetime | None:
    """``--from``/``--until``: read exactly like the plan language's watched_from/until."""
    if value is None:
        return None
    from trakt_plan.spec.values import SpecIssue, parse_instant

    try:
        return parse_instant(value, "a time")
    except SpecIssue as exc:
        raise ConfigError(f"{option} {value!r}: {exc}.") from None


def _history_format(value: str, *, as_json: bool) -> str:
    name = value.strip().lower()
    if name not in ("text", "json", "csv"):
        raise ConfigError(f"--format takes text, json, csv; got {value!r}.")
    if as_json and name not in ("text", "json"):
        raise ConfigError(f"--json is --format json; it cannot go with --format {name}.")
    return "json" if as_json else name


_HistoryFormat = Annotated[
    str,
    typer.Option(
        "--format",
        help="text (a table), json (Trakt's own shape, for `plan --snapshot`) or csv "
        "(a portable backup with every id).",
        metavar="text|json|csv",
    ),
]


def search(
    rt: Runtime,
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT",
            help="A title, or an id: 1394, a slug, a trakt.tv URL, imdb:tt2364582, tvdb:263365, "
            "tmdb:1403.",
        ),
    ],
    media_type: Annotated[
        str | None,
        typer.Option("--type", "-t", help="Only shows or only movies.", metavar="show|movie"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Find the ids, year, title and slug a plan's scope can name.

    Example: trakt-plan search "agents of shield" --type show
    """
    from trakt_plan.resolve import search_references

    _check_media_type(media_type)
    types = (media_type,) if media_type else ("show", "movie")
    results = search_references(rt.client(), text, types)
    if as_json:
        rt.ui.json(
            [
                {
                    "type": r.type,
                    "title": r.media.title if r.media else None,
                    "year": r.media.year if r.media else None,
                    "ids": r.media.ids.model_dump(mode="json") if r.media else {},
                }
                for r in results
            ]
        )
    else:
        rt.ui.search_results(results)


def history(
    rt: Runtime,
    scope: Annotated[
        str,
        typer.Argument(
            metavar="SCOPE",
            help="all, or a show/movie: trakt id, slug, trakt.tv URL, imdb:/tvdb:/tmdb: id or "
            "exact title.",
        ),
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--from", help="Plays watched at or after this date/time (UTC).", metavar="DATE"
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Plays watched before this date/time (UTC).", metavar="DATE"),
    ] = None,
    media_type: Annotated[
        str | None,
        typer.Option(
            "--type", "-t", help="Treat SCOPE as a show or a movie.", metavar="show|movie"
        ),
    ] = None,
    output_format: _HistoryFormat = "text",
    as_json: Annotated[
        bool, typer.Option("--json", help="Same as --format json: Trakt's own shape.")
    ] = False,
) -> None:
    """List plays, newest first, with the history ids a plan can name.

    Example: trakt-plan history 1394 --from 2025-11-01
    `history all --json > snapshot.json` saves a snapshot for `plan --snapshot`;
    `history all --format csv > backup.csv` a backup to open anywhere.
    """
    from trakt_plan.fetch import HistoryRead, read_history
    from trakt_plan.resolve import resolve_any

    chosen = _history_format(output_format, as_json=as_json)
    start_at = _parse_when(since, "--from")
    end_at = _parse_when(until, "--until")
    _check_media_type(media_type)
    client = rt.client()
    everything = scope.strip().lower() == "all"
    target = None if everything else resolve_any(client, scope, media_type)
    with rt.ui.pages("Reading history") as on_page:
        items = read_history(client, HistoryRead.of(target, start_at, end_at), on_page=on_page)
    if chosen == "text":
        rt.ui.history(items, with_show=everything)
        return
    from trakt_plan.view.history import render_history_csv, render_history_json

    rt.ui.data(render_history_json(items) if chosen == "json" else render_history_csv(items))
