"""The ``trakt-plan`` command line: parse, build the objects, make one core call, show the result.

Rules, HTTP and file formats live elsewhere; this module wires them together and is
the one place where a :class:`~trakt_plan.errors.TraktPlanError` becomes a
one-paragraph message and an exit status.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import traceback
import typing
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from trakt_plan import __version__
from trakt_plan.errors import (
    ConfigError,
    ExitStatus,
    TraktPlanError,
)
from trakt_plan.runtime import GlobalOptions, Runtime
from trakt_plan.ui import Ui

F = TypeVar("F", bound=Callable[..., Any])

# Set while a command runs so the one error handler knows whether to show tracebacks.
_verbose: ContextVar[bool] = ContextVar("trakt_plan_verbose", default=False)
_no_color: ContextVar[bool] = ContextVar("trakt_plan_no_color", default=False)


def _fail(message: str, status: ExitStatus, *, traceback_too: bool = False) -> NoReturn:
    """The one way a command ends in error: a paragraph on stderr (and, under -v, the
    traceback of the exception being handled), then the exit status."""
    ui = Ui(no_color=_no_color.get())
    if traceback_too and _verbose.get():
        ui.err.print(traceback.format_exc(), markup=False, highlight=False)
    ui.error(message)
    sys.exit(status)


class TraktPlanGroup(TyperGroup):
    """Typer's group with trakt-plan's single error path.

    Click would exit 2 on usage errors and print tracebacks for anything else;
    the spec wants exit 1 and one paragraph, with the traceback only under ``-v``.
    Overriding ``main`` covers both the console script and ``CliRunner``.
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
        except KeyboardInterrupt:
            _fail("Interrupted.", ExitStatus.INTERRUPTED)
        except Exception as exc:
            _fail(
                f"unexpected internal error ({type(exc).__name__}). Nothing further was sent to "
                "Trakt. Run again with -v for the details and report it.",
                ExitStatus.ERROR,
                traceback_too=True,
            )
        # typer.Exit(code) comes back as the return value when not standalone.
        sys.exit(result if isinstance(result, int) else ExitStatus.OK)


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
sandbox_app = typer.Typer(
    cls=TraktPlanGroup,
    help="Run the bundled Trakt API emulator (no account needed).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sandbox_app, name="sandbox")


# -- global options ------------------------------------------------------------------


@dataclass(frozen=True)
class _GlobalOption:
    """One option every command takes; ``detail`` marks those the top level does not list."""

    name: str
    flags: tuple[str, ...]
    help: str
    is_flag: bool = False
    detail: bool = False


_GLOBAL_OPTIONS = (
    _GlobalOption(
        "api_base",
        ("--api-base",),
        "Trakt API base URL (default https://api.trakt.tv; e.g. the staging API). "
        "Env: TRAKT_API_BASE.",
        detail=True,
    ),
    _GlobalOption(
        "auth_base",
        ("--auth-base",),
        "OAuth base URL (default https://auth.trakt.tv; follows --api-base when only that "
        "is given). Env: TRAKT_AUTH_BASE.",
        detail=True,
    ),
    _GlobalOption(
        "client_id",
        ("--client-id",),
        "Your Trakt API app's client id. Env: TRAKT_CLIENT_ID.",
        detail=True,
    ),
    _GlobalOption(
        "client_secret",
        ("--client-secret",),
        "Your Trakt API app's client secret. Env: TRAKT_CLIENT_SECRET.",
        detail=True,
    ),
    _GlobalOption(
        "sandbox",
        ("--sandbox",),
        "Run against the bundled Trakt emulator with demo data (no account).",
        is_flag=True,
    ),
    _GlobalOption("no_color", ("--no-color",), "No colours (also NO_COLOR=1).", is_flag=True),
    _GlobalOption(
        "verbose", ("-v", "--verbose"), "Log requests; show tracebacks on errors.", is_flag=True
    ),
)


def _global_parameters(*, top_level: bool) -> list[inspect.Parameter]:
    """The global options as typer parameters, for a command or for the top level."""
    parameters = []
    for option in _GLOBAL_OPTIONS:
        typer_option = typer.Option(
            *option.flags,
            help=option.help,
            show_default=False,
            # The connection details are documented once, on each command's own help.
            hidden=top_level and option.detail,
        )
        kind = bool if option.is_flag else str | None
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=False if option.is_flag else None,
                annotation=Annotated[kind, typer_option],
            )
        )
    return parameters


_GLOBAL_PARAMETERS = _global_parameters(top_level=False)
_GLOBAL_NAMES = [p.name for p in _GLOBAL_PARAMETERS]


