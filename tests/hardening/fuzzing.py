"""The plan-loader fuzzer shared by the hardening tests and ``benchmarks/run.py``.

Three campaigns, all driven by hypothesis with ``derandomize=True`` (the same cases on
every run, so a failure in CI replays on a laptop):

* byte mutations of every example plan in ``plans/``: bytes inserted, deleted, replaced
  or repeated, including invalid UTF-8, NUL, BOMs and YAML punctuation;
* line mutations of the same files: lines repeated, dropped, swapped, moved, re-indented,
  given another value, or joined by a hostile line (anchors, tags, directives);
* generated plans: plan-shaped documents, mostly valid, some subtly not, in block or flow
  style.

Each case is written to a file and read with :func:`trakt_plan.spec.load.load_spec`, as
``trakt-plan validate`` does. :func:`check_case` holds the loader's whole contract: a
``PlanSpec``, or a ``SpecError`` whose text is ``<path>:<line>:<col>: <one line>`` with
the position inside the file; never another exception, never a slow case, never a socket.

This module is not a test file: the hardening conftest and the benchmark load it by path.
"""

from __future__ import annotations

import io
import re
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from trakt_plan.errors import SpecError
from trakt_plan.spec.load import load_spec
from trakt_plan.spec.model import PlanSpec

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_PLANS = tuple(sorted((REPO / "plans").glob("*.yaml")))

# The slowest legitimate load is a few milliseconds; a case this slow is a hang in the making.
SLOW_CASE_SECONDS = 2.0

# Cases per campaign in one CI run: 5 plans x (280 + 280) + 200 generated = 3,000.
BYTE_CASES_PER_PLAN = 280
LINE_CASES_PER_PLAN = 280
GENERATED_CASES = 200

_LOCATED = re.compile(r"(?P<line>\d+):(?P<column>\d+): (?P<message>\S.*)\Z", re.DOTALL)

# Bytes that break text and YAML in interesting ways: invalid or odd UTF-8, control
# characters YAML refuses, line breaks YAML 1.1 knows and JSON does not, and punctuation.
HOSTILE_BYTES: tuple[bytes, ...] = (
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xc0\xaf",  # an overlong encoding of '/'
    b"\x00",
    b"\x07",
    b"\x1b[31m",
    b"\t",
    b"\r",
    b"\r\n",
    b"\xc2\x85",  # NEL
    b"\xe2\x80\xa8",  # LINE SEPARATOR
    b"\xef\xbb\xbf",  # a BOM in the middle
    b"\xef\xbf\xbe",  # U+FFFE, a non-character
    b"\n",
    b" ",
    b":",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!",
    b"!!",
    b"!!python/object/apply:os.system ",
    b"!!binary ",
    b"#",
    b'"',
    b"'",
    b"\\",
    b"|",
    b">",
    b"%",
    b"@",
    b"`",
    b"? ",
    b"<<: ",
    b"---\n",
    b"...\n",
    b"~",
    b"0x",
    b"1e999",
    b"-0",
    b"S03E16",
    b"2025-13-45",
)

# Whole lines a person (or an attacker) might add to a plan.
HOSTILE_LINES: tuple[str, ...] = (
    "x-base: &base {show: 1394}\n",
    "  - <<: *base\n",
    "    <<: *nowhere\n",
    "x-list: &l [&x a, *x, *x, *x]\n",
    "    drop: !!python/object/apply:os.system [echo owned]\n",
    "    show: !!python/name:os.system\n",
    "description: !!binary aGVsbG8=\n",
    "    seasons: !!set {1, 2}\n",
    "    episodes: !custom [S01E01]\n",
    "    after: !<tag:yaml.org,2002:python/object/new:os.system> [x]\n",
    "%YAML 1.1\n",
    "%TAG !e! tag:example.com,2000:\n",
    "---\n",
    "...\n",
    "? [a, b]\n",
    ": c\n",
    "\tshow: 1394\n",
    "rules: []\n",
    "version: 2\n",
    "max_deletions: -1\n",
    "  - name: extra\n",
    "    history: all\n",
    "    drop: {}\n",
    "    drop: {all: true}\n",
    "    same_timestamp: 1\n",
    "      burst: {plays: 3, within: 2m}\n",
    "      repeats: {keep: first, per: day, timezone: Mars/Olympus}\n",
    "      watched_from: 2025-02-30\n",
    "      history_ids: [1, 1, -1]\n",
    "protect:\n",
    "  - {show: 1394, when: {seasons: [3]}}\n",
    "# a comment\n",
    "\n",
    "'\n",
    '"\n',
    "[\n",
    "{\n",
)

