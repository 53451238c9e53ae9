"""Reading plan files: encodings, limits, hostile YAML and how problems are reported."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from trakt_plan.errors import SpecError
from trakt_plan.spec.load import MAX_BYTES, load_spec, load_spec_text
from trakt_plan.spec.model import PlanSpec, ScopeRef

SEED = "version: 1\nrules:\n  - name: aos\n    show: 1394\n    drop: {after: S03E16}\n"


def test_error_message_has_file_line_column_and_key_path() -> None:
    """The error reads `file:line:col: what is expected (at key path)`, as in the docs."""
    text = (
        "version: 1\n"
        "rules:\n"
        "  - {name: aos-after, show: 1394, drop: {after: S03E16}}\n"
        "  - name: aos-bulk\n"
        "    show: 1394\n"
        "    drop:\n"
        "      same_timestamp: 1\n"
    )
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "cleanup.yaml")
    assert str(caught.value) == (
        "cleanup.yaml:7:23: same_timestamp must be a whole number >= 2, got 1 "
        "(at rules[1].drop.same_timestamp)"
    )
    assert (caught.value.file, caught.value.line, caught.value.column) == ("cleanup.yaml", 7, 23)


def test_load_spec_reads_a_file(tmp_path: Path) -> None:
    """A plan on disk loads into the same spec as its text."""
    path = tmp_path / "seed.yaml"
    path.write_text(SEED, encoding="utf-8")
    assert load_spec(path) == load_spec_text(SEED, "seed.yaml")


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    """A typo in the plan's path is reported, not a traceback."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(SpecError, match="cannot read the plan") as caught:
        load_spec(path)
    assert caught.value.file == str(path)


def test_directory_is_a_spec_error(tmp_path: Path) -> None:
    """Passing a directory instead of a plan is reported clearly."""
    with pytest.raises(SpecError, match="cannot read the plan"):
        load_spec(tmp_path)


