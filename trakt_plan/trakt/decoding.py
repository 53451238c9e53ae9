"""From a 2xx answer's body to typed models, or an ApiError saying what was wrong with it.

Messages name the place and kind of a problem only: the offending values could be
anything (including someone else's data a proxy mixed in).
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from trakt_plan.errors import ApiError
from trakt_plan.trakt.wire import not_json

__all__ = ["decode_json", "shape_problem", "unreadable", "validate", "validate_model"]

_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")


def unreadable(endpoint: str, why: str) -> ApiError:
    """The error for an answer trakt-plan cannot use."""
    return ApiError(
        f"Trakt sent a response trakt-plan cannot read for {endpoint}: {why}. Trakt may have "
        "changed its API or a proxy altered the answer; try again, and report it if it "
        "persists.",
        endpoint=endpoint,
    )


def decode_json(response: httpx.Response, endpoint: str) -> Any:
    """The body as JSON, or :func:`unreadable`."""
    try:
        return response.json()
    except ValueError:
        raise unreadable(endpoint, not_json(response)) from None


def validate(
    adapter: TypeAdapter[_T],
    response: httpx.Response,
    endpoint: str,
    context: dict[str, Any] | None = None,
) -> _T:
    """The body validated by ``adapter`` straight from bytes."""
    try:
        # Straight from bytes: skipping the intermediate dicts saves ~15% on a history read.
        return adapter.validate_json(response.content, context=context)
    except ValidationError as exc:
        raise unreadable(endpoint, shape_problem(exc, response)) from None


def validate_model(model: type[_M], response: httpx.Response, endpoint: str) -> _M:
    """The body as one ``model``."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise unreadable(endpoint, shape_problem(exc, response)) from None


def shape_problem(exc: ValidationError, response: httpx.Response | None = None) -> str:
    """The first problem, by place and kind only: the offending values could be anything."""
    errors = exc.errors()
    if not errors:
        return "it does not have the expected shape"
    first = errors[0]
    kind = first["type"]
    if kind == "json_invalid" and response is not None:
        return not_json(response)
    loc = first["loc"]
    if not loc:
        return "it is not a JSON list" if kind == "list_type" else "it is not a JSON object"
    where = ".".join(str(part) for part in loc)
    if isinstance(loc[0], int):
        subject = f"item {loc[0]}"
        loc = loc[1:]
        if not loc:
            return f"{subject} is not a JSON object"
    else:
        subject = "it"
    field_path = ".".join(str(part) for part in loc)
    if kind == "missing":
        return f"{subject} has no `{field_path}` (JSON path {where})"
    return f"{subject} has an unusable `{field_path}` (JSON path {where})"
