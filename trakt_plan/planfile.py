"""The saved plan (``*.plan.json``): the reviewable artifact that ``apply`` executes.

A saved plan is written as pretty, key-sorted JSON so that two plans of the same history and
YAML are byte-identical apart from ``created_at``, and a diff of two plans reads like a diff of
the deletions. ``plan_id`` is the sha256 of the canonical deletion list. The journal (named
after the plan file) records it, so a journal is only ever resumed for the plan it was written
for. ``checksum`` binds the whole document (all but ``created_at`` and itself), so a
hand-edited ``max_deletions``, account, rule or kept play is refused like an added id, while a
file that an editor only re-indented still reads. The plan also carries the validated spec and
what its references resolved to, so ``apply`` can check for drift without reopening the YAML
(``replan_inputs``), and the plays it keeps of every show or movie that loses plays, so
``show`` can draw timelines offline. No network here.

Format versions: 2 added ``checksum``, ``kept`` and ``warnings``. Version 1 files still
read (their deletions are bound by ``plan_id`` alone, and they keep nothing). Keys added to
version 2 since (``spared_by_protect`` and ``spared_by_unless`` in the rules and the summary)
have defaults, so plans saved before them read and verify as they were written.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, model_validator

from trakt_plan import __version__
from trakt_plan.errors import PlanFileError, UnsafePlanError
from trakt_plan.fsutil import atomic_write, read_json_file
from trakt_plan.labels import title_year
from trakt_plan.plandoc import (
    HistoryScope,
    KeptGroup,
    KeptPlay,
    MediaScope,
    Observed,
    PlanAccount,
    PlannedDeletion,
    PlanSource,
    SavedProgress,
    SavedResolution,
    SavedRule,
    SavedSpec,
    Summary,
    _Frozen,
)
from trakt_plan.planner import PlanResult, ShowProgress
from trakt_plan.spec.model import PlanSpec, ScopeRef
from trakt_plan.timefmt import format_trakt_time
from trakt_plan.trakt.models import Episode, HistoryItem, Ids, ResolvedScope, Show

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_SAFE_SHARE",
    "PlannedDeletion",
    "SavedPlan",
    "canonical_json",
    "compute_checksum",
    "compute_plan_id",
    "kept_groups",
    "make_saved_plan",
    "progress_from_summary",
    "read_saved_plan",
    "render_saved_plan",
    "replan_inputs",
    "unrestorable_ids",
    "write_saved_plan",
]

FORMAT = "trakt-plan/saved-plan"
FORMAT_VERSION = 2
# The share of the whole history above which apply wants --allow-mass-delete (octoDNS: 30 %).
MAX_SAFE_SHARE = 0.3
# The keys the checksum leaves out: the time of writing, and the checksum itself.
_UNCHECKED = ("created_at", "checksum")


class SavedPlan(_Frozen):
    """A saved plan (section 3 and 6.8 of the spec). Build it with ``make_saved_plan``."""

    format: Literal["trakt-plan/saved-plan"]
    format_version: Literal[1, 2]
    tool_version: str
    created_at: str
    plan_id: str
    checksum: str | None = None
    source: PlanSource
    account: PlanAccount
    observed: Observed
    max_deletions: int
    spec: SavedSpec
    rules: tuple[SavedRule, ...]
    deletions: tuple[PlannedDeletion, ...]
    summary: Summary
    kept: tuple[KeptGroup, ...] = ()
    warnings: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _v2_is_bound_whole(self) -> SavedPlan:
        if self.format_version >= 2 and self.checksum is None:
            raise ValueError("a version 2 saved plan has a checksum")
        return self

    def unsafe_reason(self) -> str | None:
        """Why applying this plan needs ``--allow-mass-delete``, with its numbers; else ``None``.

        Two guards, like octoDNS's ``raise_if_unsafe``: more plays than ``max_deletions``, or,
        when the plan read the whole history (a ``history:`` rule without a window), more
        than :data:`MAX_SAFE_SHARE` of it.
        """
        count = len(self.deletions)
        if count > self.max_deletions:
            return (
                f"this plan removes {count} plays, more than its max_deletions "
                f"({self.max_deletions}); apply refuses it without --allow-mass-delete, or raise "
                "max_deletions in the plan YAML and plan again"
            )
        seen = self.summary.plays_seen
        if self._reads_whole_history() and seen and count / seen > MAX_SAFE_SHARE:
            return (
                f"this plan removes {count} of the {seen} plays in its scope, the whole history: "
                f"{count / seen:.1%} is over {MAX_SAFE_SHARE:.0%} ({count}/{seen}); apply refuses "
                "it without --allow-mass-delete"
            )
        return None

    def notes(self) -> list[str]:
        """What every rendering says beside the tables, derived from the plan alone.

        ``make_saved_plan`` records these in ``warnings`` so that ``plan --json`` can print
        the document itself, checksum and all, and still carry them.
        """
        notes = [
            f"rule {rule.name!r} matched nothing: check its scope and conditions for a typo."
            for rule in self.rules
            if rule.deletions == 0
        ]
        if self.account.username == "snapshot":
            kind, _, name = self.account.api_base.partition(":")
            what = "Trakt's export" if kind == "export" else "the snapshot"
            zone = f"; days in {self.observed.timezone}" if self.observed.timezone else ""
            notes.append(f"planned offline from {what} {name}, not the live account{zone}.")
        unsafe = self.unsafe_reason()
        if unsafe is not None:
            notes.append(f"{unsafe}.")
        # dict.fromkeys: plans saved with the notes already in ``warnings`` show them once.
        return list(dict.fromkeys([*notes, *self.warnings]))

    def raise_if_unsafe(self, *, allow_mass_delete: bool) -> None:
        """Raise :class:`~trakt_plan.errors.UnsafePlanError` unless the plan is safe or forced."""
        reason = self.unsafe_reason()
        if reason is not None and not allow_mass_delete:
            raise UnsafePlanError(f"{reason}. Nothing was sent.")

    def _unwindowed(self, index: int) -> bool:
        rules = self.spec.plan.get("rules", [])
        rule = rules[index] if index < len(rules) and isinstance(rules[index], dict) else {}
        return "watched_from" not in rule and "watched_until" not in rule

    def _reads_whole_history(self) -> bool:
        return any(
            isinstance(rule.scope, HistoryScope) and self._unwindowed(index)
            for index, rule in enumerate(self.rules)
        )

    def whole_titles(self) -> list[str]:
        """Shows and movies this plan removes every play of, as far as it read all of them."""
        whole = self._reads_whole_history()
        read_whole = {
            (rule.scope.type, rule.scope.ids.trakt)
            for index, rule in enumerate(self.rules)
            if isinstance(rule.scope, MediaScope) and self._unwindowed(index)
        }
        labels: dict[tuple[str, int | None], str] = {}
        for deletion in self.deletions:
            media = deletion.show if deletion.type == "episode" else deletion.movie
            if media is not None:
                key = ("show" if deletion.type == "episode" else "movie", media.trakt)
                labels.setdefault(key, media.title or title_year(media.title, media.year))
        return [
            labels[(group.type, group.trakt)]
            for group in self.kept
            if not group.plays
            and (group.type, group.trakt) in labels
            and (whole or (group.type, group.trakt) in read_whole)
        ]


def canonical_json(value: object) -> str:
    """JSON with sorted keys and no whitespace: the form that is hashed.

    Pydantic models are dumped in JSON mode first, so they hash as they are written.
    """
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_plan_id(
    deletions: Sequence[PlannedDeletion], *, format_version: int = FORMAT_VERSION
) -> str:
    """The sha256 (hex) of the canonical deletion list; the journal's header records it.

    Version 1 deletions had no ``evidence`` key, so their ``plan_id`` hashes them without it.
    """
    left_out = {"evidence"} if format_version == 1 else None
    payload = canonical_json([d.model_dump(mode="json", exclude=left_out) for d in deletions])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def compute_checksum(document: Mapping[str, Any]) -> str:
    """The sha256 (hex) of the canonical document without ``created_at`` and ``checksum``."""
    bound = {key: value for key, value in document.items() if key not in _UNCHECKED}
    return hashlib.sha256(canonical_json(bound).encode("utf-8")).hexdigest()


def _group_of(item: HistoryItem) -> tuple[Literal["show", "movie"], int | None]:
    if item.type == "movie":
        return ("movie", item.movie.ids.trakt if item.movie is not None else None)
    return ("show", item.show.ids.trakt if item.show is not None else None)


def kept_groups(
    history: Sequence[HistoryItem], removed_ids: Sequence[int] | set[int]
) -> tuple[KeptGroup, ...]:
    """The plays kept of every show or movie that loses a play in ``removed_ids``."""
    removed = set(removed_ids)
    losing = {_group_of(item) for item in history if item.id in removed}
    kept: dict[tuple[Literal["show", "movie"], int | None], list[HistoryItem]] = defaultdict(list)
    for item in history:
        group = _group_of(item)
        if group in losing and item.id not in removed:
            kept[group].append(item)
    return tuple(
        KeptGroup(
            type=kind,
            trakt=trakt,
            plays=tuple(
                KeptPlay(
                    history_id=item.id,
                    watched_at=format_trakt_time(item.watched_at),
                    action=item.action,
                    episode=item.episode.code if item.episode is not None else None,
                    trakt=item.media_trakt_id,
                )
                for item in sorted(kept[(kind, trakt)], key=lambda i: (i.watched_at, i.id))
            ),
        )
        for kind, trakt in sorted(losing, key=lambda g: (g[0], g[1] is not None, g[1] or 0))
    )


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
    history: Sequence[HistoryItem] = (),
) -> SavedPlan:
    """Wrap a planner result into the saved plan ``apply`` will execute.

    ``progress`` is ``planner.progress_after`` over the planned history; the shows that lose
    plays get their "after apply" state recorded in the summary. ``history`` is the planned
    history: the plays it keeps of each show or movie that loses plays are recorded.
    """
    deletions = sorted(
        (PlannedDeletion.from_item(d.item, d.reasons, d.evidence) for d in result.deletions),
        key=lambda d: (d.watched_at, d.history_id),
    )
    raw = source_text.encode("utf-8") if isinstance(source_text, str) else source_text
    plan = SavedPlan(
        format="trakt-plan/saved-plan",
        format_version=FORMAT_VERSION,
        tool_version=__version__,
        created_at=format_trakt_time(created_at),
        plan_id=compute_plan_id(deletions),
        checksum="",
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
        kept=kept_groups(history, {d.history_id for d in deletions}),
        warnings=_warnings(deletions),
    )
    plan = plan.model_copy(update={"warnings": tuple(plan.notes())})
    return plan.model_copy(update={"checksum": compute_checksum(plan.model_dump(mode="json"))})


def unrestorable_ids(deletions: Sequence[PlannedDeletion]) -> tuple[int, ...]:
    """The planned plays without an episode or movie trakt id: undo could never add them."""
    return tuple(d.history_id for d in deletions if d.media_trakt is None)


def _warnings(deletions: Sequence[PlannedDeletion]) -> tuple[str, ...]:
    ids = unrestorable_ids(deletions)
    if not ids:
        return ()
    shown = ", ".join(map(str, ids[:5])) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    one = len(ids) == 1
    return (
        f"{len(ids)} planned play{'' if one else 's'} ({shown}) came from Trakt without an "
        f"episode or movie trakt id: apply can remove {'it' if one else 'them'}, but undo could "
        f"never add {'it' if one else 'them'} back. apply refuses such plays unless given "
        "--allow-unrestorable.",
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
                more_scopes=tuple(MediaScope.from_resolved(t) for t in outcome.targets[1:]),
                spared_by_protect=outcome.spared_by_protect,
                spared_by_unless=outcome.spared_by_unless,
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
        key = (
            title_year(media.title, media.year) if media is not None else f"unknown {deletion.type}"
        )
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
                next_known=state.next_known,
            )
            for show_id, state in sorted(progress.items())
            if state.removed
        },
        movies_kept=dict(sorted(movies_kept.items())),
        spared_by_protect=result.spared_by_protect,
        spared_by_unless=result.spared_by_unless,
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
            next_known=saved.next_known,
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


# What only format 2 writes, at the top level and in each deletion or rule. A version 1 file
# never has any of it; one that does is a version 2 plan relabelled to shed its checksum.
_V2_ONLY = ("checksum", "kept", "warnings")
_V2_ONLY_IN = (
    ("deletions", "evidence"),
    ("rules", "more_scopes"),
    ("rules", "spared_by_protect"),
    ("rules", "spared_by_unless"),
)


def _refuse_relabelled(path: Path, data: Mapping[str, Any]) -> None:
    """Refuse a ``format_version`` 1 document that carries keys only version 2 writes."""
    found = [key for key in _V2_ONLY if key in data]
    for list_key, key in _V2_ONLY_IN:
        entries = data.get(list_key)
        if isinstance(entries, list) and any(isinstance(e, dict) and key in e for e in entries):
            found.append(f"{list_key}[].{key}")
    if found:
        listed = ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0]
        raise PlanFileError(
            f"{path}: this plan says format_version 1 but has {listed}, which only "
            "format_version 2 writes: it is a version 2 plan relabelled without its checksum, "
            "so nothing binds it to the plan that was reviewed. Plan again with "
            "`trakt-plan plan PLAN.yaml -o FILE` rather than editing the file."
        )


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
    if version not in (1, FORMAT_VERSION) or isinstance(version, bool):
        raise PlanFileError(
            f"{path}: saved plan format_version {version!r} is not supported by trakt-plan "
            f"{__version__} (it reads versions 1 to {FORMAT_VERSION}); plan again with this "
            "version."
        )
    if version == 1:
        _refuse_relabelled(path, data)
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
    if compute_plan_id(plan.deletions, format_version=plan.format_version) != plan.plan_id:
        raise PlanFileError(
            f"{path}: the deletions were edited after planning; plan again. (Their sha256 no "
            f"longer matches plan_id {plan.plan_id[:12]}…, so this is not the reviewed plan.)"
        )
    if plan.checksum is not None and compute_checksum(data) != plan.checksum:
        raise PlanFileError(
            f"{path}: the plan was edited after planning; plan again. (Its sha256 no longer "
            f"matches its checksum {plan.checksum[:12]}…: a changed max_deletions, account, "
            "rule, deletion or kept play makes it another plan than the one reviewed.)"
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
