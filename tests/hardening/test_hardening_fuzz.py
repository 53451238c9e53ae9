"""Issue 5.1: whatever bytes a plan file holds, the loader answers a plan or a located error.

Thousands of mutated example plans and generated plans (``fuzzing.py``, derandomized so
every run checks the same cases), named hostile files (huge, deep, alias bombs, Python
tags, other encodings), and a sample through the real command line: ``validate`` and
``plan`` exit 1 with one line on stderr and send nothing to Trakt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.cli import invoke
from tests.support.sandbox import account_env, issue_token, sandboxes
from trakt_plan.errors import SpecError
from trakt_plan.spec.load import MAX_ALIAS_EXPANSION, MAX_BYTES, MAX_DEPTH, load_spec
from trakt_plan.spec.model import PlanSpec

PLANS = sorted((Path(__file__).resolve().parents[2] / "plans").glob("*.yaml"))
AOS = next(plan for plan in PLANS if plan.name == "aos-cleanup.yaml").read_bytes()


@pytest.fixture
def guarded(fuzzing: ModuleType) -> Iterator[list[str]]:
    """No connection may be opened while the loader runs; yields the attempts made."""
    with fuzzing.no_network() as attempts:
        yield attempts


# -- the campaigns ----------------------------------------------------------------------


def test_the_example_plans_are_all_valid_before_mutation() -> None:
    """Every plan in plans/ loads as is: the mutations start from valid files."""
    assert len(PLANS) >= 5
    for plan in PLANS:
        assert isinstance(load_spec(plan), PlanSpec)


@pytest.mark.parametrize("plan", PLANS, ids=lambda path: path.name)
def test_byte_mutations_of_an_example_plan_load_or_fail_with_a_located_error(
    plan: Path, tmp_path: Path, fuzzing: ModuleType, guarded: list[str]
) -> None:
    """Bytes inserted, cut, replaced or repeated (invalid UTF-8 too): a plan or file:line:col."""
    tally = fuzzing.run_campaign(
        "bytes",
        fuzzing.byte_mutations(plan.read_bytes()),
        tmp_path / plan.name,
        fuzzing.BYTE_CASES_PER_PLAN,
    )
    assert tally.cases == fuzzing.BYTE_CASES_PER_PLAN
    assert tally.valid > 0 and tally.errors > tally.cases // 4
    assert guarded == []


@pytest.mark.parametrize("plan", PLANS, ids=lambda path: path.name)
def test_line_mutations_of_an_example_plan_load_or_fail_with_a_located_error(
    plan: Path, tmp_path: Path, fuzzing: ModuleType, guarded: list[str]
) -> None:
    """Lines repeated, dropped, swapped, re-indented, re-valued or hostile: never a crash."""
    tally = fuzzing.run_campaign(
        "lines",
        fuzzing.line_mutations(plan.read_bytes()),
        tmp_path / plan.name,
        fuzzing.LINE_CASES_PER_PLAN,
    )
    assert tally.cases == fuzzing.LINE_CASES_PER_PLAN
    assert tally.valid > 0 and tally.errors > tally.cases // 4
    assert guarded == []


def test_generated_plans_load_or_fail_with_a_located_error(
    tmp_path: Path, fuzzing: ModuleType, guarded: list[str]
) -> None:
    """Plan-shaped documents in block and flow style, most valid, some subtly wrong."""
    tally = fuzzing.run_campaign(
        "generated", fuzzing.generated_plans(), tmp_path / "generated.yaml", fuzzing.GENERATED_CASES
    )
    assert tally.cases == fuzzing.GENERATED_CASES
    assert tally.valid > tally.cases // 10 and tally.errors > tally.cases // 10
    assert guarded == []


def test_one_ci_run_checks_at_least_3000_cases(fuzzing: ModuleType) -> None:
    """The campaigns above add up to the issue's 3,000 cases per run."""
    total = (
        len(PLANS) * (fuzzing.BYTE_CASES_PER_PLAN + fuzzing.LINE_CASES_PER_PLAN)
        + fuzzing.GENERATED_CASES
    )
    assert total >= 3000
    assert tuple(PLANS) == fuzzing.EXAMPLE_PLANS


# -- named hostile files -----------------------------------------------------------------


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of a byte offset of UTF-8 text."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode()) + 1


