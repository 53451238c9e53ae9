"""Read a plan YAML into a :class:`~trakt_plan.spec.model.PlanSpec`, or say exactly what is wrong.

ruamel.yaml only *composes* the document (a tree of nodes that remember their line
and column); this module turns the nodes into plain data itself. That keeps every
position, refuses duplicate keys and every application tag (no object is ever built
from a ``!!python/...`` tag), and bounds what anchors and aliases may expand to.
The data is then validated by the pydantic models, and each pydantic error is mapped
back to the node it came from.

Every failure, whatever the input, is a :class:`~trakt_plan.errors.SpecError` that
names the file, the 1-based line and column, and the key path
(``rules[1].drop.same_timestamp``). No network, no planning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from trakt_plan.errors import SpecError
from trakt_plan.spec.messages import EMPTY_UNLESS, EMPTY_WHEN
from trakt_plan.spec.model import PlanSpec, ProtectEntry, Rule, ScopeRef
from trakt_plan.spec.problems import (
    Fatal,
    Loc,
    Problem,
    data_loc,
    follows_from,
    key_path,
    located_error,
    missing_key,
    short,
    unknown_key,
)
from trakt_plan.spec.values import SpecIssue, describe_value

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "MAX_BYTES",
    "MAX_DEPTH",
    "ScopePlace",
    "load_spec",
    "load_spec_text",
    "scope_places",
]

# A real plan is a few kilobytes; anything near these limits is an accident or an attack.
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ALIAS_EXPANSION = 10_000

# Line 1, column 1: where a problem of the whole file is reported.
_START = (1, 1)

_CORE = "tag:yaml.org,2002:"
_MERGE_TAG = _CORE + "merge"
# Scalars whose text pydantic reads better than YAML's own typing: dates stay text so
# the model can tell a date (midnight UTC) from a time without a zone.
_TEXT_TAGS = {_CORE + "str", _CORE + "timestamp"}
_TYPED_TAGS = {_CORE + "null", _CORE + "bool", _CORE + "int", _CORE + "float"}


def load_spec(path: Path) -> PlanSpec:
    """Read and validate the plan at ``path``; raises ``SpecError`` for every problem."""
    filename = str(path)
    try:
        with Path(path).open("rb") as handle:
            # Read one byte past the limit so an oversized file is refused without reading it all.
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SpecError(f"cannot read the plan: {reason}", file=filename) from None
    if len(data) > MAX_BYTES:
        raise _too_big(filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _text_error(
            filename,
            _byte_position(data, exc.start),
            f"the plan is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        ) from None
    return _load(text, filename)


def load_spec_text(text: str, filename: str) -> PlanSpec:
    """Validate plan YAML given as text; ``filename`` is only used in messages."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_big(filename)
    return _load(text.removeprefix("\ufeff"), filename)


@dataclass(frozen=True)
class ScopePlace:
    """Where a plan names a scope: the position of its reference and the rule (or entry)."""

    line: int
    column: int
    key_path: str
    owner: str


def scope_places(path: Path, spec: PlanSpec, scope: ScopeRef) -> list[ScopePlace]:
    """Every place ``spec`` (read from ``path``) names ``scope``, in file order.

    For errors found after validation (a title Trakt does not know): they then point at the
    line as validation errors do. An unreadable or changed file gives no places.
    """
    try:
        text = Path(path).read_bytes()[:MAX_BYTES].decode("utf-8-sig")
        root = _compose(text, str(path))
        tree = _Tree(str(path))
        if root is not None:
            tree.convert(root)
    except (OSError, UnicodeDecodeError, SpecError):
        return []
    owners: list[tuple[str, int, str, Rule | ProtectEntry]]
    owners = [("rules", i, f"rule {r.name}", r) for i, r in enumerate(spec.rules)]
    owners += [("protect", i, f"protect entry {i + 1}", e) for i, e in enumerate(spec.protect)]
    places = []
    for block, index, owner, scoped in owners:
        if scope not in scoped.scopes:
            continue
        loc: Loc = (block, index, scope.kind)
        if isinstance(getattr(scoped, scope.kind), tuple):
            loc = (*loc, scoped.scopes.index(scope))
        line, column = tree.values.get(loc) or tree.values.get(loc[:2]) or (1, 1)
        places.append(ScopePlace(line, column, key_path(loc), owner))
    return places


