"""The saved plan (``*.plan.json``): the reviewable artifact that ``apply`` executes.

A saved plan is written as pretty, key-sorted JSON so that two plans of the same history and
YAML are byte-identical apart from ``created_at``, and a diff of two plans reads like a diff of
the deletions. ``plan_id`` is the sha256 of the canonical deletion list. The journal (named
after the plan file) records it, so a journal is only ever resumed for the plan it was written
for, and ``read_saved_plan`` refuses a file whose deletions no longer hash to it. The plan also
carries the validated spec and what its references resolved to, so ``apply`` can check for
drift without reopening the YAML (``replan_inputs``). No network here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from trakt_plan import __version__
from trakt_plan.errors import PlanFileError, UnsafePlanError
from trakt_plan.fsutil import atomic_write, read_json_file
from trakt_plan.planner import PlanResult, ShowProgress
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.models import Episode, HistoryItem, Ids, ResolvedScope, Show

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "EpisodeRef",
    "HistoryScope",
    "MediaRef",
    "MediaScope",
    "Observed",
    "PlanAccount",
    "PlanSource",
    "PlannedDeletion",
    "SavedPlan",
    "SavedProgress",
    "SavedResolution",
    "SavedRule",
    "SavedSpec",
    "ScopeIds",
    "Summary",
    "canonical_json",
    "compute_plan_id",
    "make_saved_plan",
    "progress_from_summary",
    "read_saved_plan",
    "render_saved_plan",
    "replan_inputs",
    "write_saved_plan",
]

FORMAT = "trakt-plan/saved-plan"
FORMAT_VERSION = 1


class _Frozen(BaseModel):
    # A saved plan is a contract: unknown keys mean another format, not something to ignore.
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanSource(_Frozen):
    """The plan YAML the saved plan was computed from."""

    path: str
    sha256: str


class PlanAccount(_Frozen):
    """The Trakt account and API the plan was made against; apply refuses any other."""

    username: str
    api_base: str


class Observed(_Frozen):
    """When the history was read, and its ``/sync/last_activities`` marks at that time."""

    fetched_at: str
    last_activities: dict[str, str | None]
    # The zone days were counted in, and where it came from (plans saved before had none).
    timezone: str | None = None


class ScopeIds(_Frozen):
    trakt: int | None = None
    slug: str | None = None
    imdb: str | None = None
    tvdb: int | None = None
    tmdb: int | None = None


class MediaScope(_Frozen):
    """A ``show:``/``movie:`` scope as it resolved: the Trakt item a rule looked at."""

    type: Literal["show", "movie"]
    title: str | None
    year: int | None
    ids: ScopeIds

    @classmethod
    def from_resolved(cls, resolved: ResolvedScope) -> MediaScope:
        ids = resolved.ids
        return cls(
            type=resolved.type,
            title=resolved.title,
            year=resolved.year,
            ids=ScopeIds(
                trakt=ids.trakt, slug=ids.slug, imdb=ids.imdb, tvdb=ids.tvdb, tmdb=ids.tmdb
            ),
        )

    def to_resolved(self) -> ResolvedScope:
        ids = self.ids
        return ResolvedScope(
            type=self.type,
            title=self.title,
            year=self.year,
            ids=Ids(trakt=ids.trakt, slug=ids.slug, imdb=ids.imdb, tvdb=ids.tvdb, tmdb=ids.tmdb),
        )


class HistoryScope(_Frozen):
    """A ``history:`` scope: the whole history, its episode plays or its movie plays."""

    type: Literal["history"]
    which: Literal["all", "episodes", "movies"]


RuleScope = Annotated[MediaScope | HistoryScope, Field(discriminator="type")]


class SavedRule(_Frozen):
    """One rule of the plan: its scope, how many plays it saw and how many it chose."""

    name: str
    scope: RuleScope
    plays_in_scope: int
    deletions: int


class SavedResolution(_Frozen):
    """One reference of the spec (as written) and the Trakt item it resolved to."""

    kind: Literal["show", "movie"]
    ref: str
    year: int | None
    resolved: MediaScope


class SavedSpec(_Frozen):
    """The validated plan (JSON) and its resolved references: enough to plan again."""

    plan: dict[str, Any]
    resolved: tuple[SavedResolution, ...]


class MediaRef(_Frozen):
    """A show or movie as a deletion names it."""

    title: str | None
    year: int | None
    trakt: int | None


class EpisodeRef(_Frozen):
    season: int
    number: int
    trakt: int | None


class PlannedDeletion(_Frozen):
    """One play to remove, whole enough to show it, journal it and add it back."""

    history_id: int
    watched_at: str
    action: str
    type: Literal["episode", "movie"]
    show: MediaRef | None
    episode: EpisodeRef | None
    movie: MediaRef | None
    reasons: tuple[str, ...]

    @field_validator("watched_at")
    @classmethod
    def _trakt_time(cls, value: str) -> str:
        try:
            parsed = parse_trakt_time(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a Trakt timestamp") from None
        # Only Trakt's own spelling keeps the sort order and the plan_id stable.
        if format_trakt_time(parsed) != value:
            raise ValueError(f"{value!r} is not in Trakt's format (2025-11-17T01:02:03.000Z)")
        return value

    @classmethod
    def from_item(cls, item: HistoryItem, reasons: Sequence[str]) -> PlannedDeletion:
        """The deletion of ``item``, chosen by the rules named in ``reasons``."""
        show = item.show if item.type == "episode" else None
        episode = item.episode if item.type == "episode" else None
        movie = item.movie if item.type == "movie" else None
        return cls(
            history_id=item.id,
            watched_at=format_trakt_time(item.watched_at),
            action=item.action,
            type=item.type,
            show=(
                MediaRef(title=show.title, year=show.year, trakt=show.ids.trakt)
                if show is not None
                else None
            ),
            episode=(
                EpisodeRef(season=episode.season, number=episode.number, trakt=episode.ids.trakt)
                if episode is not None
                else None
            ),
            movie=(
                MediaRef(title=movie.title, year=movie.year, trakt=movie.ids.trakt)
                if movie is not None
                else None
            ),
            reasons=tuple(reasons),
        )

    def to_history_item(self) -> HistoryItem:
        """The play as a ``HistoryItem`` (ids reduced to trakt ids, which is all a re-add needs)."""
        data: dict[str, Any] = {
            "id": self.history_id,
            "watched_at": self.watched_at,
            "action": self.action,
            "type": self.type,
        }
        if self.show is not None:
            data["show"] = {
                "title": self.show.title,
                "year": self.show.year,
                "ids": {"trakt": self.show.trakt},
            }
        if self.episode is not None:
            data["episode"] = {
                "season": self.episode.season,
                "number": self.episode.number,
                "ids": {"trakt": self.episode.trakt},
            }
        if self.movie is not None:
            data["movie"] = {
                "title": self.movie.title,
                "year": self.movie.year,
                "ids": {"trakt": self.movie.trakt},
            }
        return HistoryItem.model_validate(data)

    @property
    def label(self) -> str:
        """``Show (2013) S03E16`` or ``Movie (2010)``: how people recognise the play."""
        if self.type == "episode":
            title = _label(self.show.title, self.show.year) if self.show else "unknown show"
            if self.episode is not None:
                return f"{title} S{self.episode.season:02d}E{self.episode.number:02d}"
            return title
        return _label(self.movie.title, self.movie.year) if self.movie else "unknown movie"


class SavedProgress(_Frozen):
    """Where a show with deletions stands after apply: ``last``/``next`` are codes (S03E16)."""

    title: str | None
    year: int | None
    last: str | None
    next: str | None
    kept: int
    removed: int


class Summary(_Frozen):
    """Counts for a quick review: plays read, plays to remove, removals per show or movie.

    ``progress`` (keyed by show trakt id) records, for each show that loses plays, its last
    and next episode once the plan is applied, so ``show PLANFILE`` can say so offline.
    """

    plays_seen: int
    deletions: int
    by_show: dict[str, int]
    progress: dict[int, SavedProgress] = Field(default_factory=dict)
    # Per movie trakt id that loses plays: the plays of it that stay.
    movies_kept: dict[int, int] = Field(default_factory=dict)


class SavedPlan(_Frozen):
    """A saved plan (section 3 of the spec). Build it with ``make_saved_plan``."""

    format: Literal["trakt-plan/saved-plan"]
    format_version: Literal[1]
    tool_version: str
    created_at: str
    plan_id: str
    source: PlanSource
    account: PlanAccount
    observed: Observed
    max_deletions: int
    spec: SavedSpec
    rules: tuple[SavedRule, ...]
    deletions: tuple[PlannedDeletion, ...]
    summary: Summary

    def unsafe_reason(self) -> str | None:
        """Why applying this plan needs ``--allow-mass-delete``, with its numbers; else ``None``."""
        count = len(self.deletions)
        if count <= self.max_deletions:
            return None
        return (
            f"this plan removes {count} plays, more than its max_deletions "
            f"({self.max_deletions}); apply refuses it without --allow-mass-delete, or raise "
            "max_deletions in the plan YAML and plan again"
        )

    def raise_if_unsafe(self, *, allow_mass_delete: bool) -> None:
        """Raise :class:`~trakt_plan.errors.UnsafePlanError` unless the plan is safe or forced."""
        reason = self.unsafe_reason()
        if reason is not None and not allow_mass_delete:
            raise UnsafePlanError(f"{reason}. Nothing was sent.")


def _label(title: str | None, year: int | None) -> str:
    name = title if title else "untitled"
    return f"{name} ({year})" if year is not None else name


def canonical_json(value: object) -> str:
    """JSON with sorted keys and no whitespace: the form that is hashed.

    Pydantic models are dumped in JSON mode first, so they hash as they are written.
    """
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_plan_id(deletions: Sequence[PlannedDeletion]) -> str:
    """The sha256 (hex) of the canonical deletion list; the journal's header records it."""
    payload = canonical_json([deletion.model_dump(mode="json") for deletion in deletions])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def make_saved_plan(
    result: PlanResult,
    *,
    spec: PlanSpec,
    resolved: Mapping[ScopeRef, ResolvedScope],
    source_path: str,
    source_text: str | bytes,
    username: str,
    api_base: str,
    last_activities: Mapping[str, str | None],
    fetched_at: datetime,
    created_at: datetime,
    progress: Mapping[int, ShowProgress] | None = None,
    movies_kept: Mapping[int, int] | None = None,
    timezone: str | None = None,
) -> SavedPlan:
    """Wrap a planner result into the saved plan ``apply`` will execute.

    ``progress`` is ``planner.progress_after`` over the planned history; the shows that lose
    plays get their "after apply" state recorded in the summary.
    """
    deletions = sorted(
        (PlannedDeletion.from_item(d.item, d.reasons) for d in result.deletions),
        key=lambda d: (d.watched_at, d.history_id),
    )
    raw = source_text.encode("utf-8") if isinstance(source_text, str) else source_text
    return SavedPlan(
        format="trakt-plan/saved-plan",
        format_version=1,
        tool_version=__version__,
        created_at=format_trakt_time(created_at),
        plan_id=compute_plan_id(deletions),
        source=PlanSource(path=source_path, sha256=hashlib.sha256(raw).hexdigest()),
        account=PlanAccount(username=username, api_base=api_base),
        observed=Observed(
            fetched_at=format_trakt_time(fetched_at),
            last_activities=dict(sorted(last_activities.items())),
            timezone=timezone,
        ),
        max_deletions=spec.max_deletions,
        # The spec model dumps to the forms a person writes, sets sorted, and reads them back.
        spec=SavedSpec(
            plan=spec.model_dump(mode="json", exclude_none=True), resolved=_resolutions(resolved)
        ),
        rules=_saved_rules(result),
        deletions=tuple(deletions),
        summary=_summary(result, deletions, progress or {}, movies_kept or {}),
    )


