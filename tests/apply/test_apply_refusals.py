"""What apply refuses, and that a refusal sends nothing (the emulator counts zero POSTs)."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trakt_plan.apply.engine import journal_path_for, preflight
from trakt_plan.apply.journal import Journal, read_journal
from trakt_plan.apply.records import new_header
from trakt_plan.errors import (
    Aborted,
    AccountMismatchError,
    ConfigError,
    JournalError,
    PlanFileError,
    StalePlanError,
    UnsafePlanError,
)


def test_a_plan_for_another_account_is_refused(env, tmp_path: Path, load_plan) -> None:
    """Logged in as someone else, apply names both users and sends nothing."""
    plan_path = env.plan(tmp_path)
    env.server.state.add_user("someone-else")
    other = env.connect(str(env.server.state.issue_token("someone-else")["access_token"]))
    env.server.stats.reset()
    with pytest.raises(AccountMismatchError, match=r"'sandbox-user'.*'someone-else'"):
        env.apply(load_plan(plan_path), journal_path_for(plan_path), other)
    assert env.posts() == 0
    assert not journal_path_for(plan_path).exists()


def test_a_plan_for_another_api_base_is_refused(env, tmp_path: Path, load_plan) -> None:
    """A plan made against one server is not applied to another, even for the same user."""
    plan_path = env.plan(tmp_path)
    env.server.stats.reset()
    with pytest.raises(AccountMismatchError, match=r"https://api\.trakt\.tv"):
        env.apply(
            load_plan(plan_path),
            journal_path_for(plan_path),
            api_base="https://api.trakt.tv",
        )
    assert env.posts() == 0


def test_a_tampered_plan_is_refused_before_anything_is_sent(env, tmp_path: Path, load_plan) -> None:
    """Editing the deletions of a reviewed plan breaks its plan_id: it is not even loaded."""
    plan_path = env.plan(tmp_path)
    data = json.loads(plan_path.read_text(encoding="utf-8"))
    data["deletions"][0]["history_id"] = 10_000_000_030
    plan_path.write_text(json.dumps(data), encoding="utf-8")
    env.server.stats.reset()
    with pytest.raises(PlanFileError, match="edited after planning"):
        load_plan(plan_path)
    assert env.requests() == 0


def test_a_changed_planned_play_makes_the_plan_stale(env, tmp_path: Path, load_plan) -> None:
    """A planned play whose time changed since the plan is refused, naming the play and change."""
    plan_path = env.plan(tmp_path)
    env.change_play(10_000_000_005, watched_at="2025-11-17T09:00:00.000Z")
    env.server.stats.reset()
    with pytest.raises(StalePlanError) as caught:
        env.apply(load_plan(plan_path), journal_path_for(plan_path))
    message = str(caught.value)
    assert "10000000005" in message
    assert "watched_at 2025-11-17T01:02:03.000Z -> 2025-11-17T09:00:00.000Z" in message
    assert "run plan again" in message
    assert env.posts() == 0
    assert not read_journal(journal_path_for(plan_path)).exists


def test_a_plan_over_max_deletions_needs_allow_mass_delete(env, tmp_path: Path, load_plan) -> None:
    """Over max_deletions apply refuses; with allow_mass_delete it goes ahead."""
    yaml_text = (
        "version: 1\nmax_deletions: 10\n"
        "rules:\n  - {name: bulk, show: 1394, drop: {same_timestamp: 3}}\n"
    )
    plan_path = env.plan(tmp_path, yaml_text)
    saved = load_plan(plan_path)
    env.server.stats.reset()
    with pytest.raises(UnsafePlanError, match=r"22 plays, more than its max_deletions \(10\)"):
        env.apply(saved, journal_path_for(plan_path))
    assert env.posts() == 0
    report = env.apply(saved, journal_path_for(plan_path), allow_mass_delete=True)
    assert report.removed == 22


def test_new_plays_matching_the_rules_only_warn(
    env, tmp_path: Path, load_plan, messages, seed_ids
) -> None:
    """A play added after planning that the rules would catch is reported and left alone."""
    plan_path = env.plan(tmp_path)
    [new_id] = env.server.state.add_plays(
        "sandbox-user",
        [{"type": "episode", "trakt_id": 139400501, "watched_at": "2025-11-17T01:02:03.000Z"}],
    )
    seen = []
    report = env.apply(
        load_plan(plan_path),
        journal_path_for(plan_path),
        notify=messages,
        confirm=lambda preview: seen.append(preview) or True,
    )
    assert report.removed == 22
    assert new_id in env.ids()
    assert not (seed_ids & env.ids())
    assert any(m.startswith("the plan is stale: 1 new play matches") for m in messages)
    [preview] = seen
    assert [item.id for item in preview.drift.new_catches] == [new_id]
    assert preview.drift.checked and not preview.fresh


def test_plays_already_gone_are_skipped(env, tmp_path: Path, load_plan) -> None:
    """Planned plays someone else removed meanwhile are reported as already gone, not sent."""
    plan_path = env.plan(tmp_path)
    env.drop_plays({10_000_000_003, 10_000_000_004})
    preview = preflight(
        load_plan(plan_path),
        env.client,
        journal_path=journal_path_for(plan_path),
        api_base=env.base_url,
    )
    assert preview.drift.already_gone == (10_000_000_003, 10_000_000_004)
    assert preview.to_send == 20
    assert "2 planned plays are already gone" in preview.drift.summary()[0]
    report = env.apply(load_plan(plan_path), journal_path_for(plan_path))
    assert (report.removed, report.already_gone) == (20, 2)
    sent = [t for m, t, s in env.server.stats.log if m == "POST"]
    assert len(sent) == 1


def test_a_live_lock_refuses_and_a_dead_one_is_taken_over(
    env, tmp_path: Path, load_plan, messages, dead_pid
) -> None:
    """A lock held by a running process refuses the apply; one left by a dead process does not."""
    plan_path = env.plan(tmp_path)
    journal = journal_path_for(plan_path)
    lock = journal.with_name(journal.name + ".lock")
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": "2026-01-01T00:00:00.000Z",
    }
    lock.write_text(json.dumps(holder), encoding="utf-8")
    env.server.stats.reset()
    with pytest.raises(
        JournalError, match=f"another apply of this plan is running: pid {os.getpid()}"
    ):
        env.apply(load_plan(plan_path), journal)
    assert env.requests() == 0

    lock.write_text(json.dumps({**holder, "pid": dead_pid}), encoding="utf-8")
    report = env.apply(load_plan(plan_path), journal, notify=messages)
    assert report.removed == 22
    assert any(f"from pid {dead_pid}" in m for m in messages)
    assert not lock.exists()


def test_a_read_only_journal_directory_stops_before_the_first_request(
    env, tmp_path: Path, load_plan, read_only_dir: Path
) -> None:
    """When the journal cannot be written, nothing at all is sent to Trakt."""
    plan_path = env.plan(tmp_path)
    env.server.stats.reset()
    with pytest.raises(JournalError, match="nothing was sent"):
        env.apply(load_plan(plan_path), read_only_dir / "seed.plan.json.journal")
    assert env.requests() == 0


def test_saying_no_sends_nothing_and_writes_no_journal(env, tmp_path: Path, load_plan) -> None:
    """Declining the confirmation aborts with nothing sent and no journal left behind."""
    plan_path = env.plan(tmp_path)
    env.server.stats.reset()
    with pytest.raises(Aborted, match="nothing was sent"):
        env.apply(load_plan(plan_path), journal_path_for(plan_path), confirm=lambda p: False)
    assert env.posts() == 0
    assert not journal_path_for(plan_path).exists()
    assert not journal_path_for(plan_path).with_suffix(".journal.lock").exists()


@pytest.mark.parametrize("size", [0, 1001])
def test_a_batch_size_outside_1_to_1000_is_a_config_error(
    env, tmp_path: Path, load_plan, size: int
) -> None:
    """--batch-size must be 1..1000; anything else is refused before any request."""
    plan_path = env.plan(tmp_path)
    env.server.stats.reset()
    with pytest.raises(ConfigError, match="between 1 and 1000"):
        env.apply(load_plan(plan_path), journal_path_for(plan_path), batch_size=size)
    assert env.requests() == 0


def test_a_journal_of_another_plan_is_refused(env, tmp_path: Path, load_plan) -> None:
    """A journal left by a different plan at the same path is never mixed with this one."""
    plan_path = env.plan(tmp_path)
    journal = journal_path_for(plan_path)
    with Journal(journal) as writer:
        writer.append(
            new_header(
                plan_id="0" * 64, kind="apply", username="sandbox-user", api_base="x", total=1
            ),
        )
    env.server.stats.reset()
    with pytest.raises(JournalError, match="belongs to another plan"):
        env.apply(load_plan(plan_path), journal)
    assert env.posts() == 0


def test_a_plan_whose_plays_are_mostly_gone_applies_instead_of_crashing(
    env, tmp_path: Path, load_plan
) -> None:
    """Regression: aos-cleanup then the overlapping jellyfin-guard ended in an IndexError."""
    root = Path(__file__).resolve().parents[2] / "plans"
    first = env.plan(tmp_path, (root / "aos-cleanup.yaml").read_text(encoding="utf-8"), "aos")
    # The guard looks at the past week: planned three days after the demo's bulk mark.
    guard = (root / "jellyfin-guard.yaml").read_text(encoding="utf-8")
    second = env.plan(tmp_path, guard, "jellyfin", now=datetime(2025, 11, 20, tzinfo=UTC))
    removed_first = load_plan(first)
    env.apply(removed_first, journal_path_for(first))
    saved = load_plan(second)
    shared = {d.history_id for d in saved.deletions} & {
        d.history_id for d in removed_first.deletions
    }
    report = env.apply(saved, journal_path_for(second))
    assert (report.removed, report.already_gone) == (
        len(saved.deletions) - len(shared),
        len(shared),
    )
    assert shared
