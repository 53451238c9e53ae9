"""Shared setup for the review tests: a loopback webhook for the notification tests."""

from __future__ import annotations

# A fixture is found by its name in a conftest: importing it is how this one shares it.
from tests.support.webhook import webhook  # noqa: F401
