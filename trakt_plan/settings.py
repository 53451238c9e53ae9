"""Where trakt-plan keeps its files and which Trakt hosts and app it talks to.

Precedence is the spec's: flags beat environment, which beats the config file
(``config.toml`` in the config dir), which beats the defaults. No network here.
"""

from __future__ import annotations

import ipaddress
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from trakt_plan.errors import ConfigError

DEFAULT_API_BASE = "https://api.trakt.tv"
DEFAULT_AUTH_BASE = "https://auth.trakt.tv"
# History pages asked for at once: 400 pages fit in Trakt's 1000 GETs per 5 minutes, but a
# polite client keeps a few in flight (TRAKT_PLAN_READ_CONCURRENCY changes it).
DEFAULT_READ_CONCURRENCY = 16
_MAX_READ_CONCURRENCY = 64
# Device-flow clients register this redirect URI; refresh must send the same one.
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"


def config_dir() -> Path:
    """``TRAKT_PLAN_CONFIG_DIR``, else the platform's user config dir."""
    override = os.environ.get("TRAKT_PLAN_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("trakt-plan", appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by the owner only: it holds tokens.

    Parents that do not exist yet (the config dir itself, when the sandbox's folder
    inside it is asked for first) are created 0700 too; existing ones are left alone.
    """
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def refuse_writable_by_others(path: Path, *, what: str) -> None:
    """Refuse, as ssh does, a file that users other than its owner could have changed.

    A directory is refused when anyone may write to it (they could swap the files in
    it); a file when its group or others may write to it. A missing path passes.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConfigError(f"cannot check {what} {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        unsafe, fix = bool(mode & stat.S_IWOTH), f"chmod 700 {path}"
    else:
        unsafe, fix = bool(mode & (stat.S_IWGRP | stat.S_IWOTH)), f"chmod 600 {path}"
    if unsafe:
        raise ConfigError(
            f"{what} {path} can be changed by other users of this machine (mode "
            f"{stat.S_IMODE(mode):o}), so they could choose which Trakt account and app "
            f"trakt-plan uses; it is not trusted. Run `{fix}` and try again."
        )


def _read_config_file(path: Path) -> dict[str, str]:
    refuse_writable_by_others(path.parent, what="the config dir")
    if not path.exists():
        return {}
    refuse_writable_by_others(path, what="the config file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    known = {"client_id", "client_secret", "api_base", "auth_base"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r}; the config file may set "
            + ", ".join(sorted(known))
            + "."
        )
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key} must be a string, got {value!r}.")
    return {str(k): str(v) for k, v in data.items()}


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to reach Trakt, resolved once in the CLI."""

    api_base: str
    auth_base: str
    client_id: str | None
    client_secret: str | None = field(repr=False)
    config_dir: Path
    # TRAKT_ACCESS_TOKEN: used as is, never written to disk.
    access_token: str | None = field(default=None, repr=False)
    sandbox: bool = False
    # --insecure-http / TRAKT_PLAN_INSECURE_HTTP=1: allow http:// to a host off this machine.
    insecure_http: bool = False
    # TRAKT_PLAN_READ_CONCURRENCY: history pages (GETs) in flight at once.
    read_concurrency: int = DEFAULT_READ_CONCURRENCY

    @property
    def state_dir(self) -> Path:
        """Where tokens live; the sandbox keeps its own so it never touches the real ones."""
        return self.config_dir / "sandbox" if self.sandbox else self.config_dir

    @property
    def token_path(self) -> Path:
        return self.state_dir / "token.json"

    @property
    def sandbox_state_path(self) -> Path:
        return self.config_dir / "sandbox" / "state.json"


def _clean_base(value: str, what: str, *, insecure_http: bool) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{what} must be an http(s) URL, got {value!r}.")
    if value.startswith("http://") and not insecure_http and not _is_loopback(value):
        raise ConfigError(
            f"{what} {value} is plain http:// to another machine: the access token and the "
            "app's client secret would cross the network unencrypted. Use https://, or pass "
            "--insecure-http (TRAKT_PLAN_INSECURE_HTTP=1) if you really mean it."
        )
    return value


def _is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_concurrency() -> int:
    raw = os.environ.get("TRAKT_PLAN_READ_CONCURRENCY", "").strip()
    if not raw:
        return DEFAULT_READ_CONCURRENCY
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_READ_CONCURRENCY:
        raise ConfigError(
            f"TRAKT_PLAN_READ_CONCURRENCY must be a whole number from 1 to "
            f"{_MAX_READ_CONCURRENCY} (history pages read at once), got {raw!r}."
        )
    return int(raw)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _pick_hosts(levels: list[tuple[str | None, str | None]]) -> tuple[str, str]:
    """The API and OAuth hosts from (api, auth) pairs, flags first, then environment, then file.

    Each comes from the first level that names it, except that the OAuth host follows the API
    host when the level that named the API did not name OAuth and no level above it did: a
    one-off ``--api-base`` must not send tokens to the OAuth host of a config file.
    """
    api = auth = None
    for level_api, level_auth in levels:
        auth = auth or level_auth or None
        if level_api:
            api = level_api
            break
    if api is None:
        return DEFAULT_API_BASE, auth or DEFAULT_AUTH_BASE
    return api, auth or api


def load_settings(
    *,
    api_base: str | None = None,
    auth_base: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    sandbox: bool = False,
    insecure_http: bool = False,
) -> Settings:
    """Resolve settings from flags (the arguments), the environment and the config file."""
    insecure_http = insecure_http or _env_flag("TRAKT_PLAN_INSECURE_HTTP")
    directory = config_dir()
    file_values = _read_config_file(directory / "config.toml")
    env = os.environ

    def pick(flag: str | None, env_name: str, key: str) -> str | None:
        if flag:
            return flag
        if env.get(env_name):
            return env[env_name]
        return file_values.get(key)

    api, auth = _pick_hosts(
        [
            (api_base, auth_base),
            (env.get("TRAKT_API_BASE"), env.get("TRAKT_AUTH_BASE")),
            (file_values.get("api_base"), file_values.get("auth_base")),
        ]
    )
    return Settings(
        api_base=_clean_base(api, "the API base", insecure_http=insecure_http),
        auth_base=_clean_base(auth, "the auth base", insecure_http=insecure_http),
        client_id=pick(client_id, "TRAKT_CLIENT_ID", "client_id"),
        client_secret=pick(client_secret, "TRAKT_CLIENT_SECRET", "client_secret"),
        config_dir=directory,
        access_token=env.get("TRAKT_ACCESS_TOKEN") or None,
        sandbox=sandbox,
        insecure_http=insecure_http,
        read_concurrency=_read_concurrency(),
    )