# Values a mutation puts after a key's colon.
HOSTILE_VALUES: tuple[str, ...] = (
    "",
    "~",
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    ".inf",
    "1e999",
    "0x1F",
    "12345678901234567890123456789",
    "S03E16",
    "s3e16",
    "S00E00",
    "S06E05-S06E02",
    "6-7",
    "[6, 7]",
    "[]",
    "{}",
    "2m",
    "0s",
    "-2m",
    "2025-11-17",
    "2025-02-30",
    "2025-11-17T01:02:03",
    "2025-11-17T01:02:03+25:00",
    "keep_first",
    "keep_middle",
    "watch",
    "[watch, sleep]",
    "all",
    "everything",
    "Mars/Olympus",
    "https://trakt.tv/shows/breaking-bad",
    "imdb:tt2364582",
    "tvdb:",
    "&a 5",
    "*a",
    "*undefined",
    "!!python/object/apply:os.system [id]",
    "!!float 1",
    "!!int x",
    "!!timestamp 2025-11-17",
    "|\n  text",
    "'unterminated",
    '"\\x00"',
    '"\\ud800"',
    "a: b: c",
    "- x",
)


# -- running one case ------------------------------------------------------------------


@dataclass
class Tally:
    """What a campaign saw: cases by outcome, and the slowest case."""

    valid: int = 0
    errors: int = 0
    slowest: float = 0.0
    # Per campaign name: cases run.
    by_campaign: Counter[str] = field(default_factory=Counter)

    @property
    def cases(self) -> int:
        return self.valid + self.errors

    def add(self, other: Tally) -> None:
        self.valid += other.valid
        self.errors += other.errors
        self.slowest = max(self.slowest, other.slowest)
        self.by_campaign.update(other.by_campaign)


def check_case(path: Path, data: bytes) -> PlanSpec | SpecError:
    """Write ``data`` to ``path``, load it, and check the loader's contract on the outcome.

    Returns the spec or the error; raises ``AssertionError`` when the contract is broken
    (any other exception from the loader propagates as it is: that is a crash).
    """
    path.write_bytes(data)
    # CPU time: a loaded machine stretches wall time, not the work a case costs.
    started = time.process_time()
    try:
        spec = load_spec(path)
    except SpecError as error:
        elapsed = time.process_time() - started
        check_error(path, data, error)
        outcome: PlanSpec | SpecError = error
    else:
        elapsed = time.process_time() - started
        assert isinstance(spec, PlanSpec), f"load_spec returned {type(spec).__name__}"
        outcome = spec
    assert elapsed < SLOW_CASE_SECONDS, f"loading took {elapsed:.2f} s"
    return outcome


def check_error(path: Path, data: bytes, error: SpecError) -> None:
    """A SpecError reads ``<path>:<line>:<col>: <message>``, inside the file; with several
    problems, each further one is a line of the same form."""
    text, *more = str(error).split("\n")
    for extra in more:
        position = _LOCATED.match(extra, len(f"{path}:")) if extra.startswith(f"{path}:") else None
        assert position is not None, f"a further problem without its place: {extra!r}"
    prefix = f"{path}:"
    assert text.startswith(prefix), f"no file name in front of the error: {text!r}"
    located = _LOCATED.match(text, len(prefix))
    assert located is not None, f"no line:col after the file name: {text!r}"
    line, column = int(located["line"]), int(located["column"])
    assert (error.file, error.line, error.column) == (str(path), line, column), text
    # A position one past the last line is where "end of file" problems point.
    lines = data.count(b"\n") + data.count(b"\r") + data.count(b"\x85") + 1
    assert 1 <= line <= lines + 1, f"line {line} of a {lines}-line file: {text!r}"
    assert column >= 1, text
    assert "\r" not in str(error), f"a message spans lines: {text!r}"
    assert "Traceback" not in text, text


# -- mutations ---------------------------------------------------------------------------


def _splice(data: bytes, at: int, cut: int, insert: bytes) -> bytes:
    at = at % (len(data) + 1)
    return data[:at] + insert + data[at + cut :]


