"""``guard``: the unattended nightly run of a plan (its flow is :mod:`trakt_plan.guard`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trakt_plan.runtime import Runtime


def guard(
    rt: Runtime,
    spec_path: Annotated[Path, typer.Argument(help="The plan YAML.", metavar="PLAN.yaml")],
    apply_max: Annotated[
        int | None,
        typer.Option(
            "--apply-max",
            min=0,
            metavar="N",
            help="Apply the plan when it deletes at most N plays (default: never apply).",
        ),
    ] = None,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            "--notify",
            metavar="URL",
            help="An Apprise URL to tell what happened (repeatable; also TRAKT_PLAN_NOTIFY, "
            "space-separated).",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="INSTANT",
            help="Plan as of this ISO 8601 instant with its zone (2026-12-01T04:00:00Z).",
        ),
    ] = None,
    refresh_catalog: Annotated[
        bool,
        typer.Option(
            "--refresh-catalog", help="Read runtimes and air dates from Trakt, not the disk cache."
        ),
    ] = False,
) -> None:
    """Plan, save the plan with a timestamp, apply it when small enough, notify.

    Exit 0 when there is nothing to delete or the plan was applied, 2 when deletions are
    left for review, 1 on errors (notified too).

    Example: trakt-plan guard plans/cleanup.yaml --apply-max 20 --notify ntfys://ntfy.sh/me
    """
    from trakt_plan.guard import GuardOptions, run_guard
    from trakt_plan.timefmt import parse_now

    options = GuardOptions(
        apply_max=apply_max,
        notify=tuple(notify or ()),
        now=parse_now(now),
        refresh_catalog=refresh_catalog,
    )
    raise typer.Exit(run_guard(rt, spec_path, options))
