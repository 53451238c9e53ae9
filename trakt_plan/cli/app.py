"""The command tree and its one error path: every failure becomes a paragraph and an exit status.

The commands themselves live beside this module, one module per group; each is
registered here, so this file is the table of contents of ``trakt-plan``.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from trakt_plan.cli import account, doctor, emulator, guard, plans, read, writes
from trakt_plan.cli.options import current_options, main_callback, with_global_options
from trakt_plan.errors import ExitStatus, TraktPlanError
from trakt_plan.runtime import GlobalOptions
from trakt_plan.ui import Ui


def _fail(message: str, status: ExitStatus, *, traceback_too: bool = False) -> NoReturn:
    """The one way a command ends in error: a paragraph on stderr (and, under -v, the
    traceback of the exception being handled), then the exit status."""
    options = current_options.get() or GlobalOptions()
    ui = Ui(no_color=options.no_color)
    if traceback_too and options.verbose:
        ui.err.print(traceback.format_exc(), markup=False, highlight=False)
    ui.error(message)
    sys.exit(status)


class TraktPlanGroup(TyperGroup):
    """Typer's group with trakt-plan's single error path.

    Click would exit 2 on usage errors and print tracebacks for anything else;
    the spec wants exit 1 and one paragraph, with the traceback only under ``-v``.
    Overriding ``main`` covers both the console script and ``CliRunner``.
    A Ctrl-C inside a command arrives as :class:`~trakt_plan.errors.Interrupted`
    (see :func:`~trakt_plan.cli.options.with_global_options`); Click turns one outside
    a command, or at a prompt, into ``Abort``.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except TyperException as exc:
            # Typer's usage errors: the message and usage line as Click words them, but
            # exit 1 (the spec's code for usage errors), or 0 when it only showed help.
            exc.show()  # type: ignore[attr-defined]
            helped = type(exc).__name__ == "NoArgsIsHelpError"
            sys.exit(ExitStatus.OK if helped else ExitStatus.ERROR)
        except typer.Abort:
            _fail("Aborted.", ExitStatus.INTERRUPTED)
        except TraktPlanError as exc:
            _fail(exc.message, exc.exit_status, traceback_too=True)
        except OSError as exc:
            if exc.filename is None:
                _unexpected(exc)
            # A file the OS refused (full disk, a path under a file, no permission): its
            # name and the reason are what the user can act on, not "internal error".
            _fail(
                f"cannot read or write {exc.filename}: {exc.strerror or exc}. Nothing further "
                "was sent to Trakt; run again with -v for the details.",
                ExitStatus.ERROR,
                traceback_too=True,
            )
        except Exception as exc:
            _unexpected(exc)
        # typer.Exit(code) comes back as the return value when not standalone.
        sys.exit(result if isinstance(result, int) else ExitStatus.OK)


def _unexpected(exc: Exception) -> NoReturn:
    """A bug: say so, and that nothing more went to Trakt; -v shows where."""
    _fail(
        f"unexpected internal error ({type(exc).__name__}). Nothing further was sent to "
        "Trakt. Run again with -v for the details and report it.",
        ExitStatus.ERROR,
        traceback_too=True,
    )


app = typer.Typer(
    cls=TraktPlanGroup,
    name="trakt-plan",
    help=(
        "Declarative cleanup of a Trakt.tv watch history: write a plan, review the exact plays "
        "it removes, apply it safely, undo it if needed.\n\n"
        "Try it without an account: trakt-plan --sandbox plan plans/aos-cleanup.yaml"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback()(main_callback)
sandbox_app = typer.Typer(
    cls=TraktPlanGroup,
    help="Run the bundled Trakt API emulator (no account needed).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sandbox_app, name="sandbox")

# In the order `trakt-plan --help` lists them.
for command in (
    account.login,
    account.logout,
    account.whoami,
    read.search,
    read.history,
    plans.validate,
    plans.plan,
    plans.show,
    plans.init,
    doctor.doctor,
    writes.apply,
    writes.undo,
    guard.guard,
):
    app.command()(with_global_options(command))
sandbox_app.command("serve")(with_global_options(emulator.sandbox_serve))
sandbox_app.command("reset")(with_global_options(emulator.sandbox_reset))


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=list(argv) if argv is not None else None, prog_name="trakt-plan")