def _text_error(filename: str, at: tuple[int, int], message: str) -> SpecError:
    """A problem of the file as text, before any key: at (line, column), with no key path."""
    line, column = at
    return located_error(filename, line, column, "", message)


def _too_big(filename: str) -> SpecError:
    return _text_error(
        filename, _START, "the plan is larger than 1 MiB; a plan is a short text file"
    )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return line, column


def _text_position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _load(text: str, filename: str) -> PlanSpec:
    root = _compose(text, filename)
    if root is None or (isinstance(root, ScalarNode) and root.tag == _CORE + "null"):
        raise _text_error(
            filename, _START, "the plan is empty; start with `version: 1` and a `rules:` list"
        )
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise _text_error(
            filename,
            _position(root),
            f"a plan must be a mapping with `version: 1` and `rules:`, got {kind}",
        )
    tree = _Tree(filename)
    data = tree.convert(root)
    # Top-level `x-...` keys are free space for YAML anchors that rules merge in (`<<: *x`).
    data = {key: value for key, value in data.items() if not key.startswith("x-")}
    problems = list(tree.problems)
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as exc:
        explained = (tree.explain(error, data) for error in exc.errors(include_url=False))
        left_out = [key_path(loc) for loc in tree.left_out]
        problems.extend(p for p in explained if not follows_from(p.key_path, left_out))
    if not problems:
        return spec
    # A blank value can be reported by both the loader and the model: count it once.
    problems = list(
        {problem.key_path: problem for problem in sorted(problems, reverse=True)}.values()
    )
    problems.sort()
    # Every problem, one line each in file order, so one run shows all there is to fix; the
    # error's own position is the first one's.
    first = problems[0]
    more = "".join(
        f"\n{filename}:{p.line}:{p.column}: {p.message}"
        + (f" (at {p.key_path})" if p.key_path else "")
        for p in problems[1:]
    )
    raise located_error(filename, first.line, first.column, first.key_path, first.message, more)


