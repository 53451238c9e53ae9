"""The saved plan: its content, determinism, tamper checks and what apply rebuilds from it."""

from __future__ import annotations

import difflib
import hashlib
import json
from datetime import UTC, datetime

import pytest

from trakt_plan.errors import PlanFileError, UnsafePlanError
from trakt_plan.planfile import (
    PlannedDeletion,
    compute_plan_id,
    progress_from_summary,
    read_saved_plan,
    render_saved_plan,
    replan_inputs,
    write_saved_plan,
)
from trakt_plan.planner import build_plan

AOS_LABEL = "Marvel's Agents of S.H.I.E.L.D. (2013)"


def test_deletions_are_sorted_and_say_why(planned):
    """The saved deletions are in (watched_at, id) order, each naming the rules that chose it."""
    plan = planned.save()
    rows = [(d.history_id, d.watched_at, d.reasons) for d in plan.deletions]
    assert rows == [
        (20_000_000_002, "2025-10-01T20:10:00.000Z", ("dupe-movies",)),
        (10_000_000_001, "2025-11-17T01:02:03.000Z", ("aos-after-s03e16", "bulk")),
        (10_000_000_002, "2025-11-17T01:02:03.000Z", ("aos-after-s03e16", "bulk")),
    ]
    first_episode = plan.deletions[1]
    assert first_episode.show is not None and first_episode.episode is not None
    assert (first_episode.show.trakt, first_episode.episode.season) == (1394, 6)
    assert first_episode.movie is None
    assert plan.summary.model_dump(exclude={"progress", "movies_kept"}) == {
        "plays_seen": 8,
        "deletions": 3,
        "by_show": {AOS_LABEL: 2, "TRON: Legacy (2010)": 1},
        "spared_by_protect": 1,
        "spared_by_unless": 1,
    }


def test_header_records_account_source_and_observation(planned):
    """The plan records the account, the YAML's sha256 and the history marks it saw."""
    plan = planned.save(source_text=b"version: 1\n")
    assert plan.format == "trakt-plan/saved-plan" and plan.format_version == 2
    assert plan.source.sha256 == hashlib.sha256(b"version: 1\n").hexdigest()
    assert plan.source.path == "plans/aos-cleanup.yaml"
    assert (plan.account.username, plan.account.api_base) == ("sean", "https://api.trakt.tv")
    assert plan.observed.fetched_at == "2025-11-21T08:00:00.000Z"
    assert plan.observed.last_activities["episodes.watched_at"] is None
    assert plan.max_deletions == 5000


def test_rules_show_what_their_scope_resolved_to(planned):
    """Each saved rule names its resolved show or movie, or which part of the history."""
    rules = {rule.name: rule.model_dump() for rule in planned.save().rules}
    assert rules["aos-after-s03e16"]["scope"] == {
        "type": "show",
        "title": "Marvel's Agents of S.H.I.E.L.D.",
        "year": 2013,
        "ids": {
            "trakt": 1394,
            "slug": "marvel-s-agents-of-s-h-i-e-l-d",
            "imdb": "tt2364582",
            "tvdb": 263365,
            "tmdb": None,
        },
    }
    assert rules["bulk"]["scope"] == {"type": "history", "which": "all"}
    assert (rules["bulk"]["plays_in_scope"], rules["bulk"]["deletions"]) == (5, 2)
    assert rules["dupe-movies"]["scope"]["ids"]["slug"] == "tron-legacy-2010"


def test_plans_of_the_same_inputs_differ_only_in_created_at(planned):
    """Two renderings made at different times differ on the created_at line and nowhere else."""
    first = render_saved_plan(planned.save(created_at=datetime(2025, 11, 21, tzinfo=UTC)))
    second = render_saved_plan(planned.save(created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))
    changed = [
        line
        for line in difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="")
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        '-  "created_at": "2025-11-21T00:00:00.000Z",',
        '+  "created_at": "2026-01-02T03:04:00.000Z",',
    ]


def test_rendering_is_sorted_indented_json(planned):
    """The file is key-sorted JSON indented by two spaces, ending in a newline."""
    text = render_saved_plan(planned.save())
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "Marvel's Agents of S.H.I.E.L.D." in text