def _nested_aliases(kind: str) -> bytes:
    """A "billion laughs": nine levels of anchors, each repeating the previous one 9 times."""
    lines = ["version: 1", "x-0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        if kind == "list":
            body = ", ".join([f"*l{level - 1}"] * 9)
            lines.append(f"x-{level}: &l{level} [{body}]")
        else:
            body = ", ".join(f"k{n}: *l{level - 1}" for n in range(9))
            lines.append(f"x-{level}: &l{level} {{{body}}}")
    lines.append("rules: [*l8]")
    return ("\n".join(lines) + "\n").encode()


HOSTILE: dict[str, tuple[bytes, int, int, str]] = {
    # name: (file content, line, column, what the message says). Column 0: any column of
    # that line, for alias bombs, where the budget runs out mid-anchor.
    "over 1 MiB": (AOS + b"#" * MAX_BYTES, 1, 1, "the plan is larger than 1 MiB"),
    "flow nesting 100,000 deep": (
        b"version: 1\nrules: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        2,
        8 + MAX_DEPTH - 1,
        f"the plan is nested more than {MAX_DEPTH} levels deep",
    ),
    "mapping nesting, never closed": (
        b"{a: " * 50_000,
        1,
        4 * MAX_DEPTH + 1,
        f"the plan is nested more than {MAX_DEPTH} levels deep",
    ),
    "block nesting 40 deep": (
        b"".join(b" " * (2 * depth) + b"k:\n" for depth in range(40)),
        MAX_DEPTH + 1,
        2 * MAX_DEPTH + 1,
        f"the plan is nested more than {MAX_DEPTH} levels deep",
    ),
    "billion laughs (lists)": (
        _nested_aliases("list"),
        2,
        0,
        f"aliases (*x) in the plan repeat more than {MAX_ALIAS_EXPANSION:,} values",
    ),
    "billion laughs (mappings)": (
        _nested_aliases("map"),
        2,
        0,
        f"aliases (*x) in the plan repeat more than {MAX_ALIAS_EXPANSION:,} values",
    ),
    "an alias inside its own anchor": (
        b"version: 1\nrules: &r [*r]\n",
        2,
        8,
        f"the plan is nested more than {MAX_DEPTH} levels deep",
    ),
    "12,000 aliases of one scalar": (
        b"version: 1\nx-a: &a S03E16\nrules:\n  - name: a\n    show: 1394\n    drop:\n"
        b"      episodes: [" + b", ".join([b"*a"] * 12_000) + b"]\n",
        2,
        6,
        f"aliases (*x) in the plan repeat more than {MAX_ALIAS_EXPANSION:,} values",
    ),
    "!!python/object/apply": (
        b"version: 1\nrules: !!python/object/apply:os.system ['touch {marker}']\n",
        2,
        8,
        "the tag !!python/object/apply:os.system is not allowed",
    ),
    "!!python/object/new in a rule": (
        b"version: 1\nrules:\n  - !!python/object/new:os.system ['touch {marker}']\n",
        3,
        5,
        "the tag !!python/object/new:os.system is not allowed",
    ),
    "!!python/name": (
        b"version: 1\ndescription: !!python/name:os.system\nrules: []\n",
        2,
        14,
        "the tag !!python/name:os.system is not allowed",
    ),
    "a verbatim python tag": (
        b"version: 1\nrules: "
        b"!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']\n",
        2,
        8,
        "the tag !!python/object/apply:os.system is not allowed",
    ),
    "a %TAG directive naming python": (
        b"%TAG !p! tag:yaml.org,2002:python/object/apply:\n---\n"
        b"version: 1\nrules: !p!os.system ['touch {marker}']\n",
        4,
        8,
        "the tag !!python/object/apply:os.system is not allowed",
    ),
    "!!binary": (
        b"version: 1\ndescription: !!binary aGVsbG8=\nrules: []\n",
        2,
        14,
        "the tag !!binary is not allowed",
    ),
    "!!set": (b"version: 1\nrules: !!set {a, b}\n", 2, 8, "the tag !!set is not allowed"),
    "a local tag": (b"version: 1\nrules: !mine [a]\n", 2, 8, "the tag !mine is not allowed"),
    "Latin-1 text": (
        AOS.replace(b"Undo the", b"Und\xe9 the"),
        *_position(AOS, AOS.index(b"Undo the") + 3),
        "the plan is not UTF-8 text (byte 0xe9); save it as UTF-8",
    ),
    "UTF-16 with a BOM": (
        AOS.decode().encode("utf-16"),
        1,
        1,
        "the plan is not UTF-8 text (byte 0xff); save it as UTF-8",
    ),
    "a NUL byte": (
        AOS.replace(b"version: 1", b"vers\x00ion: 1"),
        9,
        5,
        "the plan contains a character YAML does not allow (U+0000)",
    ),
    "two documents": (
        AOS + b"---\nversion: 1\n",
        AOS.count(b"\n") + 1,
        1,
        "a plan file holds one YAML document, but found a second one",
    ),
    "an empty file": (b"", 1, 1, "the plan is empty"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_plan_file_is_refused_safely_and_quickly(
    name: str, tmp_path: Path, guarded: list[str]
) -> None:
    """Huge, deep, self-multiplying, code-running or mis-encoded files: located errors only."""
    marker = tmp_path / "code-ran"
    content, line, column, message = HOSTILE[name]
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content.replace(b"{marker}", str(marker).encode()))
    started = time.process_time()
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    elapsed = time.process_time() - started
    error = caught.value
    assert str(error).startswith(f"{path}:{line}:")
    if column:
        assert str(error).startswith(f"{path}:{line}:{column}: ")
    assert message in str(error)
    # Every problem found is reported, one located line each.
    assert [line for line in str(error).split("\n") if not line.startswith(f"{path}:")] == []
    # CPU time, which a loaded machine does not stretch; an expanding bomb takes far longer.
    assert elapsed < 5.0
    assert not marker.exists()
    assert guarded == []


def test_an_endless_file_is_refused_after_reading_one_mebibyte() -> None:
    """A plan path that never ends (/dev/zero) is refused as too large, not read forever."""
    started = time.process_time()
    with pytest.raises(SpecError) as caught:
        load_spec(Path("/dev/zero"))
    assert str(caught.value) == (
        "/dev/zero:1:1: the plan is larger than 1 MiB; a plan is a short text file"
    )
    assert time.process_time() - started < 5.0


@pytest.mark.parametrize(
    ("name", "reason"), [("missing.yaml", "No such file or directory"), ("", "Is a directory")]
)
def test_a_plan_that_cannot_be_read_is_the_one_error_without_a_position(
    name: str, reason: str, tmp_path: Path
) -> None:
    """Only a file that cannot be opened at all gets `<path>: ` with no line and column."""
    path = tmp_path / name
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert str(caught.value) == f"{path}: cannot read the plan: {reason}"
    assert (caught.value.line, caught.value.column) == (None, None)


def test_a_plan_just_under_the_size_limit_still_loads(tmp_path: Path) -> None:
    """A valid plan padded with comments to just under 1 MiB loads, and in seconds."""
    padding = (b"# " + b"x" * 97 + b"\n") * ((MAX_BYTES - len(AOS)) // 100)
    path = tmp_path / "padded.yaml"
    path.write_bytes(AOS + padding)
    assert MAX_BYTES - 100 < path.stat().st_size <= MAX_BYTES
    started = time.process_time()
    spec = load_spec(path)
    assert [rule.name for rule in spec.rules] == ["aos-after-s03e16", "aos-bulk"]
    assert time.process_time() - started < 5.0


def test_a_utf8_bom_and_windows_line_ends_are_fine(tmp_path: Path) -> None:
    """A plan saved by Notepad (BOM, CRLF) means the same as the original."""
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + AOS.replace(b"\n", b"\r\n"))
    assert load_spec(path) == load_spec(next(p for p in PLANS if p.name == "aos-cleanup.yaml"))


# -- through the command line ------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_emulator() -> Iterator[tuple[dict[str, str], Callable[[], int]]]:
    """An emulator for `plan`: the environment pointing at it and its request count."""
    with sandboxes() as started:
        server = started.start()
        env = account_env(server, issue_token(server))
        yield env, lambda: server.stats.requests


@pytest.fixture(scope="module")
def cli_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the command-line sample writes its plan files."""
    return tmp_path_factory.mktemp("cli-fuzz")


CLI_SAMPLE = 30


@settings(
    max_examples=CLI_SAMPLE,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_invalid_plans_through_the_cli_exit_1_with_one_line_and_no_request(
    data: st.DataObject,
    fuzzing: ModuleType,
    cli_emulator: tuple[dict[str, str], Callable[[], int]],
    cli_workdir: Path,
) -> None:
    """`validate` and `plan` of a broken plan: exit 1, the located error alone, nothing sent."""
    plan = data.draw(st.sampled_from(PLANS), label="plan")
    mutate = data.draw(st.sampled_from([fuzzing.byte_mutations, fuzzing.line_mutations]))
    path = cli_workdir / plan.name
    path.write_bytes(data.draw(mutate(plan.read_bytes()), label="content"))
    try:
        load_spec(path)
    except SpecError as error:
        expected = f"Error: {error}\n"
    else:
        assume(False)
    env, requests = cli_emulator
    before = requests()

    with fuzzing.no_network() as attempts:
        validated = invoke("validate", str(path), env=env)
    planned = invoke("plan", str(path), "-o", str(cli_workdir / "out.json"), env=env)

    for run in (validated, planned):
        assert run.exit_code == 1
        assert run.stdout == ""
        assert run.stderr == expected
        assert "Traceback" not in run.stderr
    assert attempts == []
    assert requests() == before
    assert not (cli_workdir / "out.json").exists()
