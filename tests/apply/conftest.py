"""Shared setup for the apply/undo tests: the emulator on loopback, real plans, small doubles."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.sandbox import connect_with_token, issue_token, sandboxes
from trakt_plan.apply.engine import ApplyReport, apply_plan
from trakt_plan.fetch import fetch_history
from trakt_plan.planfile import SavedPlan, make_saved_plan, read_saved_plan, write_saved_plan
from trakt_plan.planner import build_plan
from trakt_plan.resolve import resolve_scopes
from trakt_plan.sandbox import SandboxServer, SandboxState
from trakt_plan.spec.load import load_spec_text
from trakt_plan.trakt.client import TraktClient

# The seed story: the 22 plays of Agents of S.H.I.E.L.D. marked in one second.
SEED_YAML = """\
version: 1
description: Undo the accidental bulk mark on Agents of S.H.I.E.L.D.
rules:
  - name: aos-bulk
    show: 1394
    drop:
      same_timestamp: 3
"""
SEED_IDS = frozenset(range(10_000_000_000, 10_000_000_022))

# Everything watched before the bulk mark: 63 plays of several shows and movies (a window,
# so the share guard for the whole history does not apply).
EARLY_YAML = """\
version: 1
rules:
  - name: before-the-bulk-mark
    history: all
    watched_until: 2025-11-17
    drop:
      all: true