def _byte_op(data_length: int) -> st.SearchStrategy[Callable[[bytes], bytes]]:
    positions = st.integers(min_value=0, max_value=max(data_length, 1))
    payloads = st.sampled_from(HOSTILE_BYTES) | st.binary(min_size=1, max_size=6)
    insert = st.builds(lambda at, b: lambda d: _splice(d, at, 0, b), positions, payloads)
    delete = st.builds(
        lambda at, n: lambda d: _splice(d, at, n, b""),
        positions,
        st.integers(min_value=1, max_value=12),
    )
    replace = st.builds(
        lambda at, n, b: lambda d: _splice(d, at, n, b),
        positions,
        st.integers(min_value=1, max_value=4),
        payloads,
    )
    repeat = st.builds(
        lambda at, n: lambda d: _splice(d, at, 0, d[at % (len(d) + 1) :][:n]),
        positions,
        st.integers(min_value=1, max_value=80),
    )
    return st.one_of(insert, delete, replace, repeat)


def byte_mutations(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with one to four byte-level edits."""

    def apply(ops: Sequence[Callable[[bytes], bytes]]) -> bytes:
        result = data
        for op in ops:
            result = op(result)
        return result

    return st.lists(_byte_op(len(data)), min_size=1, max_size=4).map(apply)


def _indent(line: str, delta: int) -> str:
    if delta == 0:
        return "\t" + line
    if delta > 0:
        return " " * delta + line
    stripped = line.lstrip(" ")
    kept = max(0, len(line) - len(stripped) + delta)
    return " " * kept + stripped


def _set_value(line: str, value: str) -> str:
    key, colon, _ = line.partition(":")
    if not colon:
        return line.rstrip("\n") + f" {value}\n"
    return f"{key}: {value}\n"


def _line_op(count: int) -> st.SearchStrategy[Callable[[list[str]], None]]:
    index = st.integers(min_value=0, max_value=max(count - 1, 0))

    def at(lines: list[str], i: int) -> int:
        return i % len(lines) if lines else 0

    def repeat(i: int) -> Callable[[list[str]], None]:
        def op(lines: list[str]) -> None:
            if lines:
                lines.insert(at(lines, i), lines[at(lines, i)])

        return op

    def drop(i: int) -> Callable[[list[str]], None]:
        def op(lines: list[str]) -> None:
            if lines:
                del lines[at(lines, i)]

        return op

    def swap(i: int, j: int) -> Callable[[list[str]], None]:
        def op(lines: list[str]) -> None:
            if lines:
                a, b = at(lines, i), at(lines, j)
                lines[a], lines[b] = lines[b], lines[a]

        return op

    def move(i: int, j: int) -> Callable[[list[str]], None]:
        def op(lines: list[str]) -> None:
            if lines:
                lines.insert(at(lines, j), lines.pop(at(lines, i)))

        return op

    def indent(i: int, delta: int) -> Callable[[list[str]], None]:
        def op(lines: list[str]) -> None:
            if lines:
                lines[at(lines, i)] = _indent(lines[at(lines, i)], delta)

        return op

    def value(i: int, text: str) -> Callable[[list[str]], None]:
        def op(lines: list[str]) -> None:
            if lines:
                lines[at(lines, i)] = _set_value(lines[at(lines, i)], text)

        return op

    def add(i: int, text: str) -> Callable[[list[str]], None]:
        return lambda lines: lines.insert(at(lines, i), text)

    return st.one_of(
        st.builds(repeat, index),
        st.builds(drop, index),
        st.builds(swap, index, index),
        st.builds(move, index, index),
        st.builds(indent, index, st.sampled_from([-4, -2, -1, 0, 1, 2, 4])),
        st.builds(value, index, st.sampled_from(HOSTILE_VALUES)),
        st.builds(add, index, st.sampled_from(HOSTILE_LINES)),
    )


def line_mutations(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` (UTF-8 text) with one to three line-level edits."""
    original = data.decode("utf-8").splitlines(keepends=True)

    def apply(ops: Sequence[Callable[[list[str]], None]]) -> bytes:
        lines = list(original)
        for op in ops:
            op(lines)
        return "".join(lines).encode("utf-8", "surrogatepass")

    return st.lists(_line_op(len(original)), min_size=1, max_size=3).map(apply)


# -- generated plans ---------------------------------------------------------------------

# Valid values for each condition; a generated plan breaks at most one thing on purpose.
_VALID: dict[str, st.SearchStrategy[Any]] = {
    "after": st.sampled_from(["S03E16", "s3e16", "S01E01"]),
    "before": st.sampled_from(["S02E01", "s7e10"]),
    "seasons": st.sampled_from([[6, 7], "6-7", [0], [1]]),
    "episodes": st.lists(
        st.sampled_from(["S03E13", "S06E02-S06E05", "s1e1"]), min_size=1, max_size=3
    ),
    "watched_from": st.sampled_from(["2025-11-17", "2025-11-17T01:02:03Z"]),
    "watched_until": st.sampled_from(["2025-12-01", "2025-12-01T00:00:00+02:00"]),
    "action": st.sampled_from(["watch", ["watch", "checkin"], "scrobble"]),
    "same_timestamp": st.integers(min_value=2, max_value=30),
    "burst": st.fixed_dictionaries(
        {"plays": st.integers(min_value=2, max_value=20), "within": st.sampled_from(["0s", "2m"])}
    ),
    "repeats": st.sampled_from(
        [
            "keep_first",
            "keep_last",
            {"keep": "first", "within": "30m"},
            {"keep": "last", "per": "day"},
            {"keep": "first", "per": "day", "timezone": "Europe/Paris"},
        ]
    ),
    "history_ids": st.lists(
        st.integers(min_value=1, max_value=2**62), min_size=1, max_size=4, unique=True
    ),
}
# Conditions that only make sense for episodes (refused on a movie scope).
_EPISODE_ONLY = {"after", "before", "seasons", "episodes"}
_INVALID: dict[str, st.SearchStrategy[Any]] = {
    "after": st.sampled_from(["S03E99x", "E16", 16, None, [1]]),
    "seasons": st.sampled_from(["7-6", [-1], "six", {}]),
    "watched_from": st.sampled_from(["2025-02-30", "never", "2025-11-17T25:00:00Z"]),
    "action": st.sampled_from(["binge", [], ["watch", "sleep"]]),
    "same_timestamp": st.sampled_from([0, 1, -3, "3", 2.5, True]),
    "burst": st.sampled_from([{"plays": 1, "within": "2m"}, {"plays": 3}, {"within": "-1m"}]),
    "repeats": st.sampled_from(["keep_all", {"keep": "first", "per": "week"}, {"per": "day"}]),
    "history_ids": st.sampled_from([[], [-1], ["x"], [2**64]]),
    "all": st.sampled_from([False, "yes", 1]),
    "unknown": st.sampled_from(["same_timestmp", "rule", "drop_all", "Seasons"]),
}
_SCOPES: tuple[dict[str, Any], ...] = (
    {"show": 1394},
    {"show": "1394"},
    {"show": "marvel-s-agents-of-s-h-i-e-l-d"},
    {"show": "imdb:tt2364582"},
    {"show": "https://trakt.tv/shows/breaking-bad"},
    {"show": "The Office", "year": 2005},
    {"movie": "tron-legacy-2010"},
    {"movie": 12601},
    {"history": "all"},
    {"history": "episodes"},
    {"history": "movies"},
)
_BAD_SCOPES: tuple[dict[str, Any], ...] = (
    {"history": "some"},
    {"show": 1394, "history": "all"},
    {},
    {"show": None},
    {"movie": "tron-legacy-2010", "year": "2010s"},
)
_NAMES = ("bulk", "aos-after-s03e16", "a.b_c", "r2", "double-scrobbles")
_BAD_NAMES = ("two words", "", "x" * 200, "é", None)


@st.composite
def _conditions(draw: st.DrawFn, *, movie: bool) -> dict[str, Any]:
    keys = sorted(key for key in _VALID if not (movie and key in _EPISODE_ONLY))
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    return {key: draw(_VALID[key]) for key in chosen}


@st.composite
def _rules(draw: st.DrawFn) -> dict[str, Any]:
    scope = dict(draw(st.sampled_from(_SCOPES)))
    movie = "movie" in scope or scope.get("history") == "movies"
    rule: dict[str, Any] = {"name": draw(st.sampled_from(_NAMES)), **scope}
    if draw(st.booleans()):
        rule["watched_from"] = draw(_VALID["watched_from"])
    rule["drop"] = draw(_conditions(movie=movie))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        rule["unless"] = draw(_conditions(movie=movie))
    return rule


@st.composite
def _plans(draw: st.DrawFn) -> dict[str, Any]:
    rules = draw(st.lists(_rules(), min_size=1, max_size=4))
    # Rule names are unique in a valid plan.
    for index, rule in enumerate(rules):
        rule["name"] = f"{rule['name']}-{index}"
    plan: dict[str, Any] = {"version": 1, "rules": rules}
    if draw(st.booleans()):
        plan["description"] = draw(st.text(max_size=40))
    if draw(st.booleans()):
        plan["max_deletions"] = draw(st.integers(min_value=0, max_value=100_000))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        entry = dict(draw(st.sampled_from(_SCOPES)))
        if draw(st.booleans()):
            entry["when"] = draw(_conditions(movie=True))
        plan["protect"] = [entry]
    if draw(st.integers(min_value=0, max_value=2)) == 0:
        _break(draw, plan)
    return plan


def _break(draw: st.DrawFn, plan: dict[str, Any]) -> None:
    """Make one thing wrong: a bad value, an unknown key, a missing key, a bad scope or name."""
    rule = draw(st.sampled_from(plan["rules"]))
    how = draw(st.sampled_from(["value", "scope", "name", "version", "missing", "drop"]))
    if how == "value":
        key = draw(st.sampled_from(sorted(_INVALID)))
        target = key if key != "unknown" else draw(_INVALID["unknown"])
        rule["drop"][target] = draw(_INVALID[key]) if key != "unknown" else 1
    elif how == "scope":
        for key in ("show", "movie", "history", "year"):
            rule.pop(key, None)
        rule.update(draw(st.sampled_from(_BAD_SCOPES)))
    elif how == "name":
        rule["name"] = draw(st.sampled_from(_BAD_NAMES))
    elif how == "version":
        plan["version"] = draw(st.sampled_from([2, "1", 0, None, 1.0]))
    elif how == "missing":
        del plan[draw(st.sampled_from(["version", "rules"]))]
    else:
        rule["drop"] = draw(st.sampled_from([{}, None, [], "all"]))


def generated_plans() -> st.SearchStrategy[bytes]:
    """Plan-shaped YAML documents (block or flow style), most of them valid."""

    def dump(plan: dict[str, Any], flow: bool) -> bytes:
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = flow
        stream = io.StringIO()
        yaml.dump(plan, stream)
        return stream.getvalue().encode("utf-8", "surrogatepass")

    return st.builds(dump, _plans(), st.booleans())


# -- campaigns ---------------------------------------------------------------------------


@contextmanager
def no_network() -> Iterator[list[str]]:
    """Refuse every outgoing connection while active; yields the list of attempts."""
    attempts: list[str] = []
    socket_class: Any = socket.socket
    names = ("connect", "connect_ex")
    # Put back exactly what was there: usually nothing, the methods being inherited.
    own = {name: socket_class.__dict__.get(name) for name in names}

    def refuse(self: socket.socket, address: Any) -> Any:
        attempts.append(repr(address))
        raise OSError("the plan loader must not open connections")

    for name in names:
        setattr(socket_class, name, refuse)
    try:
        yield attempts
    finally:
        for name, method in own.items():
            if method is None:
                delattr(socket_class, name)
            else:
                setattr(socket_class, name, method)


def _campaign_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # Explicit, generate, shrink: no "explain" phase, which would import libcst.
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def run_campaign(
    name: str,
    strategy: st.SearchStrategy[bytes],
    path: Path,
    examples: int,
    *,
    on_outcome: Callable[[bytes, PlanSpec | SpecError], None] | None = None,
) -> Tally:
    """Load ``examples`` cases drawn from ``strategy`` at ``path``; the tally of outcomes.

    A broken contract raises ``AssertionError`` (after hypothesis has shrunk the case).
    """
    tally = Tally()

    @_campaign_settings(examples)
    @given(strategy)
    def one(data: bytes) -> None:
        started = time.perf_counter()
        outcome = check_case(path, data)
        tally.slowest = max(tally.slowest, time.perf_counter() - started)
        if isinstance(outcome, SpecError):
            tally.errors += 1
        else:
            tally.valid += 1
        tally.by_campaign[name] += 1
        if on_outcome is not None:
            on_outcome(data, outcome)

    one()
    return tally


def run_all(work: Path, *, scale: float = 1.0) -> Tally:
    """Every campaign over every example plan (``scale`` multiplies the case counts)."""
    work.mkdir(parents=True, exist_ok=True)
    total = Tally()
    for plan in EXAMPLE_PLANS:
        data = plan.read_bytes()
        target = work / plan.name
        total.add(
            run_campaign(
                f"bytes:{plan.name}",
                byte_mutations(data),
                target,
                round(BYTE_CASES_PER_PLAN * scale),
            )
        )
        total.add(
            run_campaign(
                f"lines:{plan.name}",
                line_mutations(data),
                target,
                round(LINE_CASES_PER_PLAN * scale),
            )
        )
    total.add(
        run_campaign(
            "generated", generated_plans(), work / "generated.yaml", round(GENERATED_CASES * scale)
        )
    )
    return total