def test_plan_id_hashes_the_deletions(planned):
    """plan_id is the hash of the deletion list: it changes with a reason, not with the clock."""
    plan = planned.save()
    assert plan.plan_id == compute_plan_id(plan.deletions)
    assert len(plan.plan_id) == 64
    assert planned.save(created_at=datetime(2030, 1, 1, tzinfo=UTC)).plan_id == plan.plan_id
    renamed = [d.model_copy(update={"reasons": ("other",)}) for d in plan.deletions]
    assert compute_plan_id(renamed) != plan.plan_id


def test_write_then_read_gives_the_same_plan(planned, tmp_path):
    """A plan written to disk reads back equal, and no temporary file is left behind."""
    plan = planned.save()
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, plan)
    assert read_saved_plan(path) == plan
    assert path.read_text(encoding="utf-8") == render_saved_plan(plan)
    assert [p.name for p in tmp_path.iterdir()] == ["aos.plan.json"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: data["deletions"].pop(),
        lambda data: data["deletions"][0].update(history_id=1),
        lambda data: data["deletions"].append(dict(data["deletions"][0], history_id=7)),
    ],
    ids=["dropped", "changed-id", "added"],
)
def test_edited_deletions_are_refused(planned, tmp_path, edit_json, tamper):
    """A plan whose deletions were edited after planning no longer matches its plan_id."""
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, planned.save())
    edit_json(path, tamper)
    with pytest.raises(PlanFileError) as caught:
        read_saved_plan(path)
    assert str(path) in str(caught.value)
    assert "the deletions were edited after planning; plan again" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "invalid JSON at line 1"),
        ("[1, 2]", 'expected "format": "trakt-plan/saved-plan"'),
        ('{"format": "terraform-plan"}', "not a saved plan"),
        ('{"format": "trakt-plan/saved-plan", "format_version": 3}', "format_version 3"),
        ('{"format": "trakt-plan/saved-plan", "format_version": 1}', "the saved plan is damaged"),
        ('{"format": "trakt-plan/saved-plan", "format_version": true}', "format_version True"),
    ],
    ids=["not-json", "array", "other-format", "newer-version", "incomplete", "boolean-version"],
)
def test_files_that_are_not_saved_plans_are_refused(tmp_path, content, expected):
    """Anything but a saved plan of this format raises PlanFileError naming the file."""
    path = tmp_path / "odd.plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_saved_plan(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_a_missing_plan_file_is_named(tmp_path):
    """Reading a plan file that does not exist says which file."""
    path = tmp_path / "nowhere.plan.json"
    with pytest.raises(PlanFileError, match="cannot read the saved plan"):
        read_saved_plan(path)


def test_unknown_keys_are_refused(planned, tmp_path, edit_json):
    """An extra key is not silently ignored: the file is another format or was edited."""
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, planned.save())
    edit_json(path, lambda data: data["account"].update(password="x"))
    with pytest.raises(PlanFileError, match=r"account\.password"):
        read_saved_plan(path)


def test_replan_inputs_rebuild_the_same_plan(planned, history, tmp_path):
    """The spec and resolved scopes saved in a plan give the same deletions when planned again."""
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, planned.save())
    spec, resolved = replan_inputs(read_saved_plan(path))
    assert spec == planned.spec
    assert resolved == planned.resolved
    again = build_plan(spec, resolved, history)
    assert again.deletions == planned.result.deletions


def test_a_planned_deletion_keeps_what_undo_needs(history):
    """A deletion turns back into a play with its id, time, action and media trakt ids."""
    for item in history:
        deletion = PlannedDeletion.from_item(item, ["r"])
        back = deletion.to_history_item()
        assert (back.id, back.watched_at, back.action, back.type) == (
            item.id,
            item.watched_at,
            item.action,
            item.type,
        )
        assert back.media_trakt_id == item.media_trakt_id
        assert PlannedDeletion.from_item(back, ["r"]) == deletion


def test_a_deletion_label_reads_like_the_history(history):
    """A deletion is labelled as people know it: show, year and episode code, or the movie."""
    labels = {PlannedDeletion.from_item(item, []).label for item in history}
    assert f"{AOS_LABEL} S06E02" in labels
    assert "TRON: Legacy (2010)" in labels


