"""Global options that may follow the command name: ``trakt-plan plan x.yaml --sandbox``.

Why this machinery exists: Click (and so typer) binds an option to the group or the
command it is declared on, so ``--sandbox`` declared once on the top-level group
would be rejected after the command name, where people type it. Declaring the eight
options on every command by hand would repeat them fifteen times. Instead
:func:`with_global_options` rewrites each command's signature to append them, and
:func:`main_callback` declares the same options on the group; the command-level
value wins over the group-level one (:meth:`GlobalOptions.merged`).

Typer reads a command's parameters from ``inspect.signature`` and its annotations
through ``typing.get_type_hints``, so both are rebuilt here from one table.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from trakt_plan import __version__
from trakt_plan.errors import Interrupted
from trakt_plan.runtime import GlobalOptions, Runtime

F = TypeVar("F", bound=Callable[..., Any])

# The options of the command that runs, so the one error handler knows whether to show
# tracebacks and colours even when the command never got to build its Runtime.
current_options: ContextVar[GlobalOptions | None] = ContextVar("trakt_plan_options", default=None)


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
        "insecure_http",
        ("--insecure-http",),
        "Allow a plain http:// API or auth base on another machine (tokens and the client "
        "secret then cross the network unencrypted). Env: TRAKT_PLAN_INSECURE_HTTP=1.",
        is_flag=True,
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
_CONTEXT = inspect.Parameter(
    "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
)


def _set_signature(func: Callable[..., Any], parameters: list[inspect.Parameter]) -> None:
    func.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    func.__annotations__ = {p.name: p.annotation for p in parameters}


def with_global_options(func: F) -> F:
    """Let a command accept the global options too; it receives a ready :class:`Runtime`.

    The command's ``rt`` parameter is replaced by the global options. A Ctrl-C inside
    the command ends here, as the one :class:`~trakt_plan.errors.Interrupted` error,
    naming the command that resumes it when the command registered one
    (:attr:`Runtime.resume_with`).
    """
    # Typer reads annotations through get_type_hints, so hand it resolved objects
    # (the command modules use postponed annotations) for the command's own parameters.
    hints = typing.get_type_hints(func, include_extras=True)
    own = [
        p.replace(annotation=hints.get(name, p.annotation))
        for name, p in inspect.signature(func).parameters.items()
        if name != "rt"
    ]

    @functools.wraps(func)
    def wrapper(ctx: typer.Context, **kwargs: Any) -> Any:
        local = GlobalOptions(**{name: kwargs.pop(name) for name in _GLOBAL_NAMES})
        group = ctx.find_object(GlobalOptions) or GlobalOptions()
        options = group.merged(local)
        current_options.set(options)
        with Runtime(options) as rt:
            try:
                return func(rt=rt, **kwargs)
            except KeyboardInterrupt:
                raise Interrupted(rt.resume_with) from None

    _set_signature(wrapper, [_CONTEXT, *own, *_GLOBAL_PARAMETERS])
    return wrapper  # type: ignore[return-value]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"trakt-plan {__version__}")
        raise typer.Exit()


def main_callback(ctx: typer.Context, **options: Any) -> None:
    """Options given before the command name apply to it (flags after it win)."""
    options.pop("version", None)
    ctx.obj = GlobalOptions(**options)
    current_options.set(ctx.obj)


_set_signature(
    main_callback,
    [
        _CONTEXT,
        *_global_parameters(top_level=True),
        inspect.Parameter(
            "version",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--version", callback=_show_version, is_eager=True, help="Show the version."
                ),
            ],
        ),
    ],
)