def with_global_options(func: F) -> F:
    """Let a command accept the global options too (``trakt-plan plan x.yaml --sandbox``).

    The command receives a ready :class:`Runtime` as its ``rt`` argument instead.
    """
    # Typer reads annotations through get_type_hints, so hand it resolved objects
    # (this module uses postponed annotations) for the command's own parameters too.
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    own = [
        p.replace(annotation=hints.get(name, p.annotation))
        for name, p in signature.parameters.items()
        if name != "rt"
    ]
    parameters = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        *own,
        *_GLOBAL_PARAMETERS,
    ]

    @functools.wraps(func)
    def wrapper(ctx: typer.Context, **kwargs: Any) -> Any:
        local = GlobalOptions(**{name: kwargs.pop(name) for name in _GLOBAL_NAMES})
        group = ctx.find_object(GlobalOptions) or GlobalOptions()
        options = group.merged(local)
        _verbose.set(options.verbose)
        _no_color.set(options.no_color)
        with Runtime(options) as rt:
            try:
                return func(rt=rt, **kwargs)
            except KeyboardInterrupt:
                # Typer would exit 130 silently; say what happened (apply and undo have
                # said how to resume before getting here, when there is something to resume).
                rt.ui.error("Interrupted.")
                raise typer.Exit(ExitStatus.INTERRUPTED) from None

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"trakt-plan {__version__}")
        raise typer.Exit()


def _main_callback(ctx: typer.Context, **options: Any) -> None:
    """Options given before the command name apply to it (flags after it win)."""
    options.pop("version", None)
    ctx.obj = GlobalOptions(**options)
    _verbose.set(ctx.obj.verbose)
    _no_color.set(ctx.obj.no_color)


_main_parameters = [
    inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
    *_global_parameters(top_level=True),
    inspect.Parameter(
        "version",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            typer.Option(
                "--version", callback=_version_callback, is_eager=True, help="Show the version."
            ),
        ],
    ),
]
_main_callback.__signature__ = inspect.Signature(_main_parameters)  # type: ignore[attr-defined]
_main_callback.__annotations__ = {p.name: p.annotation for p in _main_parameters}
app.callback()(_main_callback)


def _print_json(rt: Runtime, value: object) -> None:
    rt.ui.data(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False))


def _check_media_type(value: str | None) -> None:
    if value not in (None, "show", "movie"):
        raise ConfigError(f"--type must be show or movie, got {value!r}.")


def _parse_when(value: str | None, option: str) -> datetime | None:
    """``--from``/``--until``: read exactly like the plan language's watched_from/until."""
    if value is None:
        return None
    from trakt_plan.spec.model import SpecIssue, parse_instant

    try:
        return parse_instant(value, "a time")
    except SpecIssue as exc:
        raise ConfigError(f"{option} {value!r}: {exc}.") from None


# -- account commands ----------------------------------------------------------------


@app.command()
@with_global_options
def login(rt: Runtime) -> None:
    """Log in to Trakt with the device flow and save the tokens (mode 0600).

    Example: TRAKT_CLIENT_ID=... TRAKT_CLIENT_SECRET=... trakt-plan login
    """
    from trakt_plan.trakt.connect import login as device_login

    def show_code(url: str, code: str) -> None:
        rt.ui.info(f"Open {url} and enter the code {code}")
        rt.ui.info("Waiting for you to approve trakt-plan…")

    settings = rt.live_settings()
    username = device_login(settings, on_code=show_code)
    rt.ui.info(f"Logged in as {username}. Tokens saved in {settings.token_path}.")


@app.command()
@with_global_options
def logout(rt: Runtime) -> None:
    """Revoke the saved token at Trakt and delete it from disk.

    Example: trakt-plan logout
    """
    from trakt_plan.trakt.connect import logout as revoke

    removed = revoke(rt.live_settings(), warn=rt.ui.warn)
    rt.ui.info("Logged out." if removed else "Not logged in; nothing to do.")


