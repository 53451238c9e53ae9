"""Planning as a user does it: validate, plan, save, show, JSON, exit codes, snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "plans").glob("*.yaml"))
SEED = REPO / "plans" / "aos-cleanup.yaml"
BULK_IDS = list(range(10000000000, 10000000022))

SCOPE_FORMS = [
    "1394",
    "marvel-s-agents-of-s-h-i-e-l-d",
    "https://trakt.tv/shows/marvel-s-agents-of-s-h-i-e-l-d",
    "imdb:tt2364582",
    "tvdb:263365",
    "tmdb:1403",
    '"Marvel\'s Agents of S.H.I.E.L.D."',
]


def write_plan(tmp_path: Path, body: str, name: str = "cleanup.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_plan_validates(cli, example):
    """Each plan in plans/ passes `validate` offline."""
    run = cli("validate", str(example))
    assert run.exit_code == 0, run.stderr
    assert "valid" in run.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_plan_plans_on_the_sandbox(cli, example):
    """Each plan in plans/ plans against the sandbox without an error."""
    run = cli("--sandbox", "plan", str(example))
    assert run.exit_code == 0, run.stderr
    assert "Plan:" in run.stdout


def test_seed_story_shows_the_22_plays_and_what_comes_next(cli):
    """The seed plan lists the bulk mark's 22 plays and says S03E17 is up next after apply."""
    run = cli("--sandbox", "plan", str(SEED))
    assert run.exit_code == 0, run.stderr
    for history_id in (10000000000, 10000000021):
        assert str(history_id) in run.stdout
    assert "10000000027" not in run.stdout
    assert "after apply: last S03E16, next S03E17" in run.stdout
    assert "remove 22 plays" in run.stdout


def test_saved_plan_is_written_and_shown_again(cli, tmp_path):
    """`plan -o` writes the saved plan and `show` prints the same deletions from the file alone."""
    saved = tmp_path / "aos.plan.json"
    run = cli("--sandbox", "plan", str(SEED), "-o", str(saved))
    assert run.exit_code == 0, run.stderr
    document = json.loads(saved.read_text())
    assert document["format"] == "trakt-plan/saved-plan"
    assert [d["history_id"] for d in document["deletions"]] == BULK_IDS
    assert document["account"] == {"username": "sandbox-user", "api_base": "sandbox"}
    shown = cli("show", str(saved))
    assert shown.exit_code == 0, shown.stderr
    assert "after apply: last S03E16, next S03E17" in shown.stdout
    assert "10000000021" in shown.stdout


def test_json_output_is_the_saved_plan_and_nothing_else(cli, tmp_path):
    """`plan --json` prints exactly the document `-o` writes (same plan_id)."""
    saved = tmp_path / "aos.plan.json"
    run = cli("--sandbox", "plan", str(SEED), "--json", "-o", str(saved))
    assert run.exit_code == 0, run.stderr
    printed = json.loads(run.stdout)
    assert printed["plan_id"] == json.loads(saved.read_text())["plan_id"]


def test_two_plans_of_the_same_history_are_byte_identical_but_for_created_at(cli, tmp_path):
    """Planning twice gives the same bytes apart from the created_at line."""
    first, second = tmp_path / "a.plan.json", tmp_path / "b.plan.json"
    assert cli("--sandbox", "plan", str(SEED), "-o", str(first)).exit_code == 0
    assert cli("--sandbox", "plan", str(SEED), "-o", str(second)).exit_code == 0

    # The checksum binds fetched_at (the time the history was read), so it moves with it.
    moving = ('"created_at"', '"fetched_at"', '"checksum"')

    def strip(path: Path) -> list[str]:
        return [
            line for line in path.read_text().splitlines() if not any(key in line for key in moving)
        ]

    assert strip(first) == strip(second)


def test_detailed_exitcode_tells_something_to_clean_from_nothing(cli, tmp_path):
    """--detailed-exitcode exits 2 when there are deletions and 0 when there are none."""
    assert cli("--sandbox", "plan", str(SEED), "--detailed-exitcode").exit_code == 2
    clean = write_plan(
        tmp_path,
        "version: 1\nrules:\n  - name: nothing\n    show: 1394\n    drop:\n"
        "      history_ids: [1]\n",
    )
    run = cli("--sandbox", "plan", str(clean), "--detailed-exitcode")
    assert run.exit_code == 0, run.stderr
    assert "matched nothing" in run.stderr


