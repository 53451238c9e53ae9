"""The ``trakt-plan`` command line: parse, build the objects, make one core call, show the result.

Rules, HTTP and file formats live elsewhere; this package wires them together and is
the one place where a :class:`~trakt_plan.errors.TraktPlanError` becomes a
one-paragraph message and an exit status (:mod:`trakt_plan.cli.app`). Each command
group has its own module; :mod:`trakt_plan.cli.options` lets the global options
follow the command name.
"""

from __future__ import annotations

from trakt_plan.cli.app import app, main

__all__ = ["app", "main"]
