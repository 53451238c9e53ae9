"""``apply`` and ``undo``: the two commands that change the Trakt history."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from trakt_plan.errors import Aborted, ConfigError
from trakt_plan.runtime import Runtime


def _parse_bool(value: str, option: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"true", "yes", "1", "on"}:
        return True
    if lowered in {"false", "no", "0", "off"}:
        return False
    raise ConfigError(f"{option} takes true or false, got {value!r}.")


def _need_terminal() -> None:
    if not sys.stdin.isatty():
        raise Aborted(
            "refusing to change the Trakt history without confirmation: there is no "
            "terminal to ask on. Re-run with --yes once you have reviewed the plan."
        )


def confirmation(*, yes: bool) -> Callable[[str], bool]:
    """Ask on the terminal unless ``--yes``; refuse rather than guess without a terminal."""

    def ask(question: str) -> bool:
        if yes:
            return True
        _need_terminal()
        return typer.confirm(question, default=False, err=True)

    return ask


def typed_confirmation(*, yes: bool) -> Callable[[str, str], bool]:
    """Ask to type a word (a show's title) unless ``--yes``: for changes too big for y/N."""

    def ask(question: str, expected: str) -> bool:
        if yes:
            return True
        _need_terminal()
        answer = typer.prompt(question, default="", show_default=False, err=True)
        return str(answer).strip().casefold() == expected.casefold()

    return ask


def apply(
    rt: Runtime,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PLANFILE|PLAN.yaml",
            help="A saved plan, or a plan YAML to plan and apply in one go.",
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="History ids per remove call (1-1000).")
    ] = 100,
    allow_mass_delete: Annotated[
        bool,
        typer.Option("--allow-mass-delete", help="Apply a plan over its max_deletions guard."),
    ] = False,
    allow_unrestorable: Annotated[
        bool,
        typer.Option(
            "--allow-unrestorable",
            help="Also remove plays Trakt sent without an episode/movie id (undo cannot add them).",
        ),
    ] = False,
    refresh: Annotated[
        str,
        typer.Option(
            "--refresh",
            help="Re-read the history when it moved since planning (false: skip).",
            metavar="true|false",
        ),
    ] = "true",
) -> None:
    """Remove exactly the planned plays, in batches, with a journal to resume and undo.

    Example: trakt-plan apply cleanup.plan.json
    """
    from trakt_plan.apply.resume import check_batch_size
    from trakt_plan.workflow import ApplyOptions, run_apply

    # Usage errors, so said before a plan YAML is planned and saved beside it.
    check_batch_size(batch_size)
    if path.suffix == ".journal":
        plan_file = path.with_name(path.name.removesuffix(".journal").removesuffix(".undo"))
        raise ConfigError(
            f"{path} is a journal, the record of an apply; apply takes the saved plan "
            f"(trakt-plan apply {plan_file}), and undo takes either."
        )
    options = ApplyOptions(
        batch_size=batch_size,
        allow_mass_delete=allow_mass_delete,
        refresh=_parse_bool(refresh, "--refresh"),
        allow_unrestorable=allow_unrestorable,
    )
    run_apply(rt, path, options, ask=confirmation(yes=yes), ask_typed=typed_confirmation(yes=yes))


def undo(
    rt: Runtime,
    target: Annotated[
        Path, typer.Argument(help="The applied plan (or its .journal).", metavar="PLANFILE|JOURNAL")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Plays per add call (1-1000).")
    ] = 100,
) -> None:
    """Add back every play an apply removed (they get new ids and the `watch` action).

    Example: trakt-plan undo cleanup.plan.json
    """
    from trakt_plan.apply.resume import check_batch_size
    from trakt_plan.workflow import run_undo

    check_batch_size(batch_size)
    run_undo(rt, target, batch_size=batch_size, ask=confirmation(yes=yes))
