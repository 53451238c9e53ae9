"""``validate``, ``plan``, ``show`` and ``init``: writing and reviewing a plan, nothing sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_plan.errors import ConfigError, ExitStatus
from trakt_plan.labels import plural
from trakt_plan.runtime import Runtime
from trakt_plan.view.formats import FORMATS, Format, parse_format

if TYPE_CHECKING:
    from trakt_plan.planfile import SavedPlan

FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="text (the terminal), json (the saved-plan document), markdown (a pull-request "
        "comment) or html (one page to open in a browser).",
        metavar="|".join(FORMATS),
    ),
]


def _print_plan(rt: Runtime, saved: SavedPlan, chosen: Format) -> None:
    """One plan, rendered in the chosen format: the same bytes for `plan` and `show`."""
    from trakt_plan.view.formats import render_document
    from trakt_plan.view.plan import plan_view

    view = plan_view(saved)
    if chosen == "text":
        rt.ui.plan(view)
        return
    rt.ui.data(render_document(view, chosen))
    for warning in view.warnings:
        rt.ui.warn(warning)


def _check_writable_place(path: Path, what: str) -> None:
    """Refuse an ``-o`` under a file before anything is read: planning can take minutes, and
    the error would otherwise surface only when the file is written (or name its journal).

    Also one that is not a regular file (``/dev/stdout``, a FIFO, a device): the write is
    atomic, a new file moved over the path, so it would replace the device node itself.
    """
    if path.exists() and not path.is_file():
        raise ConfigError(
            f"-o {path} is not a regular file; {what} is written as a new file moved into place, "
            "which would replace it. Give a file name (or leave out -o to print it on stdout)."
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(
                    f"cannot write {what} to {path}: {parent} is a file, not a directory; "
                    "nothing was read or written."
                )
            return


@contextmanager
def _writing(path: Path, what: str) -> Iterator[None]:
    """An OS refusal to write ``path`` (or its temp file beside it) as one paragraph naming
    ``path``, instead of an internal error naming the temp file."""
    try:
        yield
    except OSError as exc:
        culprit = Path(exc.filename) if exc.filename else None
        if culprit is None or (
            culprit not in (path, *path.parents) and culprit.parent != path.parent
        ):
            raise
        reason = exc.strerror or str(exc)
        raise ConfigError(f"cannot write {what} to {path}: {reason}.") from None


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


_Timezone = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="Timezone for per-day rules (default: the account's or the export's, else UTC).",
        metavar="ZONE",
    ),
]
_Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Resolve relative dates (30d ago, today) at this instant, e.g. "
        "2026-12-01T04:00:00Z (default: when the history is read).",
        metavar="INSTANT",
    ),
]
_Out = Annotated[
    Path | None,
    typer.Option(
        "-o", "--out", help="Save the plan for review and apply (NAME.plan.json).", metavar="FILE"
    ),
]
_Snapshot = Annotated[
    Path | None,
    typer.Option(
        "--snapshot",
        help="Plan offline from `history all --json` output or Trakt's export ZIP.",
        metavar="FILE",
    ),
]
_RefreshCatalog = Annotated[
    bool,
    typer.Option(
        "--refresh-catalog", help="Read runtimes and air dates from Trakt, not the disk cache."
    ),
]


def plan(
    rt: Runtime,
    spec_path: Annotated[Path, typer.Argument(help="The plan YAML.", metavar="PLAN.yaml")],
    plan_path: _Out = None,
    output_format: FormatOption = "text",
    as_json: Annotated[
        bool, typer.Option("--json", help="Same as --format json: the saved-plan document.")
    ] = False,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 2 when there is something to delete (0 when not)."
        ),
    ] = False,
    snapshot: _Snapshot = None,
    timezone: _Timezone = None,
    now: _Now = None,
    refresh_catalog: _RefreshCatalog = False,
) -> None:
    """Compute the exact plays a plan removes, show them, and optionally save the plan.

    Example: trakt-plan plan cleanup.yaml -o cleanup.plan.json
    """
    from trakt_plan.apply.lifecycle import save_plan
    from trakt_plan.workflow import check_output_path, compute_plan

    chosen = parse_format(output_format, as_json=as_json)
    if plan_path is not None:
        check_output_path(plan_path, spec_path=spec_path)
        _check_writable_place(plan_path, "the saved plan")
    from trakt_plan.timefmt import parse_now

    saved = compute_plan(
        rt,
        spec_path,
        snapshot=snapshot,
        timezone=timezone,
        now=parse_now(now),
        refresh_catalog=refresh_catalog,
    )
    if plan_path is not None:
        with _writing(plan_path, "the saved plan"):
            saved = save_plan(plan_path, saved, notify=rt.ui.info)
    _print_plan(rt, saved, chosen)
    if plan_path is not None:
        # On stderr, so stdout stays the rendering `show` prints (section 6.6).
        rt.ui.info(f"Saved plan to {plan_path}. Review it, then: trakt-plan apply {plan_path}")
    if detailed_exitcode and saved.deletions:
        raise typer.Exit(ExitStatus.CHANGES)


def show(
    rt: Runtime,
    plan_path: Annotated[Path, typer.Argument(help="A saved plan.", metavar="PLANFILE")],
    output_format: FormatOption = "text",
    as_json: Annotated[
        bool, typer.Option("--json", help="Same as --format json: the saved-plan document.")
    ] = False,
) -> None:
    """Print a saved plan the way `plan` showed it.

    Example: trakt-plan show cleanup.plan.json
    """
    from trakt_plan.planfile import read_saved_plan

    chosen = parse_format(output_format, as_json=as_json)
    _print_plan(rt, read_saved_plan(plan_path), chosen)


def init(
    rt: Runtime,
    reference: Annotated[
        str | None,
        typer.Argument(
            metavar="SHOW",
            help="A show or movie (id, slug, URL, imdb:/tvdb:/tmdb: id or exact title); "
            "leave out for the whole history.",
        ),
    ] = None,
    spec_path: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Write the plan here instead of stdout.", metavar="FILE"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --out file.")
    ] = False,
) -> None:
    """Write a commented starter plan: recent plays and likely accidents, ready to plan.

    Example: trakt-plan init 1394 -o aos.yaml && trakt-plan plan aos.yaml
    """
    from trakt_plan.workflow import check_output_path, run_init

    if spec_path is None:
        run_init(rt, reference, spec_path=None, force=force)
        return
    check_output_path(spec_path)
    _check_writable_place(spec_path, "the starter plan")
    with _writing(spec_path, "the starter plan"):
        run_init(rt, reference, spec_path=spec_path, force=force)