def _saved_rules(result: PlanResult) -> tuple[SavedRule, ...]:
    rules = []
    for outcome in result.rules:
        scope: MediaScope | HistoryScope
        if outcome.scope.kind == "history" or outcome.resolved is None:
            scope = HistoryScope(type="history", which=_which(outcome.scope.ref))
        else:
            scope = MediaScope.from_resolved(outcome.resolved)
        rules.append(
            SavedRule(
                name=outcome.name,
                scope=scope,
                plays_in_scope=outcome.plays_in_scope,
                deletions=outcome.deletions,
            )
        )
    return tuple(rules)


def _resolutions(resolved: Mapping[ScopeRef, ResolvedScope]) -> tuple[SavedResolution, ...]:
    entries = (
        SavedResolution(
            kind=ref.kind, ref=ref.ref, year=ref.year, resolved=MediaScope.from_resolved(target)
        )
        for ref, target in resolved.items()
        if ref.kind != "history"
    )
    return tuple(sorted(entries, key=lambda r: (r.kind, r.ref, r.year is not None, r.year or 0)))


def _summary(
    result: PlanResult,
    deletions: Sequence[PlannedDeletion],
    progress: Mapping[int, ShowProgress],
    movies_kept: Mapping[int, int],
) -> Summary:
    by_show: dict[str, int] = {}
    for deletion in deletions:
        media = deletion.show if deletion.type == "episode" else deletion.movie
        key = _label(media.title, media.year) if media is not None else f"unknown {deletion.type}"
        by_show[key] = by_show.get(key, 0) + 1
    return Summary(
        plays_seen=result.plays_seen,
        deletions=len(deletions),
        by_show=dict(sorted(by_show.items())),
        progress={
            show_id: SavedProgress(
                title=state.show.title,
                year=state.show.year,
                last=state.last.code if state.last is not None else None,
                next=state.next_code,
                kept=state.kept,
                removed=state.removed,
            )
            for show_id, state in sorted(progress.items())
            if state.removed
        },
        movies_kept=dict(sorted(movies_kept.items())),
    )


