"""The docs' terminal transcripts, read back and replayed against the bundled demo account.

A recipe is a ``##`` or ``###`` section of a Markdown page. Its ```yaml blocks are plan files, named
by their first line (``# aos-cleanup.yaml``). Its ```console blocks are transcripts in the
usual shell form::

    $ trakt-plan plan aos-cleanup.yaml -o aos.plan.json
    ...
    Plan: remove 22 plays of 1 show (83 plays seen).

A ``$`` line is a command; the lines up to the next one are what it prints. ``...`` on a
line of its own stands for lines left out; every other run of lines must appear as it is,
in order, in what the command wrote to stdout and stderr (a terminal interleaves the two; a
test run keeps them apart, so a run may pass from one to the other). ``$ echo $?`` prints
the exit status of the command before it; without one, a command must succeed. ``> FILE``
after a command saves its stdout.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cli import Run

ELISION = "..."
_FENCE = re.compile(r"^```(\w+)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass
class Command:
    """One ``$`` line of a transcript and the output printed under it."""

    line: int
    text: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Recipe:
    """One section: its title, its plan files and its transcript commands, in order."""

    title: str
    files: dict[str, str] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)


def _section_titles(text: str) -> list[tuple[int, str]]:
    return [
        (match.start(), match.group(1).strip())
        for match in re.finditer(r"^###? (.+)$", text, re.MULTILINE)
    ]


def read_recipes(page: Path) -> list[Recipe]:
    """Every section of ``page`` that has a transcript, with its plan files."""
    text = page.read_text(encoding="utf-8")
    titles = _section_titles(text)
    recipes = {title: Recipe(title) for _, title in titles}
    for fence in _FENCE.finditer(text):
        owner = [title for start, title in titles if start < fence.start()]
        if not owner:
            continue
        recipe = recipes[owner[-1]]
        language, body = fence.group(1), fence.group(2)
        first_line = text.count("\n", 0, fence.start(2)) + 1
        if language == "yaml":
            recipe.files[body.splitlines()[0].lstrip("# ").strip()] = body
        elif language == "console":
            recipe.commands.extend(_commands(body, first_line))
    return [recipe for recipe in recipes.values() if recipe.commands]


def _commands(body: str, first_line: int) -> list[Command]:
    commands: list[Command] = []
    for number, line in enumerate(body.splitlines(), start=first_line):
        if line.startswith("$ "):
            commands.append(Command(number, line[2:].strip()))
        elif commands:
            commands[-1].expected.append(line)
    return commands


def segments(expected: Sequence[str]) -> list[list[str]]:
    """The runs of lines between ``...`` lines, blank ends trimmed, empty runs dropped."""
    found: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELISION:
            found.append([])
        else:
            found[-1].append(line.rstrip())
    trimmed = []
    for run in found:
        while run and not run[0]:
            run.pop(0)
        while run and not run[-1]:
            run.pop()
        if run:
            trimmed.append(run)
    return trimmed


def _find(lines: list[str], run: list[str], start: int) -> int | None:
    """Where ``run`` next appears as consecutive lines of ``lines``, from ``start``; or None."""
    for at in range(start, len(lines) - len(run) + 1):
        if lines[at : at + len(run)] == run:
            return at + len(run)
    return None


def _match(streams: dict[str, list[str]], cursors: dict[str, int], block: list[str]) -> bool:
    """Find ``block`` in order: each longest run of its lines in one stream, after the last."""
    while block:
        for size in range(len(block), 0, -1):
            hits = [
                (name, _find(lines, block[:size], cursors[name])) for name, lines in streams.items()
            ]
            found = [(name, end) for name, end in hits if end is not None]
            if found:
                name, end = found[0]
                cursors[name] = end
                block = block[size:]
                break
        else:
            return False
    return True


def missing(expected: Sequence[str], run: Run) -> list[str]:
    """The expected runs of lines that are not in the command's stdout and stderr, in order.

    A run may pass from one stream to the other (a table on stdout, then a message on
    stderr); within a stream its lines must be consecutive.
    """
    streams = {
        "stdout": [line.rstrip() for line in run.stdout.splitlines()],
        "stderr": [line.rstrip() for line in run.stderr.splitlines()],
    }
    cursors = dict.fromkeys(streams, 0)
    return ["\n".join(block) for block in segments(expected) if not _match(streams, cursors, block)]


@dataclass
class Shell:
    """Replays a recipe's commands in ``workdir``, ``trakt-plan`` run by ``invoke``."""

    workdir: Path
    invoke: Callable[..., Run]
    last: Run | None = None

    def run(self, command: str) -> Run:
        """One transcript command: ``trakt-plan ARGS [> FILE]`` or ``echo $?``."""
        words = shlex.split(command)
        if words == ["echo", "$?"]:
            assert self.last is not None, "`echo $?` needs a command before it"
            return Run(0, f"{self.last.exit_code}\n", "", tuple(words))
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1]
        assert words[0] == "trakt-plan", f"the docs may only run trakt-plan, not {command!r}"
        args = words[1:] if "--sandbox" in words else ["--sandbox", *words[1:]]
        self.last = self.invoke(*args)
        if target is not None:
            (self.workdir / target).write_text(self.last.stdout, encoding="utf-8")
        return self.last


def replay(recipe: Recipe, workdir: Path, page: str, invoke: Callable[..., Run]) -> list[str]:
    """Run the recipe in ``workdir`` (its plan files written there first); what differs.

    Each problem names ``page:line`` of the command, what it did not print and what it did.
    """
    for name, text in recipe.files.items():
        (workdir / name).write_text(text, encoding="utf-8")
    shell = Shell(workdir, invoke)
    problems = []
    for number, command in enumerate(recipe.commands):
        run = shell.run(command.text)
        following = recipe.commands[number + 1 : number + 2]
        status_shown = [next_command.text for next_command in following] == ["echo $?"]
        where = f"{page}:{command.line}: $ {command.text}"
        if run.exit_code != 0 and not status_shown:
            problems.append(f"{where}\nexited {run.exit_code}:\n{run.output}")
        for block in missing(command.expected, run):
            problems.append(f"{where}\ndid not print:\n{block}\nit printed:\n{run.output}")
    return problems