@pytest.mark.parametrize("scope", SCOPE_FORMS)
def test_plan_by_every_scope_form_finds_the_same_22_plays(cli, tmp_path, scope):
    """A rule's show can be named in every reference form and plans the same deletions."""
    plan = write_plan(
        tmp_path,
        f"version: 1\nrules:\n  - name: bulk\n    show: {scope}\n    drop:\n"
        "      same_timestamp: 3\n",
    )
    run = cli("--sandbox", "plan", str(plan), "--json")
    assert run.exit_code == 0, run.stderr
    assert [d["history_id"] for d in json.loads(run.stdout)["deletions"]] == BULK_IDS


def test_a_bad_plan_fails_before_any_request(account_cli, server, tmp_path):
    """A plan with an unknown key names file:line:col, exits 1 and sends nothing to Trakt."""
    plan = write_plan(
        tmp_path,
        "version: 1\nrules:\n  - name: bulk\n    show: 1394\n    drop:\n      same_timestamps: 3\n",
    )
    before = server.stats.requests
    run = account_cli("plan", str(plan))
    assert run.exit_code == 1
    assert f"{plan}:6:7" in run.stderr
    assert "same_timestamp" in run.stderr
    assert "Traceback" not in run.stderr
    assert server.stats.requests == before


def test_every_misspelt_title_is_reported_in_one_run(cli, tmp_path):
    """Two titles Trakt does not know: one error names both lines and rules, exit 1, no plan."""
    plan = write_plan(
        tmp_path,
        "version: 1\nrules:\n"
        "  - name: first\n    show: Agents of Shield Typo\n    drop: {same_timestamp: 3}\n"
        "  - name: second\n    movie: Tron Legacyy\n    drop: {action: watch}\n",
    )
    run = cli("--sandbox", "plan", str(plan), "-o", str(tmp_path / "out.json"))
    assert run.exit_code == 1
    assert f"{plan}:4:11: no show titled" in run.stderr
    assert "(at rules[0].show, rule first)" in run.stderr
    assert f"{plan}:7:12: no movie titled" in run.stderr
    assert "(at rules[1].movie, rule second)" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out.json").exists()


def test_snapshot_plans_offline_with_the_same_deletions(cli, tmp_path):
    """`history all --json` then `plan --snapshot` needs no account and finds the same plays."""
    snapshot = tmp_path / "snapshot.json"
    run = cli("--sandbox", "history", "all", "--json")
    assert run.exit_code == 0, run.stderr
    snapshot.write_text(run.stdout)
    offline = cli("plan", str(SEED), "--snapshot", str(snapshot), "--json")
    assert offline.exit_code == 0, offline.stderr
    assert [d["history_id"] for d in json.loads(offline.stdout)["deletions"]] == BULK_IDS


def test_whole_history_bulk_rule_catches_both_shows(cli, tmp_path):
    """A history: all rule finds the decoy show marked in the same second too."""
    plan = write_plan(
        tmp_path,
        "version: 1\nrules:\n  - name: bulk\n    history: all\n    drop:\n"
        "      same_timestamp: 3\n",
    )
    run = cli("--sandbox", "plan", str(plan), "--json")
    assert run.exit_code == 0, run.stderr
    ids = [d["history_id"] for d in json.loads(run.stdout)["deletions"]]
    assert ids == [*BULK_IDS, 10000000028, 10000000029, 10000000030, 10000000031]


def test_a_movie_group_says_how_many_plays_stay(cli, tmp_path):
    """For a movie losing a duplicate play, `plan` and `show` both say one play stays."""
    saved = tmp_path / "manual.plan.json"
    run = cli(
        "--sandbox", "plan", str(REPO / "plans" / "manual-marks-since.yaml"), "-o", str(saved)
    )
    assert run.exit_code == 0, run.stderr
    assert json.loads(saved.read_text())["summary"]["movies_kept"] == {"12601": 1}
    shown = cli("show", str(saved))
    assert "TRON: Legacy (2010) · movie 12601" in shown.stdout
    assert "remove 1, keep 1" in shown.stdout
