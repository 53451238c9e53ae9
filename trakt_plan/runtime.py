"""What a command needs beyond its arguments: settings, the UI, the sandbox and the client.

Built once per command by the CLI and closed when it ends. The emulator is
imported here only when ``--sandbox`` asks for it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from trakt_plan.settings import Settings, load_settings
from trakt_plan.ui import Ui

if TYPE_CHECKING:
    from trakt_plan.sandbox import SandboxServer
    from trakt_plan.trakt.client import TraktClient


@dataclass
class GlobalOptions:
    """Options every command accepts, before or after the command name."""

    api_base: str | None = None
    auth_base: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    insecure_http: bool = False
    sandbox: bool = False
    no_color: bool = False
    verbose: bool = False

    def merged(self, other: GlobalOptions) -> GlobalOptions:
        """``other``'s values where set, else ours (command-level beats group-level)."""
        values = {f.name: getattr(other, f.name) or getattr(self, f.name) for f in fields(self)}
        return GlobalOptions(**values)


class Runtime:
    """What a command needs beyond its arguments; closes what it opened."""

    def __init__(self, options: GlobalOptions) -> None:
        self.options = options
        self.ui = Ui(no_color=options.no_color)
        # Read on first use: `validate` and `show` read only their file, so a config file with
        # a typo (or a config dir that is not one) must not stop them.
        self._settings: Settings | None = None
        # The command that picks up where a Ctrl-C left off, once the command has one.
        self.resume_with: str | None = None
        self._client: TraktClient | None = None
        self._public: TraktClient | None = None
        self._server: SandboxServer | None = None
        if options.verbose:
            logging.basicConfig(
                level=logging.DEBUG, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
            )
            # httpcore's debug lines add nothing and must never get near headers.
            logging.getLogger("httpcore").setLevel(logging.WARNING)

    @property
    def settings(self) -> Settings:
        """Flags, environment and config file resolved (on first use)."""
        if self._settings is None:
            options = self.options
            self._settings = load_settings(
                api_base=options.api_base,
                auth_base=options.auth_base,
                client_id=options.client_id,
                client_secret=options.client_secret,
                sandbox=options.sandbox,
                insecure_http=options.insecure_http,
            )
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def api_label(self) -> str:
        """The API base a saved plan records: stable for the sandbox, whose port changes."""
        return "sandbox" if self.settings.sandbox else self.settings.api_base

    def live_settings(self) -> Settings:
        """The settings to reach Trakt with: for ``--sandbox``, those of the running emulator."""
        if self.settings.sandbox and self._server is None:
            self._start_sandbox()
        return self.settings

    def _start_sandbox(self) -> None:
        """Start the emulator in-process on loopback and point the settings at it.

        It approves device codes by itself, so `--sandbox login` completes unattended.
        """
        from trakt_plan.sandbox import Knobs
        from trakt_plan.sandbox.runner import open_sandbox

        self._server = open_sandbox(
            self.settings.sandbox_state_path,
            knobs=Knobs(device_auto_approve_after=1, device_interval=0.2),
        )
        self.settings = replace(
            self.settings,
            api_base=self._server.base_url,
            auth_base=self._server.base_url,
            # The state file's app, which `sandbox serve --client-id` may have changed.
            client_id=self._server.state.client_id,
            client_secret=self._server.state.client_secret,
            access_token=None,
        )

    def client(self) -> TraktClient:
        """The Trakt client, logged in (sandbox: with the emulator's own token)."""
        if self._client is None:
            from trakt_plan.trakt.connect import open_client

            settings = self.live_settings()
            if self._server is not None:
                from trakt_plan.sandbox.runner import ensure_sandbox_token

                ensure_sandbox_token(self._server, settings.token_path)
            self._client = open_client(settings, warn=self.ui.warn)
        return self._client

    def public_client_opener(self) -> Callable[[], TraktClient] | None:
        """Opens a client for Trakt's public endpoints (no login), or ``None`` without an app
        id; the client is closed with the runtime."""
        if not self.settings.sandbox and not self.settings.client_id:
            return None

        def open_public() -> TraktClient:
            from trakt_plan.trakt.connect import open_public_client

            if self._public is None:
                self._public = open_public_client(self.live_settings())
            return self._public

        return open_public

    def close(self) -> None:
        if self._public is not None:
            self._public.close()
            self._public = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None:
            self._server.stop()
            self._server = None
