"""File helpers: atomic writes (a reader sees the old file or the new one, never half of
one) and JSON reads whose errors name the file, the position and the way to make a good one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from trakt_plan.errors import PlanFileError


def atomic_write(path: Path, data: str | bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory and ``os.replace``.

    The temp file gets ``mode`` before any byte is written, so a secret never sits
    on disk readable by others, even for a moment.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def read_json_file(path: Path, *, what: str, hint: str) -> Any:
    """Parse the JSON document at ``path``; any failure is a ``PlanFileError``.

    ``what`` names the document ("saved plan") and ``hint`` says how to make a good one.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PlanFileError(f"{path}: cannot read the {what}: {reason}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{path}: not a {what}: invalid JSON at line {exc.lineno}, column {exc.colno} "
            f"({exc.msg}). {hint}"
        ) from None