def _compose(text: str, filename: str) -> Node | None:
    """Parse into a node tree, refusing deep nesting before the recursive composer sees it."""
    yaml = YAML(typ="safe", pure=True)
    try:
        # ruamel warns about YAML 1.1 oddities; this layer reports problems, not warnings.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            depth = 0
            for event in yaml.parse(text):
                if isinstance(event, MappingStartEvent | SequenceStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        mark = event.start_mark
                        raise _text_error(
                            filename,
                            (mark.line + 1, mark.column + 1),
                            f"the plan is nested more than {MAX_DEPTH} levels deep",
                        )
                elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                    depth -= 1
            node: Node | None = yaml.compose(text)
            return node
    except MarkedYAMLError as exc:
        raise _yaml_error(filename, exc) from None
    except ReaderError as exc:
        raise _text_error(
            filename,
            _text_position(text, exc.position),
            f"the plan contains a character YAML does not allow (U+{exc.character:04X})"
            if isinstance(exc.character, int)
            else f"the plan contains a character YAML does not allow ({exc.character!r})",
        ) from None
    except SpecError:
        raise
    except (YAMLError, RecursionError, ValueError, TypeError, IndexError, AttributeError) as exc:
        # ruamel can fail in other ways on hostile input; the person still gets a message.
        raise _text_error(filename, _START, f"the plan is not valid YAML: {exc}") from None


def _yaml_error(filename: str, exc: MarkedYAMLError) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    at = (mark.line + 1, mark.column + 1) if mark is not None else _START
    problem = (exc.problem or "").strip()
    if "single document" in (exc.context or "") + problem:
        return _text_error(
            filename, at, "a plan file holds one YAML document, but found a second one"
        )
    text = f"invalid YAML: {problem}" if problem else "invalid YAML"
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        text += f" ({exc.context.strip()} started at line {exc.context_mark.line + 1})"
    if "\t" in problem or "'\\t'" in problem:
        text += "; indent with spaces, not tabs"
    return _text_error(filename, at, text)


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _show_tag(tag: str | None) -> str:
    tag = tag or "?"
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


class _Tree:
    """Converts nodes to plain data, remembering where every key and value came from."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.left_out: list[Loc] = []
        self._seen: set[int] = set()
        self._expanded = 0
        self._constructor = YAML(typ="safe", pure=True).constructor

    def convert(self, root: Node) -> Any:
        return self._value(root, (), 0)

    # ----------------------------------------------------------------- node -> data

    def _fail(self, node: Node, loc: Loc, message: str, *, fatal: bool = False) -> SpecError:
        line, column = _position(node)
        kind = Fatal if fatal else SpecError
        return located_error(self.filename, line, column, key_path(loc), message, kind=kind)

    def _keep_going(self, error: SpecError, loc: Loc | None) -> None:
        """Note ``error`` and read on, so one run reports every problem of the file.

        ``loc`` is the entry left out: what the models then say about it or about the
        mappings holding it (a rule without its refused `show:` "needs a scope") is a
        consequence, not another problem, and is not reported.
        """
        if isinstance(error, Fatal):
            raise error
        line, column = error.line or 1, error.column or 1
        self.problems.append(Problem(1, line, column, error.reason, error.key_path))
        if loc is not None:
            self.left_out.append(loc)

    def _value(self, node: Node, loc: Loc, depth: int) -> Any:
        # Only repeat visits count: they are what aliases add on top of the text itself,
        # so a long plan without aliases is never refused, and a "billion laughs" is.
        if id(node) in self._seen:
            self._expanded += 1
        self._seen.add(id(node))
        if self._expanded > MAX_ALIAS_EXPANSION:
            raise self._fail(
                node,
                loc,
                f"aliases (*x) in the plan repeat more than {MAX_ALIAS_EXPANSION:,} values; "
                "are anchors and aliases nested inside each other?",
                fatal=True,
            )
        if depth > MAX_DEPTH:
            raise self._fail(
                node, loc, f"the plan is nested more than {MAX_DEPTH} levels deep", fatal=True
            )
        self.values.setdefault(loc, _position(node))
        if isinstance(node, MappingNode):
            if node.tag != _CORE + "map":
                raise self._tag_refused(node, loc)
            return self._mapping(node, loc, depth)
        if isinstance(node, SequenceNode):
            if node.tag != _CORE + "seq":
                raise self._tag_refused(node, loc)
            return [
                self._value(item, (*loc, index), depth + 1) for index, item in enumerate(node.value)
            ]
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc)
        raise self._fail(node, loc, "unexpected YAML node")

    def _tag_refused(self, node: Node, loc: Loc) -> SpecError:
        return self._fail(
            node,
            loc,
            f"the tag {_show_tag(node.tag)} is not allowed: a plan holds plain text, "
            "numbers, lists and mappings",
        )

    def _text(self, node: ScalarNode, loc: Loc) -> str:
        text = str(node.value)
        try:
            # YAML's \uD800 escapes can produce lone surrogates, which no file or terminal
            # can hold: refuse them here rather than fail when the plan is saved or shown.
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise self._fail(
                node,
                loc,
                f"the text holds an invalid character ({text[exc.start]!r}, a lone UTF-16 "
                "surrogate); remove that escape",
            ) from None
        return text

    def _scalar(self, node: ScalarNode, loc: Loc) -> Any:
        if node.tag in _TEXT_TAGS:
            return self._text(node, loc)
        if node.tag in _TYPED_TAGS:
            try:
                return self._constructor.construct_object(node, deep=True)
            except (YAMLError, ValueError, TypeError):
                raise self._fail(
                    node, loc, f"{short(str(node.value))!r} is not a valid {_show_tag(node.tag)}"
                ) from None
        raise self._tag_refused(node, loc)

    def _key(self, node: Node, loc: Loc) -> str:
        if isinstance(node, ScalarNode) and node.tag in _TEXT_TAGS:
            return self._text(node, loc)
        shown = (
            repr(short(str(node.value))) if isinstance(node, ScalarNode) else "a list or mapping"
        )
        raise self._fail(node, loc, f"keys must be names like rules or drop, got {shown}")

    def _mapping(self, node: MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = None
            try:
                key = self._key(key_node, loc)
                if key in result:
                    first_line = self.keys[(*loc, key)][0]
                    # The first value stands; the second is reported and left out.
                    self._keep_going(
                        self._fail(
                            key_node,
                            (*loc, key),
                            f"duplicate key {short(key)!r} (first given on line {first_line})",
                        ),
                        None,
                    )
                    continue
                result[key] = self._entry(key, key_node, value_node, loc, depth)
            except SpecError as error:
                self._keep_going(error, loc if key is None else (*loc, key))
        for source in self._merge_sources(merges, loc):
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE_TAG:
                    raise self._fail(key_node, loc, "merge keys (<<) cannot be nested")
                key = self._key(key_node, loc)
                if key not in result:
                    result[key] = self._entry(key, key_node, value_node, loc, depth)
        return result

    def _entry(self, key: str, key_node: Node, value_node: Node, loc: Loc, depth: int) -> Any:
        self.keys[(*loc, key)] = _position(key_node)
        if _is_blank(value_node):
            # An empty value has no text to point at; its key is where the eye goes.
            self.values[(*loc, key)] = _position(key_node)
        value = self._value(value_node, (*loc, key), depth + 1)
        self._note_null(loc, key, key_node, value_node)
        return value

    def _merge_sources(self, merges: list[Node], loc: Loc) -> Iterator[MappingNode]:
        for merge in merges:
            items = merge.value if isinstance(merge, SequenceNode) else [merge]
            for item in items:
                if not isinstance(item, MappingNode):
                    raise self._fail(
                        item, loc, "a merge key (<<) takes a mapping or a list of them"
                    )
                yield item

    def _note_null(self, loc: Loc, key: str, key_node: Node, value_node: Node) -> None:
        # The models read None as "not given" (a saved plan writes None for that), but a
        # key written with no value is a slip: a condition left blank would silently
        # widen the rule. Only the plan's description and protect list may be blank.
        if not _is_null(value_node) or (not loc and key in ("description", "protect")):
            return
        if len(loc) == 2 and loc[0] == "rules" and key == "drop":
            return  # the model's "empty drop" message says more
        if len(loc) == 2 and loc[0] == "rules" and key == "unless":
            message = EMPTY_UNLESS
        elif len(loc) == 2 and loc[0] == "protect" and key == "when":
            message = EMPTY_WHEN
        else:
            message = f"{key} has no value; write one or remove the key"
        line, column = self.values[(*loc, key)]
        self.problems.append(Problem(1, line, column, message, key_path((*loc, key))))

    # ----------------------------------------------------------- pydantic -> problem

    def explain(self, error: Any, data: Any) -> Problem:
        """Turn one pydantic error on ``data`` into a located, human-worded problem."""
        kind = error["type"]
        issue = (error.get("ctx") or {}).get("error")
        subpath = issue.subpath if isinstance(issue, SpecIssue) else ()
        loc = data_loc((*error["loc"], *subpath), data)
        if isinstance(issue, SpecIssue):
            line, column = self._locate(loc)
            rank = 0 if loc == ("version",) else 1
            return Problem(rank, line, column, issue.message, key_path(loc))
        if kind == "extra_forbidden":
            line, column = self.keys.get(loc) or self._locate(loc)
            return Problem(1, line, column, unknown_key(loc), key_path(loc))
        if kind == "missing":
            line, column = self._locate(loc[:-1])
            return Problem(2, line, column, missing_key(loc), key_path(loc))
        line, column = self._locate(loc)
        field = next((part for part in reversed(loc) if isinstance(part, str)), "the plan")
        message = str(error.get("msg", "is invalid"))
        message = message.removeprefix("Value error, ")
        got = describe_value(error.get("input"))
        return Problem(1, line, column, f"{field}: {message}, got {got}", key_path(loc))

    def _locate(self, loc: Loc) -> tuple[int, int]:
        for end in range(len(loc), -1, -1):
            position = self.values.get(loc[:end])
            if position is not None:
                return position
        return (1, 1)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _CORE + "null"


def _is_blank(node: Node) -> bool:
    return _is_null(node) and node.value == ""
