"""The saved plan records what `protect` and `unless` spared; plans saved before still verify."""

from __future__ import annotations

import json

from trakt_plan.planfile import compute_checksum, read_saved_plan, write_saved_plan
from trakt_plan.view.jsondoc import render_json
from trakt_plan.view.plan import plan_view


def test_each_rule_and_the_summary_record_the_plays_spared(planned):
    """`bulk` chose the 4 plays of 01:02:03: S00E01 is protected, S03E13 its unless's."""
    saved = planned.save()

    spared = [(r.name, r.deletions, r.spared_by_protect, r.spared_by_unless) for r in saved.rules]
    assert spared == [
        ("aos-after-s03e16", 2, 0, 0),
        ("dupe-movies", 1, 0, 0),
        ("bulk", 2, 1, 1),
    ]
    assert (saved.summary.spared_by_protect, saved.summary.spared_by_unless) == (1, 1)


def without_spares(data):
    """The plan as a version without spare counts wrote it, checksum and all."""
    for rule in data["rules"]:
        del rule["spared_by_protect"], rule["spared_by_unless"]
    del data["summary"]["spared_by_protect"], data["summary"]["spared_by_unless"]
    data["checksum"] = compute_checksum(data)


def test_a_plan_saved_before_spares_were_counted_reads_and_prints_as_written(
    planned, tmp_path, edit_json
):
    """No spare counts: it verifies, shows no counts, and --json prints it unchanged."""
    path = tmp_path / "old.plan.json"
    write_saved_plan(path, planned.save())
    edit_json(path, without_spares)

    old = read_saved_plan(path)
    view = plan_view(old)
    printed = json.loads(render_json(view))

    assert (old.summary.spared_by_protect, view.summary.spared) == (None, None)
    assert "spared_by_protect" not in printed["rules"][0]
    assert compute_checksum(printed) == old.checksum
