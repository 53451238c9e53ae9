"""Which OAuth host a run talks to, as section 5 words it: flags beat the environment, which
beats the config file, and the OAuth host follows `--api-base` when only that is given."""

from __future__ import annotations

from trakt_plan.settings import config_dir, load_settings

STAGING_API = "https://api-staging.trakt.tv"
STAGING_AUTH = "https://auth-staging.trakt.tv"
LOCAL = "http://127.0.0.1:8765"


def write_config(text: str) -> None:
    directory = config_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text, encoding="utf-8")


def test_a_one_off_api_base_flag_takes_the_oauth_host_with_it(monkeypatch):
    """config.toml is set up for staging (API and OAuth); a one-off `--api-base` to a local
    server sends OAuth (token refresh, revoke) there too, never to the file's staging host."""
    write_config(f'api_base = "{STAGING_API}"\nauth_base = "{STAGING_AUTH}"\n')
    settings = load_settings(api_base=LOCAL)
    assert (settings.api_base, settings.auth_base) == (LOCAL, LOCAL)


def test_an_api_base_from_the_environment_outranks_the_files_oauth_host(monkeypatch):
    """TRAKT_API_BASE alone in the environment beats both hosts of the config file."""
    write_config(f'api_base = "{STAGING_API}"\nauth_base = "{STAGING_AUTH}"\n')
    monkeypatch.setenv("TRAKT_API_BASE", LOCAL)
    assert load_settings().auth_base == LOCAL


def test_an_oauth_host_given_beside_the_api_base_is_kept(monkeypatch):
    """`--auth-base` with `--api-base`, or both in the file, stay as given."""
    write_config(f'api_base = "{STAGING_API}"\nauth_base = "{STAGING_AUTH}"\n')
    assert load_settings().auth_base == STAGING_AUTH
    both = load_settings(api_base=LOCAL, auth_base="http://127.0.0.1:9")
    assert both.auth_base == "http://127.0.0.1:9"


def test_an_oauth_host_flag_outranks_an_api_base_from_lower_down(monkeypatch):
    """`--auth-base` alone moves only OAuth; the API stays where the environment put it."""
    monkeypatch.setenv("TRAKT_API_BASE", STAGING_API)
    settings = load_settings(auth_base=LOCAL)
    assert (settings.api_base, settings.auth_base) == (STAGING_API, LOCAL)
