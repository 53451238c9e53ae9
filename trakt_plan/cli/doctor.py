"""``doctor``: the accident report of a scope, with the evidence and the rule for each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trakt_plan.errors import ExitStatus
from trakt_plan.runtime import Runtime

_Scope = Annotated[
    str | None,
    typer.Argument(
        metavar="[SCOPE]",
        help="A show or movie (id, slug, URL, imdb:/tvdb:/tmdb: id or exact title); "
        "leave out for the whole history.",
    ),
]
_Days = Annotated[int, typer.Option("--days", help="Days of the timeline (findings: all).")]
_Json = Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")]
_Out = Annotated[
    Path | None,
    typer.Option("-o", "--out", help="Write a starter plan whose rules cite the findings."),
]
_Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")]
_Detailed = Annotated[
    bool, typer.Option("--detailed-exitcode", help="Exit 2 when there are findings.")
]
_Snapshot = Annotated[
    Path | None,
    typer.Option(
        "--snapshot", help="Read the plays from `history all --json` output or Trakt's export ZIP."
    ),
]
_Now = Annotated[
    str | None,
    typer.Option("--now", help="Report as of this instant, e.g. 2026-12-01T04:00:00Z."),
]
_Refresh = Annotated[
    bool,
    typer.Option(
        "--refresh-catalog", help="Read runtimes and air dates from Trakt, not the cache."
    ),
]
_Zone = Annotated[
    str | None,
    typer.Option("--timezone", help="Count days here (default: the account's, else UTC)."),
]


def doctor(
    rt: Runtime,
    reference: _Scope = None,
    days: _Days = 90,
    as_json: _Json = False,
    spec_path: _Out = None,
    force: _Force = False,
    detailed_exitcode: _Detailed = False,
    snapshot: _Snapshot = None,
    now: _Now = None,
    timezone: _Zone = None,
    refresh_catalog: _Refresh = False,
) -> None:
    """Find the likely accidents of a scope and show the evidence: bulk, back-to-back and
    release-date marks, flood days, double plays.

    Example: trakt-plan doctor --days 30 -o cleanup.yaml
    """
    from trakt_plan.doctor import DoctorOptions, run_doctor
    from trakt_plan.timefmt import parse_now

    options = DoctorOptions(
        reference=reference,
        days=days,
        as_json=as_json,
        out=spec_path,
        force=force,
        detailed_exitcode=detailed_exitcode,
        snapshot=snapshot,
        now=parse_now(now),
        timezone=timezone,
        refresh=refresh_catalog,
    )
    status = run_doctor(rt, options)
    if status != ExitStatus.OK:
        raise typer.Exit(status)