def test_non_utf8_bytes_point_at_the_bad_byte(tmp_path: Path) -> None:
    """A Latin-1 file is refused at the line and column of the first non-UTF-8 byte."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"version: 1\ndescription: caf\xe9 cr\xe8me\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert (caught.value.line, caught.value.column) == (2, 17)
    assert "not UTF-8" in caught.value.reason
    assert "0xe9" in caught.value.reason


def test_byte_order_mark_and_crlf_are_accepted(tmp_path: Path) -> None:
    """A plan saved by a Windows editor (BOM, CRLF) loads like any other."""
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.replace("\n", "\r\n").encode())
    assert load_spec(path).rules[0].scope == ScopeRef(kind="show", ref="1394")
    assert load_spec_text("\ufeff" + SEED, "x.yaml").rules[0].name == "aos"


def test_a_five_megabyte_file_is_refused_quickly(tmp_path: Path) -> None:
    """A huge file is refused before parsing, in well under a second."""
    path = tmp_path / "huge.yaml"
    path.write_bytes(SEED.encode() + b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    # CPU time, not wall time: a busy machine must not make a quick refusal look slow.
    started = time.process_time()
    with pytest.raises(SpecError, match="larger than 1 MiB"):
        load_spec(path)
    with pytest.raises(SpecError, match="larger than 1 MiB"):
        load_spec_text(path.read_text(encoding="utf-8"), "huge.yaml")
    assert time.process_time() - started < 0.5


def test_multibyte_text_counts_in_bytes_for_the_limit() -> None:
    """The 1 MiB limit is about bytes, so text of fewer but wider characters is refused too."""
    text = SEED + "# " + "é" * (MAX_BYTES // 2) + "\n"
    assert len(text) < MAX_BYTES
    with pytest.raises(SpecError, match="larger than 1 MiB"):
        load_spec_text(text, "wide.yaml")


def test_billion_laughs_is_refused_quickly(bad_plans_dir: Path) -> None:
    """Aliases that would expand to a billion values are refused fast, without the memory."""
    started = time.process_time()
    with pytest.raises(SpecError, match="repeat more than 10,000 values"):
        load_spec(bad_plans_dir / "alias-bomb.yaml")
    assert time.process_time() - started < 1.0


def test_recursive_alias_is_refused(spec_error: Callable[[str], SpecError]) -> None:
    """An anchor that contains its own alias cannot loop forever."""
    error = spec_error("version: 1\nrules: &r [*r]\n")
    assert "nested more than 32 levels" in error.reason


def test_python_tags_never_run_code(tmp_path: Path, spec_error: Callable[[str], SpecError]) -> None:
    """`!!python/object/apply` is refused and the command in it is never run."""
    marker = tmp_path / "pwned"
    error = spec_error(f"version: 1\nrules: !!python/object/apply:os.system ['touch {marker}']\n")
    assert "!!python/object/apply:os.system is not allowed" in error.reason
    assert not marker.exists()


def test_python_object_tag_is_refused(spec_error: Callable[[str], SpecError]) -> None:
    """`!!python/object:...` on a mapping is refused with its position."""
    error = spec_error("version: 1\nrules:\n  - !!python/object:collections.OrderedDict {a: 1}\n")
    assert (error.line, error.column, error.key_path) == (3, 5, "rules[0]")
    assert "!!python/object:collections.OrderedDict" in error.reason


@pytest.mark.parametrize(
    "text",
    ["version: 1\nrules: " + "[" * 200 + "]" * 200, "".join("  " * i + "a:\n" for i in range(300))],
)
def test_deep_nesting_is_refused(text: str) -> None:
    """Thousands of nested lists or mappings are refused, not a recursion crash."""
    with pytest.raises(SpecError, match="nested more than 32 levels"):
        load_spec_text(text, "deep.yaml")


def test_every_problem_of_the_file_is_reported_in_one_run(
    spec_error: Callable[[str], SpecError],
) -> None:
    """With several mistakes, each has its own line, in file order; the first one leads."""
    error = spec_error(
        """\
        version: 1
        rules:
          - name: a
            show: 1394
            drop: {same_timestamp: 1}
          - name: b
            show: 1394
            drop: {after: S3, burst: {plays: 1, within: 1x}}
        """
    )
    assert (error.line, error.key_path) == (5, "rules[0].drop.same_timestamp")
    lines = str(error).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "plan.yaml:5:28",
        "plan.yaml:8:19",
        "plan.yaml:8:38",
        "plan.yaml:8:49",
    ]
    assert lines[1].endswith("got 'S3' (at rules[1].drop.after)")


def test_unknown_key_is_reported_before_the_missing_key_it_explains(
    spec_error: Callable[[str], SpecError],
) -> None:
    """A misspelt `rules:` is reported as the typo, not as "missing rules"."""
    error = spec_error("version: 1\nrulez:\n  - {name: a, show: 1, drop: {all: true}}\n")
    assert error.reason == "unknown key 'rulez' in the plan; did you mean 'rules'?"


def test_unsupported_version_is_reported_first(spec_error: Callable[[str], SpecError]) -> None:
    """Under another version nothing else means much, so the version problem comes first."""
    error = spec_error("rules:\n  - {name: a, show: 1, drop: {nonsense: 1}}\nversion: 3\n")
    assert error.key_path == "version"
    assert "version 3 is not supported by trakt-plan" in error.reason
    assert "this version reads version 1" in error.reason


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(
    spec_error: Callable[[str], SpecError],
) -> None:
    """When no key is close, the message lists what the mapping accepts."""
    error = spec_error(
        "version: 1\nrules:\n  - {name: a, show: 1, drop: {all: true}}\n"
        "protect:\n  - {show: 1, zzz: 1}\n"
    )
    assert error.reason == (
        "unknown key 'zzz' in a protect entry; expected one of: show, movie, history, year, when"
    )


def test_empty_value_points_at_its_key(spec_error: Callable[[str], SpecError]) -> None:
    """A key left without a value is reported where the key is, not on the next line."""
    error = spec_error(
        "version: 1\nrules:\n  - name: a\n    show: 1394\n    drop:\n      same_timestamp:\n"
        "      after: S01E01\n"
    )
    assert (error.line, error.column) == (6, 7)
    assert error.reason == "same_timestamp has no value; write one or remove the key"
    assert not str(error).endswith("after this one")


@pytest.mark.parametrize("blank", ["", " ~", " null"])
def test_a_blank_condition_does_not_silently_widen_a_rule(
    spec_error: Callable[[str], SpecError], blank: str
) -> None:
    """`action:` left blank would drop the condition and match more plays, so it is refused."""
    error = spec_error(
        f"version: 1\nrules:\n  - name: a\n    history: all\n    drop:\n"
        f"      same_timestamp: 3\n      action:{blank}\n"
    )
    assert (error.line, error.key_path) == (7, "rules[0].drop.action")
    assert error.reason == "action has no value; write one or remove the key"


def test_blank_description_and_protect_are_allowed(load_plan: Callable[[str], PlanSpec]) -> None:
    """A plan may leave its description and protect list empty while it is being written."""
    spec = load_plan(
        "version: 1\ndescription:\nprotect:\nrules: [{name: a, show: 1, drop: {all: true}}]\n"
    )
    assert (spec.description, spec.protect) == (None, ())


def test_anchors_and_merge_keys_share_settings(load_plan: Callable[[str], PlanSpec]) -> None:
    """`x-` keys hold anchors; `<<: *x` merges them and keys written in the rule win."""
    spec = load_plan(
        """\
        version: 1
        x-aos: &aos
          show: 1394
          watched_from: 2025-11-17
          drop: {all: true}
        rules:
          - <<: *aos
            name: aos-after
            drop: {after: S03E16}
          - <<: [*aos]
            name: aos-everything
        """
    )
    first, second = spec.rules
    assert (first.scope, first.drop.after is not None) == (ScopeRef(kind="show", ref="1394"), True)
    assert (second.drop.all, second.watched_from) == (True, first.watched_from)


def test_problem_inside_merged_settings_points_at_the_anchor(
    spec_error: Callable[[str], SpecError],
) -> None:
    """A bad value that came in through a merge is shown where it is written."""
    error = spec_error(
        "version: 1\nx-base: &b {show: 1394, drop: {same_timestamp: 1}}\n"
        "rules:\n  - {<<: *b, name: a}\n"
    )
    assert (error.line, error.column, error.key_path) == (2, 48, "rules[0].drop.same_timestamp")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("version: 1\n? [a, b]\n: c\n", "keys must be names"),
        ("version: 1\n~: c\n", "keys must be names"),
        ("version: 1\nrules: !!set {a, b}\n", "the tag !!set is not allowed"),
        ("version: 1\nrules: !!binary aGVsbG8=\n", "the tag !!binary is not allowed"),
        ("version: 1\x07\n", "a character YAML does not allow"),
        ("version: 1\nrules: [a\n", "invalid YAML"),
        ("version: 1\n  rules: []\n", "invalid YAML"),
        ("'just text'\n", "got a single value"),
        ("", "the plan is empty"),
        ("---\n...\n", "the plan is empty"),
        ("version: 1\nrules:\n  - {<<: {<<: {show: 1}}, name: a, drop: {all: true}}\n", "nested"),
    ],
)
def test_odd_yaml_is_refused_with_a_message(text: str, fragment: str) -> None:
    """Odd but parseable YAML, and broken YAML, both end in a SpecError with a position."""
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "odd.yaml")
    assert fragment in caught.value.reason
    assert caught.value.line is not None and caught.value.line >= 1
    assert caught.value.column is not None and caught.value.column >= 1


def test_a_long_plan_without_aliases_is_not_limited(load_plan: Callable[[str], PlanSpec]) -> None:
    """Thousands of history ids (the seed workflow) load: only alias expansion is capped."""
    ids = ", ".join(str(10_000_000_000 + n) for n in range(12_000))
    spec = load_plan(
        f"version: 1\nrules:\n  - {{name: a, history: all, drop: {{history_ids: [{ids}]}}}}\n"
    )
    assert spec.rules[0].drop.history_ids is not None
    assert len(spec.rules[0].drop.history_ids) == 12_000


def test_yaml_1_1_booleans_are_text(spec_error: Callable[[str], SpecError]) -> None:
    """`all: yes` is not a boolean in YAML 1.2; the user is told to write true."""
    error = spec_error("version: 1\nrules:\n  - {name: a, show: 1, drop: {all: yes}}\n")
    assert error.reason == "all must be true or false, got 'yes'"


def test_a_duplicate_key_and_a_refused_tag_do_not_hide_the_other_problems(
    spec_error: Callable[[str], SpecError],
) -> None:
    """Reading goes on past a duplicate key and a refused tag; what they cause is not repeated."""
    error = spec_error(
        """\
        version: 1
        rules:
          - name: a
            show: !secret 1394
            drop: {action: wach}
          - name: b
            show: 1394
            drop: {after: S01E01}
            drop: {after: S02E01}
        """
    )
    assert [line.split(": ", 1)[1] for line in str(error).splitlines()] == [
        "the tag !secret is not allowed: a plan holds plain text, numbers, lists and mappings "
        "(at rules[0].show)",
        "action must be scrobble, checkin or watch, got 'wach'; did you mean 'watch'? "
        "(at rules[0].drop.action)",
        "duplicate key 'drop' (first given on line 8) (at rules[1].drop)",
    ]
