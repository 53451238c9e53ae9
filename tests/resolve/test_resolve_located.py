"""A title Trakt cannot resolve is reported like a validation error: file, line, column, rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from trakt_plan.errors import ResolveError
from trakt_plan.resolve import resolve_offline, resolve_scopes
from trakt_plan.spec.load import load_spec

PLAN = """\
version: 1
rules:
  - name: sitcoms
    show: [1394, "Nobody Made This Show"]
    drop: {same_timestamp: 3}
  - name: office
    show: The Office
    drop: {action: watch}
protect:
  - show: "Nobody Made This Show"
"""


def plan_file(tmp_path: Path, text: str = PLAN) -> Path:
    path = tmp_path / "cleanup.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bad_title_names_its_line_and_every_rule_using_it(tmp_path, trakt):
    """Online, each bad title points at its place in the rules, in plan order, in one error."""
    path = plan_file(tmp_path)
    with pytest.raises(ResolveError) as caught:
        resolve_scopes(load_spec(path), trakt, source=path)
    unknown, ambiguous = str(caught.value).splitlines()
    assert unknown.startswith(f'{path}:4:18: no show titled "Nobody Made This Show"')
    assert unknown.endswith("(at rules[0].show[1], rule sitcoms; also protect entry 1 at line 10)")
    # The second bad reference is in the same error: one edit fixes the plan, not two runs.
    assert ambiguous.startswith(f'{path}:7:11: show "The Office" matches 2 shows')
    assert ambiguous.endswith("(at rules[1].show, rule office)")


def test_an_ambiguous_title_in_a_snapshot_names_its_line_and_rule(tmp_path, sample_history):
    """Offline, "The Office" matches two shows: the error lists them and points at line 7."""
    path = plan_file(tmp_path, PLAN.replace('"Nobody Made This Show"', "1390"))
    with pytest.raises(ResolveError) as caught:
        resolve_offline(load_spec(path), sample_history, source=path)
    message = str(caught.value)
    assert message.startswith(f'{path}:7:11: show "The Office" matches 2 shows in the snapshot')
    assert message.endswith("(at rules[1].show, rule office)")


def test_without_the_file_the_error_is_the_plain_message(sample_history, spec_of):
    """Called without a source (a library caller), the message is unchanged."""
    spec = spec_of({"name": "x", "show": "No Such Show", "drop": {"all": True}})
    with pytest.raises(ResolveError, match=r"^show \"No Such Show\" matches no show"):
        resolve_offline(spec, sample_history)


def test_offline_every_bad_reference_is_reported_in_one_run(tmp_path, sample_history):
    """A snapshot plan with an unknown slug and an ambiguous title lists both, in plan order."""
    path = plan_file(tmp_path, PLAN.replace('"Nobody Made This Show"', "dexter-2006"))
    with pytest.raises(ResolveError) as caught:
        resolve_offline(load_spec(path), sample_history, source=path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}:4:18", f"{path}:7:11"]
    assert "dexter-2006" in lines[0]
    assert "matches 2 shows in the snapshot" in lines[1]
