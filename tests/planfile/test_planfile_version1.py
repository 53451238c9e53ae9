"""Version 1 plans: a genuine one still reads; a version 2 plan relabelled 1 is refused."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from tests.support.cli import invoke
from trakt_plan.errors import PlanFileError
from trakt_plan.planfile import read_saved_plan, render_saved_plan

# What only format 2 writes, and how to take each out of a document.
V2_ONLY = {
    "checksum": lambda doc: doc.pop("checksum"),
    "kept": lambda doc: doc.pop("kept"),
    "warnings": lambda doc: doc.pop("warnings"),
    "deletions[].evidence": lambda doc: [d.pop("evidence") for d in doc["deletions"]],
    "rules[].more_scopes": lambda doc: [r.pop("more_scopes") for r in doc["rules"]],
    "rules[].spared_by_protect": lambda doc: [r.pop("spared_by_protect") for r in doc["rules"]],
    "rules[].spared_by_unless": lambda doc: [r.pop("spared_by_unless") for r in doc["rules"]],
}


def _as_version_1(planned: Any, *, keeping: str | None = None) -> dict[str, Any]:
    """The saved example plan relabelled format_version 1, stripped of every version 2 key
    but ``keeping``."""
    document: dict[str, Any] = json.loads(render_saved_plan(planned.save()))
    for key, strip in V2_ONLY.items():
        if key != keeping:
            strip(document)
    # Version 1 never counted spared plays in its summary either.
    for key in ("spared_by_protect", "spared_by_unless"):
        document["summary"].pop(key)
    document["format_version"] = 1
    # What version 1 wrote as plan_id: the sha256 of its deletions, as they stand in the file.
    deletions = json.dumps(document["deletions"], sort_keys=True, separators=(",", ":"))
    document["plan_id"] = hashlib.sha256(deletions.encode("utf-8")).hexdigest()
    return document


@pytest.mark.parametrize("left", sorted(V2_ONLY))
def test_a_version_1_label_on_a_version_2_plan_is_refused(planned, tmp_path, left):
    """Regression: deleting the checksum and writing format_version 1 skipped the check."""
    path = tmp_path / "edited.plan.json"
    path.write_text(json.dumps(_as_version_1(planned, keeping=left)), encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_saved_plan(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: this plan says format_version 1 but has ")
    assert left in message
    assert "\n" not in message


def test_the_command_line_refuses_it_in_one_paragraph(planned, tmp_path):
    """`show` on the relabelled file exits 1 with the message and no traceback."""
    document = json.loads(render_saved_plan(planned.save()))
    del document["checksum"]
    document["format_version"] = 1
    path = tmp_path / "edited.plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    run = invoke("show", str(path))

    assert run.exit_code == 1
    assert f"{path}: this plan says format_version 1 but has kept, warnings" in " ".join(
        run.stderr.split()
    )
    assert "Traceback" not in run.output


def test_a_version_1_plan_still_reads(planned, tmp_path):
    """A plan saved before checksum, kept, warnings, evidence and more_scopes existed reads,
    bound by its plan_id alone."""
    path = tmp_path / "old.plan.json"
    path.write_text(json.dumps(_as_version_1(planned)), encoding="utf-8")
    plan = read_saved_plan(path)
    assert (plan.format_version, plan.checksum, plan.kept) == (1, None, ())
    without_evidence = [d.model_copy(update={"evidence": ()}) for d in planned.save().deletions]
    assert list(plan.deletions) == without_evidence


def test_a_version_1_plan_with_edited_deletions_is_refused(planned, tmp_path):
    """Version 1 deletions are still bound by their plan_id: an added id is refused."""
    document = _as_version_1(planned)
    document["deletions"][0]["history_id"] += 1
    path = tmp_path / "old.plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(PlanFileError, match="the deletions were edited after planning"):
        read_saved_plan(path)
