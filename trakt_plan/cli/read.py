"""``search`` and ``history``: read-only looks at Trakt, for writing a plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_plan.errors import ConfigError
from trakt_plan.runtime import Runtime

if TYPE_CHECKING:
    from trakt_plan.trakt.client import TraktClient


def _check_media_type(value: str | None) -> None:
    if value not in (None, "show", "movie"):
        raise ConfigError(f"--type must be show or movie, got {value!r}.")


# A --from/--until value checked, waiting for the client that can tell the account's zone.
_When = Callable[["TraktClient"], datetime | None]


def _parse_when(value: str | None, option: str) -> _When:
    """``--from``/``--until``: read exactly like the plan language's watched_from/until,
    relative dates included (``today``, ``30d ago``).

    A bad value is refused here, before any read; ``today`` and ``yesterday`` resolve later,
    in the account's time zone, which only they need."""
    from trakt_plan.spec.values import SpecIssue, parse_instant, relative_text, resolve_relative

    relative = relative_text(value) if value is not None else None
    if relative is None:
        try:
            fixed = None if value is None else parse_instant(value, "a time")
        except SpecIssue as exc:
            raise ConfigError(f"{option} {value!r}: {exc}.") from None
        return lambda _client: fixed

    def resolve(client: TraktClient) -> datetime:
        zone = "UTC"
        if relative in ("today", "yesterday"):
            from trakt_plan.workflow import choose_timezone

            found = client.user_settings().account.timezone
            zone = choose_timezone(None, found, "the account's settings")[0]
        try:
            return resolve_relative(relative, datetime.now(UTC), zone)
        except SpecIssue as exc:
            raise ConfigError(f"{option} {value!r}: {exc}.") from None

    return resolve


def _window(
    client: TraktClient, since: _When, until: _When
) -> tuple[datetime | None, datetime | None]:
    """``--from`` and ``--until`` resolved; a window that ends before it starts is a typo, not
    an empty history."""
    start, end = since(client), until(client)
    if start is not None and end is not None and start >= end:
        raise ConfigError(
            f"--from ({start:%Y-%m-%d %H:%M:%SZ}) is not before --until "
            f"({end:%Y-%m-%d %H:%M:%SZ}), so no play could be listed; swap them?"
        )
    return start, end


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


_From = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Plays watched at or after this: a date (midnight UTC), a time with its zone, "
        "or relative: today, yesterday (the account's days), 30d ago, 2w ago.",
        metavar="DATE",
    ),
]
_Until = Annotated[
    str | None,
    typer.Option(
        "--until", help="Plays watched before this (the same forms as --from).", metavar="DATE"
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
    if not text.strip():
        raise ConfigError("search needs a title or an id to look for, got nothing.")
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
    since: _From = None,
    until: _Until = None,
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
    since_at, until_at = _parse_when(since, "--from"), _parse_when(until, "--until")
    _check_media_type(media_type)
    client = rt.client()
    everything = scope.strip().lower() == "all"
    target = None if everything else resolve_any(client, scope, media_type)
    with rt.ui.pages("Reading history") as on_page:
        items = read_history(
            client, HistoryRead.of(target, *_window(client, since_at, until_at)), on_page=on_page
        )
    if chosen == "text":
        rt.ui.history(items, with_show=everything)
        return
    from trakt_plan.view.history import render_history_csv, render_history_json

    rt.ui.data(render_history_json(items) if chosen == "json" else render_history_csv(items))
