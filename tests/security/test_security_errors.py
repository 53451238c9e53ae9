"""Issue 5, "Secrets": when things fail, -v shows the traceback but never a secret.

Each scenario has its own emulator and config dir; the four commands run side by side
(the ``failures`` fixture) to keep the suite quick.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Failure:
    emulator: Any
    config_dir: Any
    run: Any = None


def _fail_from_the_first_rejected_token(emulator):
    """From the moment the emulator rejects a token, every request gets a 5xx."""
    token_user = emulator.state.token_user

    def rejecting(access_token):
        user = token_user(access_token)
        if user is None:
            emulator.server.knobs.error_rate = 1.0
        return user

    emulator.state.token_user = rejecting


@pytest.fixture(scope="module")
def failures(kit, tmp_path_factory):
    """Four failing commands, each against its own emulator, all run with -v."""
    servers = []
    scenarios = {}
    commands = {}
    try:
        for name in ("refresh refused", "refresh 5xx", "login 5xx", "revoke 5xx"):
            server, emulator = kit.start_emulator(kit.fast_knobs())
            servers.append(server)
            scenarios[name] = Failure(emulator, tmp_path_factory.mktemp("config"))

        # Another device used the single-use refresh token: this pair is dead for good.
        refused = scenarios["refresh refused"]
        refused.emulator.rotate_elsewhere(refused.emulator.save_token(refused.config_dir))
        commands["refresh refused"] = (("whoami", "-v"), refused.emulator.env(refused.config_dir))

        failing = scenarios["refresh 5xx"]
        token = failing.emulator.save_token(failing.config_dir)
        failing.emulator.server.expire_access_token(token.access_token)
        _fail_from_the_first_rejected_token(failing.emulator)
        commands["refresh 5xx"] = (("whoami", "-v"), failing.emulator.env(failing.config_dir))

        login = scenarios["login 5xx"]
        login.emulator.server.knobs.error_rate = 1.0
        commands["login 5xx"] = (
            (
                "login",
                "-v",
                "--api-base",
                login.emulator.base_url,
                "--client-id",
                login.emulator.client_id,
                "--client-secret",
                login.emulator.client_secret,
            ),
            {"TRAKT_PLAN_CONFIG_DIR": str(login.config_dir)},
        )

        revoke = scenarios["revoke 5xx"]
        revoke.emulator.save_token(revoke.config_dir)
        revoke.emulator.server.knobs.error_rate = 1.0
        commands["revoke 5xx"] = (("logout", "-v"), revoke.emulator.env(revoke.config_dir))

        work = tmp_path_factory.mktemp("work")
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            runs = {
                name: pool.submit(kit.run_subprocess, args, env, work)
                for name, (args, env) in commands.items()
            }
        for name, future in runs.items():
            scenarios[name].run = future.result()
        yield scenarios
    finally:
        for server in servers:
            server.stop()


@pytest.mark.parametrize("scenario", ["refresh refused", "refresh 5xx", "login 5xx", "revoke 5xx"])
def test_failures_print_no_secret(failures, secrets_in, scenario):
    """Whatever fails, stdout and stderr (with -v logs and tracebacks) hold no secret."""
    failure = failures[scenario]
    assert secrets_in(failure.run.output, failure.emulator.secrets()) == []
    assert "Bearer" not in failure.run.output


def test_a_401_after_a_failed_refresh_is_explained_with_its_traceback(failures):
    """A login that cannot be refreshed any more fails with a traceback under -v."""
    run = failures["refresh refused"].run
    assert run.exit_code == 1
    assert "Traceback (most recent call last)" in run.stderr
    assert "Error: Trakt refused to refresh the login (HTTP 400" in run.stderr
    assert "trakt-plan login" in run.stderr


def test_a_server_error_during_refresh_is_explained_with_its_traceback(failures):
    """Trakt failing with 5xx while the token is refreshed fails with a traceback under -v."""
    run = failures["refresh 5xx"].run
    assert run.exit_code == 1
    assert "Traceback (most recent call last)" in run.stderr
    assert "while trying to refresh the login" in run.stderr
    assert "POST /oauth/token" in run.stderr


def test_a_login_against_a_failing_server_saves_nothing(failures):
    """A login while Trakt answers 5xx to everything fails cleanly and writes no token."""
    failure = failures["login 5xx"]
    assert failure.run.exit_code == 1
    assert "Traceback (most recent call last)" in failure.run.stderr
    assert "HTTP 5" in failure.run.stderr
    assert not (failure.config_dir / "token.json").exists()


def test_a_failed_revocation_still_logs_out(failures):
    """Logout deletes the token even when Trakt fails to revoke it, and says so."""
    failure = failures["revoke 5xx"]
    assert failure.run.exit_code == 0
    assert "did not confirm the revocation" in failure.run.stderr
    assert not (failure.config_dir / "token.json").exists()