def progress_from_summary(plan: SavedPlan) -> dict[int, ShowProgress]:
    """The "after apply" state recorded per show, as ``planner.progress_after`` gives it."""
    states: dict[int, ShowProgress] = {}
    for show_id, saved in plan.summary.progress.items():
        last = None
        if saved.last is not None:
            season, number = saved.last.upper().lstrip("S").split("E")
            last = Episode(season=int(season), number=int(number))
        states[show_id] = ShowProgress(
            show=Show(title=saved.title, year=saved.year, ids=Ids(trakt=show_id)),
            last=last,
            next_code=saved.next,
            kept=saved.kept,
            removed=saved.removed,
        )
    return states


def _which(ref: str) -> Literal["all", "episodes", "movies"]:
    if ref == "episodes":
        return "episodes"
    if ref == "movies":
        return "movies"
    return "all"


def render_saved_plan(plan: SavedPlan) -> str:
    """The saved plan as written to disk: indented, key-sorted JSON with a final newline."""
    text = json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)
    return text + "\n"


def write_saved_plan(path: Path, plan: SavedPlan) -> None:
    """Write ``plan`` to ``path`` atomically: a reader sees the old file or the new one."""
    atomic_write(Path(path), render_saved_plan(plan))


def read_saved_plan(path: Path) -> SavedPlan:
    """Read and verify a saved plan; any problem raises ``PlanFileError`` naming ``path``.

    Refused: an unreadable file, text that is not JSON, another format or format version,
    content that does not fit the format, and deletions that no longer hash to ``plan_id``.
    """
    data = read_json_file(
        path,
        what="saved plan",
        hint="Write saved plans with `trakt-plan plan PLAN.yaml -o FILE`.",
    )
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanFileError(
            f'{path}: not a saved plan (expected "format": "{FORMAT}"). `apply` takes the '
            "file written by `trakt-plan plan PLAN.yaml -o FILE`, or a plan YAML."
        )
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: saved plan format_version {version!r} is not supported by trakt-plan "
            f"{__version__} (it reads version {FORMAT_VERSION}); plan again with this version."
        )
    try:
        plan = SavedPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise PlanFileError(
            f"{path}: the saved plan is damaged: {first['msg']} at {where}"
            f" ({exc.error_count()} problem{'s' if exc.error_count() != 1 else ''} in all). "
            "Plan again rather than editing the file."
        ) from None
    if compute_plan_id(plan.deletions) != plan.plan_id:
        raise PlanFileError(
            f"{path}: the deletions were edited after planning; plan again. (Their sha256 no "
            f"longer matches plan_id {plan.plan_id[:12]}…, so this is not the reviewed plan.)"
        )
    try:
        replan_inputs(plan)
    except PlanFileError as exc:
        raise PlanFileError(f"{path}: {exc.message}") from None
    return plan


def replan_inputs(plan: SavedPlan) -> tuple[PlanSpec, dict[ScopeRef, ResolvedScope]]:
    """The spec and resolved scopes saved in ``plan``: what ``build_plan`` needs again."""
    try:
        spec = PlanSpec.model_validate(plan.spec.plan)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise PlanFileError(
            f"the plan spec saved in the plan is not valid: {first['msg']} at spec.plan.{where}. "
            "Plan again with this version of trakt-plan."
        ) from None
    resolved = {
        ScopeRef(kind=entry.kind, ref=entry.ref, year=entry.year): entry.resolved.to_resolved()
        for entry in plan.spec.resolved
    }
    return spec, resolved
