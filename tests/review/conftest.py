"""Shared setup for the review tests: a loopback webhook for the notification tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


def _webhook_module() -> ModuleType:
    """``tests/review/webhook.py``, loaded by path once per process."""
    name = "trakt_plan_tests_webhook"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "webhook.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def webhook() -> Iterator[Any]:
    """A JSON webhook on 127.0.0.1 that answers 200 and records every notification."""
    receiver = _webhook_module().WebhookReceiver().start()
    yield receiver
    receiver.stop()