@app.command()
@with_global_options
def whoami(
    rt: Runtime,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the Trakt account the saved token (or TRAKT_ACCESS_TOKEN) belongs to.

    Example: trakt-plan whoami --json
    """
    settings = rt.client().user_settings()
    if as_json:
        _print_json(
            rt,
            {
                "username": settings.user.username,
                "name": settings.user.name,
                "vip": settings.user.vip,
                "slug": settings.user.ids.slug,
                "timezone": settings.account.timezone,
                "api_base": rt.api_label,
            },
        )
    else:
        rt.ui.whoami(settings, api_base=rt.api_label)


# -- read commands -------------------------------------------------------------------


@app.command()
@with_global_options
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
        _print_json(
            rt,
            [
                {
                    "type": r.type,
                    "title": r.media.title if r.media else None,
                    "year": r.media.year if r.media else None,
                    "ids": r.media.ids.model_dump(mode="json") if r.media else {},
                }
                for r in results
            ],
        )
    else:
        rt.ui.search_results(results)


@app.command()
@with_global_options
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
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the plays as JSON, in Trakt's own shape.")
    ] = False,
) -> None:
    """List plays, newest first, with the history ids a plan can name.

    Example: trakt-plan history 1394 --from 2025-11-01
    `history all --json > snapshot.json` saves a snapshot for `plan --snapshot`.
    """
    from trakt_plan.fetch import HistoryRead, read_history
    from trakt_plan.resolve import resolve_any

    start_at = _parse_when(since, "--from")
    end_at = _parse_when(until, "--until")
    _check_media_type(media_type)
    client = rt.client()
    everything = scope.strip().lower() == "all"
    target = None if everything else resolve_any(client, scope, media_type)
    with rt.ui.pages("Reading history") as on_page:
        items = read_history(client, HistoryRead.of(target, start_at, end_at), on_page=on_page)
    if as_json:
        _print_json(rt, [item.to_trakt_json() for item in items])
    else:
        rt.ui.history(items, with_show=everything)


# -- plans ---------------------------------------------------------------------------


@app.command()
@with_global_options
def validate(
    rt: Runtime,
    plan_file: Annotated[Path, typer.Argument(help="The plan YAML.", metavar="PLAN.yaml")],
) -> None:
    """Check a plan offline: syntax, keys, types, episode codes, dates, durations.

    Example: trakt-plan validate plans/aos-cleanup.yaml
    """
    from trakt_plan.resolve import unresolved_scopes
    from trakt_plan.spec.load import load_spec

    spec = load_spec(plan_file)
    pending = unresolved_scopes(spec)
    rt.ui.info(
        f"{plan_file}: valid plan, {len(spec.rules)} rule(s), {len(spec.protect)} protect "
        f"entr{'y' if len(spec.protect) == 1 else 'ies'}."
    )
    if pending:
        listed = ", ".join(f"{ref.kind} {ref.ref!r}" for ref in pending)
        rt.ui.info(f"To be resolved online when planning: {listed}.")


@app.command()
@with_global_options
def plan(
    rt: Runtime,
    plan_file: Annotated[Path, typer.Argument(help="The plan YAML.", metavar="PLAN.yaml")],
    out: Annotated[
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
        typer.Option("--snapshot", help="Plan offline from a file saved by `history all --json`."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Timezone for per-day rules (default: the account's; UTC with --snapshot).",
        ),
    ] = None,
) -> None:
    """Compute the exact plays a plan removes, show them, and optionally save the plan.

    Example: trakt-plan plan cleanup.yaml -o cleanup.plan.json
    """
    from trakt_plan.workflow import compute_plan, plan_view

    saved = compute_plan(rt, plan_file, snapshot=snapshot, timezone=timezone)
    if out is not None:
        from trakt_plan.planfile import write_saved_plan

        write_saved_plan(out, saved)
    if as_json:
        from trakt_plan.planfile import render_saved_plan

        rt.ui.data(render_saved_plan(saved))
    else:
        rt.ui.plan(plan_view(saved))
        if out is not None:
            rt.ui.info(f"Saved plan to {out}. Review it, then: trakt-plan apply {out}")
    if detailed_exitcode and saved.deletions:
        raise typer.Exit(ExitStatus.CHANGES)


@app.command()
@with_global_options
def show(
    rt: Runtime,
    plan_file: Annotated[Path, typer.Argument(help="A saved plan.", metavar="PLANFILE")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the document as JSON.")] = False,
) -> None:
    """Print a saved plan the way `plan` showed it.

    Example: trakt-plan show cleanup.plan.json
    """
    from trakt_plan.planfile import read_saved_plan, render_saved_plan
    from trakt_plan.workflow import plan_view

    saved = read_saved_plan(plan_file)
    if as_json:
        rt.ui.data(render_saved_plan(saved))
    else:
        rt.ui.plan(plan_view(saved))


@app.command()
@with_global_options
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
    out: Annotated[
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

    run_init(rt, reference, out=out, force=force)


# -- writes --------------------------------------------------------------------------


@app.command()
@with_global_options
def apply(
    rt: Runtime,
    plan_file: Annotated[
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
    from trakt_plan.workflow import run_apply

    run_apply(
        rt,
        plan_file,
        yes=yes,
        batch_size=batch_size,
        allow_mass_delete=allow_mass_delete,
        refresh=_parse_bool(refresh, "--refresh"),
    )


@app.command()
@with_global_options
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
    from trakt_plan.workflow import run_undo

    run_undo(rt, target, yes=yes, batch_size=batch_size)


def _parse_bool(value: str, option: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"true", "yes", "1", "on"}:
        return True
    if lowered in {"false", "no", "0", "off"}:
        return False
    raise ConfigError(f"{option} takes true or false, got {value!r}.")


# -- sandbox -------------------------------------------------------------------------


@sandbox_app.command("serve")
@with_global_options
def sandbox_serve(
    rt: Runtime,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="State file to load and save (default: the demo data)."),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0 = any free).")] = 0,
) -> None:
    """Serve the Trakt API emulator on 127.0.0.1 until Ctrl-C.

    Example: trakt-plan sandbox serve --port 8765
    """
    from trakt_plan.sandbox.runner import serve

    serve(data, port=port, say=rt.ui.info)


@sandbox_app.command("reset")
@with_global_options
def sandbox_reset(rt: Runtime) -> None:
    """Restore the --sandbox account to the demo data (and forget its token).

    Example: trakt-plan sandbox reset
    """
    from trakt_plan.sandbox.runner import reset

    reset(rt.settings.sandbox_state_path, rt.settings.config_dir / "sandbox" / "token.json")
    rt.ui.info("The sandbox account is back to the demo data.")


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=list(argv) if argv is not None else None, prog_name="trakt-plan")


__all__ = ["app", "main"]
