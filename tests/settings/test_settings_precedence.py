"""Where trakt-plan finds hosts and app credentials: flags, then environment, then config."""

from __future__ import annotations

import os
import stat

import pytest

from trakt_plan.errors import ConfigError
from trakt_plan.settings import (
    DEFAULT_API_BASE,
    DEFAULT_AUTH_BASE,
    config_dir,
    ensure_private_dir,
    load_settings,
)


def write_config(text: str) -> None:
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text, encoding="utf-8")


def test_defaults_are_the_production_api_and_auth_hosts():
    """With nothing configured, the API is api.trakt.tv and OAuth goes to auth.trakt.tv."""
    settings = load_settings()
    assert (settings.api_base, settings.auth_base) == (DEFAULT_API_BASE, DEFAULT_AUTH_BASE)
    assert settings.client_id is None


def test_the_auth_host_follows_an_api_base_given_alone(monkeypatch):
    """Pointing only the API at staging sends OAuth there too."""
    monkeypatch.setenv("TRAKT_API_BASE", "https://api-staging.trakt.tv/")
    settings = load_settings()
    assert settings.api_base == "https://api-staging.trakt.tv"
    assert settings.auth_base == "https://api-staging.trakt.tv"


def test_an_explicit_auth_base_wins_over_following(monkeypatch):
    """TRAKT_AUTH_BASE keeps the OAuth host where it is told."""
    monkeypatch.setenv("TRAKT_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("TRAKT_AUTH_BASE", "http://127.0.0.1:10")
    assert load_settings().auth_base == "http://127.0.0.1:10"


def test_flags_beat_environment_which_beats_the_config_file(monkeypatch):
    """The spec's precedence: --client-id over TRAKT_CLIENT_ID over config.toml."""
    write_config('client_id = "from-file"\nclient_secret = "file-secret"\n')
    assert load_settings().client_id == "from-file"
    monkeypatch.setenv("TRAKT_CLIENT_ID", "from-env")
    assert load_settings().client_id == "from-env"
    assert load_settings(client_id="from-flag").client_id == "from-flag"
    assert load_settings().client_secret == "file-secret"


def test_a_bad_config_file_is_one_clear_error():
    """An unknown key in config.toml names the file and the keys it may set."""
    write_config('client_idd = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "config.toml" in str(caught.value)
    assert "client_idd" in str(caught.value)


def test_a_non_url_api_base_is_refused(monkeypatch):
    """A typo in the API base is caught before any request."""
    monkeypatch.setenv("TRAKT_API_BASE", "api.trakt.tv")
    with pytest.raises(ConfigError):
        load_settings()


def test_private_dirs_are_created_owner_only(tmp_path):
    """The config dir and the folders inside it are created 0700, parents included."""
    target = tmp_path / "new" / "config" / "sandbox"
    ensure_private_dir(target)
    for directory in (tmp_path / "new", tmp_path / "new" / "config", target):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_history_pages_read_at_once_default_to_16_and_follow_the_environment(monkeypatch):
    """TRAKT_PLAN_READ_CONCURRENCY sets how many history pages are asked for at once."""
    assert load_settings().read_concurrency == 16
    monkeypatch.setenv("TRAKT_PLAN_READ_CONCURRENCY", "4")
    assert load_settings().read_concurrency == 4


@pytest.mark.parametrize("value", ["0", "65", "many", "-2"])
def test_an_unusable_read_concurrency_is_one_clear_error(monkeypatch, value):
    """A read concurrency outside 1..64 names the variable and the allowed range."""
    monkeypatch.setenv("TRAKT_PLAN_READ_CONCURRENCY", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "TRAKT_PLAN_READ_CONCURRENCY must be a whole number from 1 to 64" in str(caught.value)
