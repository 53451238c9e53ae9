"""What the CLI's ``--sandbox`` and ``sandbox serve|reset`` commands need from the emulator.

The ``--sandbox`` account lives in a state file, so ``plan``, ``apply`` and ``undo`` run
as separate processes see one account, and it has its own token file that never mixes
with the real one's. Nothing here imports httpx.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from trakt_plan.errors import ConfigError
from trakt_plan.fsutil import atomic_write
from trakt_plan.sandbox.demo import demo_state
from trakt_plan.sandbox.knobs import Knobs
from trakt_plan.sandbox.server import SandboxServer
from trakt_plan.sandbox.state import SandboxState
from trakt_plan.settings import ensure_private_dir
from trakt_plan.trakt.models import Token


def load_or_demo(state_path: Path | None) -> SandboxState:
    """The saved sandbox account, or the demo data when there is no file yet."""
    if state_path is not None and Path(state_path).exists():
        return SandboxState.load(Path(state_path))
    return demo_state()


def open_sandbox(state_path: Path, *, knobs: Knobs | None = None, port: int = 0) -> SandboxServer:
    """Start the emulator on loopback over the account in ``state_path`` (saved as it changes)."""
    state_path = Path(state_path)
    state = load_or_demo(state_path)
    ensure_private_dir(state_path.parent)
    state.save(state_path)
    return SandboxServer(state, knobs=knobs, port=port, state_path=state_path).start()


def ensure_sandbox_token(server: SandboxServer | None, token_path: Path) -> None:
    """Make ``token_path`` hold a token the emulator accepts, issuing one if needed.

    The file has the layout the normal token store writes, so the client reads it the
    same way; the state file records the token too, so later runs keep accepting it.
    """
    if server is None:
        raise ConfigError("The sandbox is not running; start it before asking for its token.")
    token_path = Path(token_path)
    try:
        saved = Token.model_validate(json.loads(token_path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        saved = None
    if saved is not None and server.state.token_user(saved.access_token) is not None:
        return
    token = Token.model_validate(server.state.issue_token())
    ensure_private_dir(token_path.parent)
    payload = json.dumps(token.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    atomic_write(token_path, payload, mode=0o600)
    if server.state_path is not None:
        server.state.save(server.state_path)


def reset(state_path: Path, token_path: Path) -> None:
    """Put the demo data back in ``state_path`` and forget the sandbox token."""
    state_path = Path(state_path)
    ensure_private_dir(state_path.parent)
    demo_state().save(state_path)
    Path(token_path).unlink(missing_ok=True)


def start_serving(
    data: Path | None,
    *,
    port: int = 0,
    client_id: str | None = None,
    client_secret: str | None = None,
    say: Callable[[str], None] = print,
) -> SandboxServer:
    """Start the emulator on 127.0.0.1 and tell ``say`` how to reach it.

    ``data`` is a state file to load (when it exists) and to save changes to; without it
    the demo data is served and forgotten on exit. ``client_id``/``client_secret`` replace
    the app credentials the server accepts, so a tool with a built-in app can use it.
    """
    state = load_or_demo(data)
    state.client_id = client_id or state.client_id
    state.client_secret = client_secret or state.client_secret
    server = SandboxServer(state, port=port, state_path=data).start()
    token = state.issue_token()
    say(f"Trakt emulator listening on {server.base_url} (API and OAuth); Ctrl-C stops it.")
    # A secret the user supplied may be a real app's: never echo it.
    secret = "the one you gave" if client_secret else state.client_secret
    say(f"Client id {state.client_id}, client secret {secret}.")
    say(
        f"For scripts: TRAKT_API_BASE={server.base_url} TRAKT_CLIENT_ID={state.client_id} "
        f"TRAKT_ACCESS_TOKEN={token['access_token']}"
    )
    return server
