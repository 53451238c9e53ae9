"""Which renderings ``plan --format`` and ``show --format`` offer, and how to get one.

A rendering is a function ``render_NAME(view: PlanView) -> str`` in its own module of
this package, importing nothing but the view (and its own libraries): add a format by
writing one and listing it in :data:`_RENDERERS`. ``text`` is the terminal's and is
printed by ``Ui.plan`` (rich lays it out to the terminal's width), so it is not here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Literal, cast

from trakt_plan.errors import ConfigError

if TYPE_CHECKING:
    from trakt_plan.view.plan import PlanView

__all__ = ["FORMATS", "Format", "parse_format", "render_document"]

Format = Literal["text", "json", "markdown", "html"]
# module and function of each document format, imported only when asked for.
_RENDERERS: dict[str, tuple[str, str]] = {
    "json": ("trakt_plan.view.jsondoc", "render_json"),
    "markdown": ("trakt_plan.view.markdown", "render_markdown"),
    "html": ("trakt_plan.view.html", "render_html"),
}
FORMATS: tuple[str, ...] = ("text", *_RENDERERS)


def parse_format(value: str, *, as_json: bool = False) -> Format:
    """``--format`` checked (``--json`` is ``--format json``); a bad value is a ConfigError."""
    name = value.strip().lower()
    if name not in FORMATS:
        raise ConfigError(f"--format takes {', '.join(FORMATS)}; got {value!r}.")
    if as_json and name not in ("text", "json"):
        raise ConfigError(f"--json is --format json; it cannot go with --format {name}.")
    return cast(Format, "json" if as_json else name)


def render_document(view: PlanView, name: Format) -> str:
    """The plan in a document format (every format but ``text``)."""
    module, function = _RENDERERS[name]
    render = getattr(importlib.import_module(module), function)
    return cast(str, render(view))