"""

FAST_WRITES = 0.02


def play_key(play: dict[str, Any]) -> tuple[str, int, str]:
    """A play as undo can restore it: media type, media trakt id, watched_at."""
    media = play["episode"] if play["type"] == "episode" else play["movie"]
    return (play["type"], int(media["ids"]["trakt"]), play["watched_at"])


@dataclass
class Env:
    """One emulator on 127.0.0.1 and a real client logged in to it."""

    server: SandboxServer
    client: TraktClient
    token: str
    clients: list[TraktClient] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def history(self, username: str | None = None) -> list[dict[str, Any]]:
        return self.server.state.history(username)

    def ids(self) -> set[int]:
        return {int(play["id"]) for play in self.history()}

    def keys(self) -> Counter[tuple[str, int, str]]:
        return Counter(play_key(play) for play in self.history())

    def posts(self) -> int:
        """POST requests that reached the emulator, whatever it answered."""
        return sum(n for (method, _), n in self.server.stats.by_route.items() if method == "POST")

    def writes(self, path: str) -> int:
        """POSTs to ``path`` that succeeded."""
        return sum(
            1
            for method, target, status in self.server.stats.log
            if method == "POST" and target.split("?")[0] == path and 200 <= status < 300
        )

    def requests(self) -> int:
        return self.server.stats.requests

    def connect(self, token: str | None = None, **kw: Any) -> TraktClient:
        """Another client on this emulator (another user's token, other retry settings)."""
        kw.setdefault("write_interval", FAST_WRITES)
        client = connect_with_token(self.base_url, token or self.token, **kw)
        self.clients.append(client)
        return client

    def plan(
        self,
        tmp_path: Path,
        yaml_text: str | None = None,
        name: str = "seed",
        now: datetime | None = None,
    ) -> Path:
        """Plan ``yaml_text`` (default: the seed story) with the real modules; save it there."""
        saved = make_plan(self.client, yaml_text or SEED_YAML, api_base=self.base_url, now=now)
        path = tmp_path / f"{name}.plan.json"
        write_saved_plan(path, saved)
        return path

    def apply(self, saved: SavedPlan, journal: Path, client: Any = None, **kw: Any) -> ApplyReport:
        """``apply_plan`` on this emulator (through ``client``, by default the test's own),
        confirmed unless ``confirm`` says otherwise."""
        kw.setdefault("api_base", self.base_url)
        kw.setdefault("confirm", lambda preview: True)
        return apply_plan(saved, client or self.client, journal_path=journal, **kw)

    def change_play(self, history_id: int, **changes: Any) -> None:
        """Edit a play in place (same history id), as if Trakt changed it after the plan."""
        state = self.server.state
        with state.lock:
            record = state.user()
            old = record.by_id[history_id]
            record.remove({history_id})
            record.insert([old._replace(**changes)])
            record.touch_history({"episodes" if old.type == "episode" else "movies"})

    def drop_plays(self, ids: set[int]) -> None:
        """Remove plays behind the tool's back (another app, the website)."""
        state = self.server.state
        with state.lock:
            record = state.user()
            record.remove(ids)
            record.touch_history({"episodes", "movies"})


def make_plan(
    client: TraktClient, yaml_text: str, *, api_base: str, now: datetime | None = None
) -> SavedPlan:
    """What `trakt-plan plan` computes: load, resolve, fetch, plan, wrap (relative dates at
    ``now``, by default the clock)."""
    spec = load_spec_text(yaml_text, "plan.yaml")
    account = client.user_settings()
    zone = account.account.timezone or "UTC"
    spec = spec.resolve_dates(now=now or datetime.now(UTC), timezone=zone, source="plan.yaml")
    marks = client.last_activities().history_marks()
    resolved = resolve_scopes(spec, client)
    history = fetch_history(client, spec, resolved)
    result = build_plan(spec, resolved, history, timezone=zone)
    now = datetime.now(UTC).replace(microsecond=0)
    return make_saved_plan(
        result,
        spec=spec,
        resolved=resolved,
        source_path="plan.yaml",
        source_text=yaml_text,
        username=account.user.username,
        api_base=api_base,
        last_activities=marks,
        fetched_at=now,
        created_at=now,
        history=history,
    )


@pytest.fixture
def make_env() -> Iterator[Callable[..., Env]]:
    """Start emulators (fast writes unless told otherwise); all stopped after the test."""
    envs: list[Env] = []
    # Half the client's pacing, so that timing jitter never turns into 429s.
    with sandboxes(write_interval=FAST_WRITES / 2, storm_retry_after=0.02) as started:

        def start(state: SandboxState | None = None, **knobs: Any) -> Env:
            server = started.start(state, **knobs)
            env = Env(server=server, client=None, token=issue_token(server))  # type: ignore[arg-type]
            env.client = env.connect()
            envs.append(env)
            return env

        yield start
        for env in envs:
            for client in env.clients:
                client.close()


@pytest.fixture
def env(make_env: Callable[..., Env]) -> Env:
    """The demo account on a fresh emulator."""
    return make_env()


class Progress:
    """Records what the engine reports to a progress bar."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.advanced: list[int] = []
        self.finished = 0

    def start(self, total: int) -> None:
        self.started.append(total)

    def advance(self, count: int) -> None:
        self.advanced.append(count)

    def finish(self) -> None:
        self.finished += 1


class Messages(list[str]):
    """A ``notify`` that keeps every message."""

    def __call__(self, message: str) -> None:
        self.append(message)

    def text(self) -> str:
        return "\n".join(self)


@pytest.fixture
def messages() -> Messages:
    """Collects what the engine says through ``notify``."""
    return Messages()


@pytest.fixture
def progress() -> Progress:
    """Collects what the engine reports to the progress bar."""
    return Progress()


@pytest.fixture
def seed_ids() -> frozenset[int]:
    """The history ids of the 22 plays of the seed story's bulk mark."""
    return SEED_IDS


@pytest.fixture(scope="session")
def early_yaml() -> str:
    """A plan removing the 63 plays watched before the bulk mark (many batches)."""
    return EARLY_YAML


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture(scope="session")
def plan_maker() -> Callable[..., SavedPlan]:
    """``make_plan(client, yaml_text, api_base=...)``: plan with the real modules."""
    return make_plan


@pytest.fixture
def load_plan() -> Callable[[Path], SavedPlan]:
    """``read_saved_plan``: what the CLI does before apply."""
    return read_saved_plan


@pytest.fixture
def read_only_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory nothing can be created in.

    Its mode is 0555; because root ignores modes (as in this project's CI container),
    creating files in it also fails the way a read-only filesystem makes it fail.
    """
    directory = tmp_path / "read-only"
    directory.mkdir()
    real_open = os.open

    def guarded_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT
        if flags & writes and Path(os.fsdecode(path)).parent == directory:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", guarded_open)
    directory.chmod(0o555)
    yield directory
    directory.chmod(0o755)
