"""Settings trakt-plan refuses to trust: plain http off this machine, files others can change."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import invoke
from trakt_plan.errors import ConfigError
from trakt_plan.settings import config_dir, load_settings
from trakt_plan.trakt.auth import TokenStore
from trakt_plan.trakt.models import Token


def test_plain_http_to_another_machine_is_refused_since_tokens_would_cross_in_clear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An http:// API base off loopback is a ConfigError that names the opt-in."""
    monkeypatch.setenv("TRAKT_API_BASE", "http://trakt.example.net")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "http://trakt.example.net" in message and "unencrypted" in message
    assert "--insecure-http" in message and "TRAKT_PLAN_INSECURE_HTTP=1" in message


def test_plain_http_auth_host_is_refused_as_well() -> None:
    """The OAuth host carries the client secret: http:// to another machine is refused too."""
    with pytest.raises(ConfigError) as caught:
        load_settings(auth_base="http://10.0.0.5:8080")
    assert "the auth base http://10.0.0.5:8080" in str(caught.value)


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80", "http://127.8.0.1"]
)
def test_plain_http_to_this_machine_is_allowed(base: str) -> None:
    """Loopback (the sandbox, a local proxy) needs no opt-in."""
    assert load_settings(api_base=base).api_base == base


def test_the_insecure_http_opt_in_allows_plain_http_from_flag_or_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The flag or TRAKT_PLAN_INSECURE_HTTP=1 lets http:// through and is recorded."""
    flagged = load_settings(api_base="http://trakt.example.net", insecure_http=True)
    assert (flagged.api_base, flagged.insecure_http) == ("http://trakt.example.net", True)
    monkeypatch.setenv("TRAKT_PLAN_INSECURE_HTTP", "1")
    assert load_settings(api_base="http://trakt.example.net").insecure_http is True


def test_a_world_writable_config_dir_is_refused_as_ssh_does() -> None:
    """A config dir anyone may write to is refused with the chmod that fixes it."""
    directory = config_dir()
    directory.chmod(0o777)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"the config dir {directory} can be changed by other users" in message
    assert f"chmod 700 {directory}" in message


@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_a_config_file_writable_by_group_or_others_is_refused(mode: int) -> None:
    """config.toml that the group or others may write is refused, not read."""
    path = config_dir() / "config.toml"
    path.write_text('client_id = "planted"\n', encoding="utf-8")
    path.chmod(mode)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"the config file {path} can be changed by other users" in str(caught.value)
    assert f"chmod 600 {path}" in str(caught.value)


def test_a_token_file_writable_by_others_is_refused() -> None:
    """A token file others may write could hold their token: refused before it is used."""
    path = config_dir() / "token.json"
    token = {"access_token": "a", "refresh_token": "r", "expires_in": 60, "created_at": 1}
    path.write_text(json.dumps(token), encoding="utf-8")
    path.chmod(0o622)
    with pytest.raises(ConfigError) as caught:
        TokenStore(path).load()
    assert f"the token file {path} can be changed by other users" in str(caught.value)
    path.chmod(0o600)
    assert Token.model_validate(token) == TokenStore(path).load()


def test_the_command_line_refuses_plain_http_until_told_insecure_http() -> None:
    """`whoami --api-base http://…` exits 1 naming the opt-in; with --insecure-http it gets past."""
    refused = invoke("whoami", "--api-base", "http://trakt.example.net")
    allowed = invoke("whoami", "--api-base", "http://trakt.example.net", "--insecure-http")
    assert (refused.exit_code, "--insecure-http" in refused.stderr) == (1, True)
    assert (allowed.exit_code, "unencrypted" in allowed.stderr) == (1, False)
    assert "no Trakt API app configured" in allowed.stderr
