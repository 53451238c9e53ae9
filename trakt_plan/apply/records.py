"""The journal's records as types: what each line of an apply or undo journal holds.

One JSON object per line, told apart by ``type``::

    header    plan_id, kind ("apply" | "undo"), account{username, api_base}, started,
              total, tool_version, verified, already_gone, baselines (apply); apply_journal (undo)
    intent    batch, ids, plays, already_there (undo)       written *before* the batch is sent
    result    batch, deleted|added, not_found, removed|restored, already_there (undo)
    complete  removed, already_gone | restored, already_there, failed

Records are frozen pydantic models with unknown keys refused, like the saved plan: a line
that does not fit is damage, and the reader names its ``path:line``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter

from trakt_plan import __version__
from trakt_plan.planfile import PlannedDeletion
from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt import models as trakt_models

__all__ = [
    "Baseline",
    "Complete",
    "Counts",
    "Header",
    "Intent",
    "JournalAccount",
    "JournalKind",
    "Record",
    "RestorePlay",
    "Result",
    "new_header",
    "parse_record",
]

JournalKind = Literal["apply", "undo"]
HistoryId = StrictInt
BatchNumber = Annotated[StrictInt, Field(ge=1)]


def now_text() -> str:
    """The current time in Trakt's spelling: when a record or a lock was written."""
    return format_trakt_time(datetime.now(UTC))


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class JournalAccount(_Record):
    """The account a journal's writes went to."""

    username: str
    api_base: str


class Baseline(_Record):
    """How many plays of one (media, second) key the apply kept: undo restores on top of it."""

    type: Literal["episode", "movie"]
    trakt: StrictInt
    second: StrictInt
    kept: StrictInt


class Header(_Record):
    """The first record: which plan, which account, and what the run knew when it began.

    ``verified``: every planned play still to send was seen present when the apply started,
    so an id Trakt later reports not found was removed by one of our own lost answers.
    """

    type: Literal["header"] = "header"
    at: str = Field(default_factory=now_text)
    plan_id: str
    kind: JournalKind
    account: JournalAccount
    started: str = Field(default_factory=now_text)
    total: StrictInt
    tool_version: str = __version__
    verified: bool = False
    already_gone: tuple[HistoryId, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    apply_journal: str | None = None


class RestorePlay(_Record):
    """A play an undo adds back: its original id, media and time."""

    history_id: HistoryId
    type: Literal["episode", "movie"]
    trakt_id: StrictInt | None
    watched_at: str


class Intent(_Record):
    """A batch as announced before it was sent: its history ids and the whole plays."""

    type: Literal["intent"] = "intent"
    at: str = Field(default_factory=now_text)
    batch: BatchNumber
    ids: tuple[HistoryId, ...]
    plays: tuple[PlannedDeletion, ...] | tuple[RestorePlay, ...]
    already_there: tuple[HistoryId, ...] = ()


class Counts(trakt_models.Counts):
    """Trakt's per-type counts of a write (``deleted`` or ``added``), as the journal keeps them."""

    # Strict like every record: the journal is our own file, not a Trakt answer to tolerate.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Result(_Record):
    """What Trakt answered for a batch, and which ids the run counts as its own work."""

    type: Literal["result"] = "result"
    at: str = Field(default_factory=now_text)
    batch: BatchNumber
    not_found: tuple[HistoryId, ...] = ()
    deleted: Counts | None = None
    removed: tuple[HistoryId, ...] = ()
    added: Counts | None = None
    restored: tuple[HistoryId, ...] = ()
    already_there: tuple[HistoryId, ...] = ()

    def done(self, kind: JournalKind) -> tuple[int, ...]:
        """The ids done by us: removed by an apply, restored by an undo."""
        return self.removed if kind == "apply" else self.restored


class Complete(_Record):
    """The last record: the run's totals."""

    type: Literal["complete"] = "complete"
    at: str = Field(default_factory=now_text)
    removed: StrictInt | None = None
    already_gone: StrictInt | None = None
    restored: StrictInt | None = None
    already_there: StrictInt | None = None
    failed: StrictInt | None = None


Record = Annotated[Header | Intent | Result | Complete, Field(discriminator="type")]
_RECORD: TypeAdapter[Header | Intent | Result | Complete] = TypeAdapter(Record)


def parse_record(data: object) -> Header | Intent | Result | Complete:
    """A record from its JSON value; raises pydantic's ``ValidationError`` when it does not fit."""
    return _RECORD.validate_python(data)


def new_header(
    *,
    plan_id: str,
    kind: JournalKind,
    username: str,
    api_base: str,
    total: int,
    verified: bool = False,
    already_gone: tuple[int, ...] = (),
    baselines: tuple[Baseline, ...] = (),
    apply_journal: str | None = None,
) -> Header:
    """The header record of a new journal."""
    return Header(
        plan_id=plan_id,
        kind=kind,
        account=JournalAccount(username=username, api_base=api_base),
        total=total,
        verified=verified,
        already_gone=already_gone,
        baselines=baselines,
        apply_journal=apply_journal,
    )
