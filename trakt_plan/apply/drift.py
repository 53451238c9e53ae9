"""Drift: how the live history differs from a saved plan, as far as the plan's rules see.

When ``/sync/last_activities`` shows the history changed since the plan, apply re-reads what
the plan's rules touch and compares it with the planned plays (deepdiff): plays already gone
are skipped, plays that changed make the plan stale, and plays the rules would now add are
only reported (this apply removes just what was reviewed).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from trakt_plan.errors import ConfigError, StalePlanError
from trakt_plan.fetch import HistoryClient, fetch_history
from trakt_plan.labels import plural
from trakt_plan.planfile import PlannedDeletion, SavedPlan, replan_inputs
from trakt_plan.planner import build_plan
from trakt_plan.timefmt import format_trakt_time, parse_trakt_time
from trakt_plan.trakt.models import HistoryItem

__all__ = ["ChangedPlay", "DriftReport", "read_drift", "stale_error"]

# How many changed plays a message names before "and N more".
_SHOWN = 5


@dataclass(frozen=True)
class ChangedPlay:
    """A planned play that is still in the history but no longer as planned."""

    history_id: int
    label: str
    changes: tuple[str, ...]

    def describe(self) -> str:
        """``10000000005 (Show S06E03): watched_at 2025-… -> 2025-…``."""
        return f"{self.history_id} ({self.label}): {'; '.join(self.changes)}"


@dataclass(frozen=True)
class DriftReport:
    """How the live history differs from the plan, as far as the plan's rules can see.

    ``checked`` says whether the history was re-read at all (it is not when
    ``/sync/last_activities`` shows no change since the plan, or with ``refresh=False``).
    """

    already_gone: tuple[int, ...] = ()
    changed: tuple[ChangedPlay, ...] = ()
    new_catches: tuple[HistoryItem, ...] = ()
    checked: bool = False

    def summary(self) -> list[str]:
        """One line per kind of drift, for people; empty when there is none."""
        lines: list[str] = []
        if self.already_gone:
            count = len(self.already_gone)
            lines.append(
                f"{plural(count, 'planned play')} {'is' if count == 1 else 'are'} already gone "
                "from the history; skipped."
            )
        if self.changed:
            shown = "; ".join(change.describe() for change in self.changed[:_SHOWN])
            more = len(self.changed) - _SHOWN
            lines.append(
                f"{plural(len(self.changed), 'planned play')} changed since the "
                f"plan was made: {shown}" + (f"; and {more} more." if more > 0 else ".")
            )
        if self.new_catches:
            shown = ", ".join(_item_label(item) for item in self.new_catches[:_SHOWN])
            more = len(self.new_catches) - _SHOWN
            lines.append(
                f"not in this plan, left in place: "
                f"{plural(len(self.new_catches), 'newer play')} the rules now match ({shown}"
                + (f", and {more} more)." if more > 0 else ").")
            )
        return lines


def _item_label(item: HistoryItem) -> str:
    when = format_trakt_time(item.watched_at)
    if item.type == "episode" and item.episode is not None:
        show = item.show.title if item.show is not None and item.show.title else "unknown show"
        return f"{show} {item.episode.code} at {when}"
    title = item.movie.title if item.movie is not None and item.movie.title else "unknown movie"
    return f"{title} at {when}"


def _view(deletion: PlannedDeletion) -> dict[str, Any]:
    """What must not change for a planned play to still be the one reviewed."""
    return {
        "watched_at": format_trakt_time(parse_trakt_time(deletion.watched_at)),
        "action": deletion.action,
        "type": deletion.type,
        "show": deletion.show.trakt if deletion.show is not None else None,
        "episode": (
            {
                "season": deletion.episode.season,
                "number": deletion.episode.number,
                "trakt": deletion.episode.trakt,
            }
            if deletion.episode is not None
            else None
        ),
        "movie": deletion.movie.trakt if deletion.movie is not None else None,
    }


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True) if not isinstance(value, str) else value


def read_drift(
    saved: SavedPlan,
    client: HistoryClient,
    candidates: Sequence[PlannedDeletion],
    *,
    timezone: str,
) -> DriftReport:
    """Re-read what the plan's rules touch and compare it with the plan (deepdiff)."""
    spec, resolved = replan_inputs(saved)
    history = fetch_history(client, spec, resolved)
    live = {item.id: item for item in history}
    planned = {str(d.history_id): _view(d) for d in candidates}
    current = {
        str(d.history_id): _view(PlannedDeletion.from_item(live[d.history_id], ()))
        for d in candidates
        if d.history_id in live
    }
    # threshold 0: report per play even when most plays differ, never one change at the root.
    diff = DeepDiff(planned, current, view="tree", threshold_to_diff_deeper=0)
    gone: set[int] = set()
    changes: dict[int, list[str]] = {}
    for kind, levels in diff.items():
        for level in levels:
            path = level.path(output_format="list")
            history_id = int(path[0])
            if kind == "dictionary_item_removed" and len(path) == 1:
                gone.add(history_id)
                continue
            where = ".".join(str(part) for part in path[1:]) or "play"
            before = level.t1 if kind != "dictionary_item_added" else None
            after = level.t2 if kind != "dictionary_item_removed" else None
            changes.setdefault(history_id, []).append(f"{where} {_show(before)} -> {_show(after)}")
    labels = {d.history_id: d.label for d in candidates}
    planned_ids = {d.history_id for d in saved.deletions}
    try:
        result = build_plan(spec, resolved, history, timezone=timezone)
    except ConfigError:
        # The account's timezone may be unknown here; the rules without `per: day` still count.
        result = build_plan(spec, resolved, history, timezone="UTC")
    new = tuple(d.item for d in result.deletions if d.item.id not in planned_ids)
    return DriftReport(
        already_gone=tuple(d.history_id for d in candidates if d.history_id in gone),
        changed=tuple(
            ChangedPlay(history_id=i, label=labels[i], changes=tuple(sorted(changes[i])))
            for i in (d.history_id for d in candidates)
            if i in changes
        ),
        new_catches=new,
        checked=True,
    )


def stale_error(changed: Sequence[ChangedPlay]) -> StalePlanError:
    """The refusal of a plan whose planned plays changed, naming the first few."""
    shown = "; ".join(change.describe() for change in changed[:_SHOWN])
    more = len(changed) - _SHOWN
    return StalePlanError(
        f"the plan is stale: {plural(len(changed), 'planned play')} changed since it "
        f"was made, so it no longer shows what it would remove: {shown}"
        + (f"; and {more} more" if more > 0 else "")
        + ". Nothing was sent; run plan again and review the new plan."
    )
