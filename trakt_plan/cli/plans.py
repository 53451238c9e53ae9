"""``validate``, ``plan``, ``show`` and ``init``: writing and reviewing a plan, nothing sent."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trakt_plan.errors import ExitStatus
from trakt_plan.labels import plural
from trakt_plan.runtime import Runtime


def validate(
    rt: Runtime,
    spec_path: Annotated[Path, typer.Argument(help="The plan YAML.", metavar="PLAN.yaml")],
) -> None:
    """Check a plan offline: syntax, keys, types, episode codes, dates, durations.

    Example: trakt-plan validate plans/aos-cleanup.yaml
    """
    from trakt_plan.resolve import unresolved_scopes
    from trakt_plan.spec.load import load_spec

    spec = load_spec(spec_path)
    pending = unresolved_scopes(spec)
    rt.ui.info(
        f"{spec_path}: valid plan, {plural(len(spec.rules), 'rule')}, "
        f"{plural(len(spec.protect), 'protect entry', 'protect entries')}."
    )
    if pending:
        listed = ", ".join(f"{ref.kind} {ref.ref!r}" for ref in pending)
        rt.ui.info(f"To be resolved online when planning: {listed}.")


def plan(
    rt: Runtime,
    spec_path: Annotated[Path, typer.Argument(help="The plan YAML.", metavar="PLAN.yaml")],
    plan_path: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Save the plan for review and apply (NAME.plan.json)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the saved-plan document on stdout, nothing else.")
    ] = False,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 2 when there is something to delete (0 when not)."
        ),
    ] = False,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot",
            help="Plan offline from `history all --json` output or Trakt's export ZIP.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Timezone for per-day rules (default: the account's or the export's, else UTC).",
        ),
    ] = None,
) -> None:
    """Compute the exact plays a plan removes, show them, and optionally save the plan.

    Example: trakt-plan plan cleanup.yaml -o cleanup.plan.json
    """
    from trakt_plan.planfile import render_saved_plan, write_saved_plan
    from trakt_plan.view.plan import plan_view
    from trakt_plan.workflow import compute_plan

    saved = compute_plan(rt, spec_path, snapshot=snapshot, timezone=timezone)
    if plan_path is not None:
        write_saved_plan(plan_path, saved)
    if as_json:
        rt.ui.data(render_saved_plan(saved))
    else:
        rt.ui.plan(plan_view(saved))
        if plan_path is not None:
            rt.ui.info(f"Saved plan to {plan_path}. Review it, then: trakt-plan apply {plan_path}")
    if detailed_exitcode and saved.deletions:
        raise typer.Exit(ExitStatus.CHANGES)


def show(
    rt: Runtime,
    plan_path: Annotated[Path, typer.Argument(help="A saved plan.", metavar="PLANFILE")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the document as JSON.")] = False,
) -> None:
    """Print a saved plan the way `plan` showed it.

    Example: trakt-plan show cleanup.plan.json
    """
    from trakt_plan.planfile import read_saved_plan, render_saved_plan
    from trakt_plan.view.plan import plan_view

    saved = read_saved_plan(plan_path)
    if as_json:
        rt.ui.data(render_saved_plan(saved))
    else:
        rt.ui.plan(plan_view(saved))


def init(
    rt: Runtime,
    reference: Annotated[
        str | None,
        typer.Argument(
            metavar="[SHOW]",
            help="A show or movie (id, slug, URL, imdb:/tvdb:/tmdb: id or exact title); "
            "leave out for the whole history.",
        ),
    ] = None,
    spec_path: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write the plan here instead of stdout.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --out file.")
    ] = False,
) -> None:
    """Write a commented starter plan: recent plays and likely accidents, ready to plan.

    Example: trakt-plan init 1394 -o aos.yaml && trakt-plan plan aos.yaml
    """
    from trakt_plan.workflow import run_init

    run_init(rt, reference, spec_path=spec_path, force=force)
