"""Test isolation shared by every ring: no test reads the user's real config or tokens."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sandbox import CLOCK_READERS, EmulatorClock, Sandboxes
from tests.support.sandbox import sandboxes as started_sandboxes

_ENV_VARS = (
    "TRAKT_API_BASE",
    "TRAKT_AUTH_BASE",
    "TRAKT_CLIENT_ID",
    "TRAKT_CLIENT_SECRET",
    "TRAKT_ACCESS_TOKEN",
    "TRAKT_PLAN_CONFIG_DIR",
    "TRAKT_PLAN_CACHE_DIR",
    "TRAKT_PLAN_INSECURE_HTTP",
    "TRAKT_PLAN_READ_CONCURRENCY",
    "NO_COLOR",
)


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_reaches_the_tests() -> Iterator[None]:
    """Tests press Ctrl-C as a user would: give SIGINT its default handler for the run.

    A suite started as a background job (``pytest &``, some CI runners) inherits SIGINT
    ignored, and trakt-plan rightly keeps an ignored SIGINT ignored (``nohup``); the tests
    of Ctrl-C would then see nothing happen.
    """
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture(autouse=True)
def isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point the config dir at a fresh temp dir and clear Trakt variables from the environment."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("TRAKT_PLAN_CONFIG_DIR", str(directory))
    # Catalogue facts are cached per test too, never in the user's cache dir.
    monkeypatch.setenv("TRAKT_PLAN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # Rich must not guess a terminal width from the machine running the tests.
    monkeypatch.setenv("COLUMNS", "100")
    yield directory


@pytest.fixture
def sandboxes() -> Iterator[Sandboxes]:
    """``sandboxes.start(state, **knobs)``: emulators on loopback, all stopped after the test."""
    with started_sandboxes() as started:
        yield started


@pytest.fixture
def emulator_clock(monkeypatch: pytest.MonkeyPatch) -> EmulatorClock:
    """Stop the emulators' clock for this test; ``emulator_clock.advance(seconds)`` moves it on."""
    clock = EmulatorClock()
    for module in CLOCK_READERS:
        monkeypatch.setattr(module, "time", clock)
    return clock
