"""`init`: a newcomer gets a commented starter plan that plans as is."""

from __future__ import annotations

import json

from trakt_plan.spec.load import load_spec_text


def test_init_for_a_show_writes_a_plan_that_catches_the_bulk_mark(cli, tmp_path):
    """`init 1394 -o` writes a starter whose plan removes exactly the 22 bulk-marked plays."""
    starter = tmp_path / "aos.yaml"
    run = cli("--sandbox", "init", "1394", "-o", str(starter))
    assert run.exit_code == 0, run.stderr
    text = starter.read_text()
    assert "Marvel's Agents of S.H.I.E.L.D." in text
    assert "22 plays at 2025-11-17 01:02:03Z" in text
    planned = cli("--sandbox", "plan", str(starter), "--json")
    assert planned.exit_code == 0, planned.stderr
    ids = [d["history_id"] for d in json.loads(planned.stdout)["deletions"]]
    assert ids == list(range(10000000000, 10000000022))


def test_init_for_the_whole_history_prints_a_valid_plan(cli):
    """Without a show, `init` prints a whole-history starter on stdout that loads as a plan."""
    run = cli("--sandbox", "init")
    assert run.exit_code == 0, run.stderr
    spec = load_spec_text(run.stdout, "starter.yaml")
    assert spec.rules[0].history == "all"


def test_init_does_not_overwrite_a_plan_without_force(cli, tmp_path):
    """An existing file is kept unless --force says otherwise."""
    target = tmp_path / "mine.yaml"
    target.write_text("my careful work\n")
    run = cli("--sandbox", "init", "1394", "-o", str(target))
    assert run.exit_code == 1
    assert "--force" in run.stderr
    assert target.read_text() == "my careful work\n"
    forced = cli("--sandbox", "init", "1394", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "version: 1" in target.read_text()
