"""``sandbox serve`` and ``sandbox reset``: the bundled Trakt emulator, for people and tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trakt_plan.errors import ConfigError
from trakt_plan.runtime import Runtime


def sandbox_serve(
    rt: Runtime,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="State file to load and save (default: the demo data)."),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0 = any free).")] = 0,
) -> None:
    """Serve the Trakt API emulator on 127.0.0.1 until Ctrl-C.

    --client-id/--client-secret (or TRAKT_CLIENT_ID/TRAKT_CLIENT_SECRET) replace the app
    credentials it accepts, for a tool with a built-in app.

    Example: trakt-plan sandbox serve --port 8765
    """
    from trakt_plan.sandbox.runner import start_serving

    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port}: a port is a number from 0 to 65535 (0 = any free one).")
    settings = rt.settings
    try:
        server = start_serving(
            data,
            port=port,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            say=rt.ui.info,
        )
    except OSError as exc:
        if exc.filename is not None:
            raise  # the --data file, not the port: the one error handler names it
        raise ConfigError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}. Pick another --port "
            "(0 = any free one)."
        ) from None
    server.serve_forever()


def sandbox_reset(rt: Runtime) -> None:
    """Restore the --sandbox account to the demo data (and forget its token).

    Example: trakt-plan sandbox reset
    """
    from trakt_plan.sandbox.runner import reset

    reset(rt.settings.sandbox_state_path, rt.settings.config_dir / "sandbox" / "token.json")
    rt.ui.info("The sandbox account is back to the demo data.")