def test_the_summary_records_where_each_changed_show_ends_up(planned, tmp_path):
    """For shows losing plays, the plan records the last and next episode after apply."""
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, planned.save())
    raw = json.loads(path.read_text(encoding="utf-8"))["summary"]["progress"]
    assert raw == {
        "1394": {
            "title": "Marvel's Agents of S.H.I.E.L.D.",
            "year": 2013,
            "last": "S03E16",
            "next": "S03E17",
            "next_known": True,
            "kept": 3,
            "removed": 2,
        }
    }
    restored = progress_from_summary(read_saved_plan(path))
    live = planned.progress[1394]
    assert list(restored) == [1394]
    state = restored[1394]
    assert state.last is not None and live.last is not None
    assert (state.last.code, state.next_code, state.next_known, state.kept, state.removed) == (
        live.last.code,
        live.next_code,
        live.next_known,
        live.kept,
        live.removed,
    )
    assert (state.show.title, state.show.ids.trakt) == (live.show.title, 1394)


def test_a_plan_saved_without_progress_has_none_to_show(planned):
    """Without the planner's progress, the summary simply records none."""
    plan = planned.save(progress=None)
    assert progress_from_summary(plan) == {}


def test_the_mass_delete_guard_gives_its_numbers(planned):
    """A plan over its max_deletions is refused with both numbers, unless forced."""
    plan = planned.save().model_copy(update={"max_deletions": 2})
    with pytest.raises(UnsafePlanError) as caught:
        plan.raise_if_unsafe(allow_mass_delete=False)
    assert str(caught.value) == (
        "this plan removes 3 plays, more than its max_deletions (2); apply refuses it without "
        "--allow-mass-delete, or raise max_deletions in the plan YAML and plan again. "
        "Nothing was sent."
    )
    plan.raise_if_unsafe(allow_mass_delete=True)
    assert planned.save().unsafe_reason() is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: data.update(max_deletions=100000),
        lambda data: data["account"].update(username="someone-else"),
        lambda data: data["rules"][0].update(name="renamed"),
        lambda data: data["kept"][0]["plays"].pop(),
        lambda data: data.update(warnings=[]) if data["warnings"] else data.update(warnings=["x"]),
    ],
    ids=["max-deletions", "account", "rule", "kept-play", "warnings"],
)
def test_a_hand_edited_plan_is_refused_by_its_checksum(planned, tmp_path, edit_json, tamper):
    """Editing anything but the deletions (max_deletions, account, rule, kept) is a tamper too."""
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, planned.save())
    edit_json(path, tamper)
    with pytest.raises(PlanFileError) as caught:
        read_saved_plan(path)
    assert f"{path}: the plan was edited after planning; plan again." in str(caught.value)


def test_a_reindented_plan_still_reads(planned, tmp_path):
    """An editor that only re-indents the JSON (or reorders keys) leaves the plan valid."""
    plan = planned.save()
    path = tmp_path / "aos.plan.json"
    document = json.loads(render_saved_plan(plan))
    path.write_text(json.dumps(document, indent=7)[::1], encoding="utf-8")
    assert read_saved_plan(path) == plan
    path.write_text(json.dumps(document, separators=(",", ":"), sort_keys=False), encoding="utf-8")
    assert read_saved_plan(path) == plan


def test_a_new_created_at_does_not_break_the_checksum(planned, tmp_path, edit_json):
    """created_at is left out of the checksum: plans of one history differ only there."""
    path = tmp_path / "aos.plan.json"
    write_saved_plan(path, planned.save())
    edit_json(path, lambda data: data.update(created_at="2030-01-01T00:00:00.000Z"))
    assert read_saved_plan(path).created_at == "2030-01-01T00:00:00.000Z"


def test_kept_records_the_plays_each_losing_show_and_movie_keeps(planned):
    """Per show or movie with deletions, the kept plays: id, episode code, action, media id."""
    kept = {
        (group.type, group.trakt): [
            (p.history_id, p.episode, p.action, p.trakt) for p in group.plays
        ]
        for group in planned.save().kept
    }
    assert kept == {
        ("movie", 12601): [
            (20000000001, None, "scrobble", 12601),
            (20000000003, None, "checkin", 12601),
        ],
        ("show", 1394): [
            (10000000003, "S00E01", "watch", 900001),
            (10000000023, "S03E13", "watch", 900313),
            (10000000027, "S03E16", "scrobble", 900316),
        ],
    }
