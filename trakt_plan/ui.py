"""Everything a person sees: tables and summaries on stdout, messages and progress on stderr.

With ``view/text.py``, the only module that imports rich. It renders what it is
given and decides nothing: the numbers come from the planner, the saved plan or
the apply engine. Everything it prints is a ``Text`` passed through ``printable``:
text from Trakt (titles, slugs, actions) is never read as markup and never sends a
terminal escape sequence.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from trakt_plan.detect.report import DoctorReport
from trakt_plan.detect.scan import Finding
from trakt_plan.labels import play_time, plural, title_year
from trakt_plan.starter import rule_flow
from trakt_plan.trakt.models import HistoryItem, SearchResult, UserSettings
from trakt_plan.view.plan import PlanView
from trakt_plan.view.text import printable, render_text


def describe_item(item: HistoryItem, *, with_show: bool = True) -> str:
    """``Show Title S03E16`` or ``Movie Title (2010)``."""
    if item.type == "episode" and item.episode is not None:
        code = item.episode.code
        if with_show and item.show is not None:
            return f"{item.show.title} {code}"
        return code
    if item.movie is not None:
        return title_year(item.movie.title, item.movie.year)
    return item.type


def _text(value: object) -> Text:
    """Plain text (never markup) with control characters made visible."""
    return Text(printable(value))


class Ui:
    """The two consoles: ``out`` for data (stdout), ``err`` for people (stderr)."""

    def __init__(self, *, no_color: bool = False) -> None:
        no_color = no_color or bool(os.environ.get("NO_COLOR"))
        self.no_color = no_color
        # Rich's own no_color still sends bold and dim; with no colour system it sends no
        # escape at all, even where FORCE_COLOR or TTY_COMPATIBLE claim a terminal.
        colors: Literal["auto"] | None = None if no_color else "auto"
        self.out = Console(no_color=no_color, color_system=colors, highlight=False, soft_wrap=False)
        # Messages are one paragraph each: let the terminal wrap them, so a script
        # grepping stderr never meets a line break rich inserted mid-sentence.
        self.err = Console(
            stderr=True, no_color=no_color, color_system=colors, highlight=False, soft_wrap=True
        )

    # -- messages (stderr) -------------------------------------------------------

    def error(self, message: str) -> None:
        self.err.print(Text("Error: ", style="bold red") + _text(message))

    def warn(self, message: str) -> None:
        self.err.print(Text("Warning: ", style="yellow") + _text(message))

    def info(self, message: str) -> None:
        self.err.print(_text(message))

    def doctor(self, report: DoctorReport) -> None:
        """The ``doctor`` report on stdout."""
        doctor_report(self.out, report)

    def data(self, text: str) -> None:
        """Raw data on stdout (JSON): no markup, no wrapping, no colour."""
        self.out.file.write(text if text.endswith("\n") else text + "\n")
        self.out.file.flush()

    def json(self, value: object) -> None:
        """A JSON document on stdout, indented for people, in the order given."""
        self.data(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False))

    # -- read commands -----------------------------------------------------------

    def whoami(self, settings: UserSettings, *, api_base: str) -> None:
        user = settings.user
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        table.add_row("username", _text(user.username))
        if user.name:
            table.add_row("name", _text(user.name))
        table.add_row("vip", "yes" if user.vip else "no")
        table.add_row("timezone", _text(settings.account.timezone or "UTC"))
        table.add_row("api", _text(api_base))
        self.out.print(table)

    def search_results(self, results: Sequence[SearchResult]) -> None:
        if not results:
            self.info("No matches.")
            return
        table = Table(title=None, expand=False)
        table.add_column("Type")
        table.add_column("Trakt", justify="right")
        table.add_column("Year", justify="right")
        table.add_column("Title", overflow="fold")
        table.add_column("Slug", overflow="fold")
        for result in results:
            media = result.media
            if media is None:
                continue
            table.add_row(
                _text(result.type),
                _text(media.ids.trakt or ""),
                _text(media.year or ""),
                _text(media.title or ""),
                _text(media.ids.slug or ""),
            )
        self.out.print(table)

    def history(self, items: Sequence[HistoryItem], *, with_show: bool) -> None:
        if not items:
            self.info("No plays.")
            return
        table = Table()
        table.add_column("ID", justify="right", no_wrap=True)
        table.add_column("Watched at", no_wrap=True)
        table.add_column("Action")
        table.add_column("Episode" if not with_show else "What", overflow="fold")
        for item in items:
            table.add_row(
                _text(item.id),
                _text(play_time(item.watched_at)),
                _text(item.action),
                _text(describe_item(item, with_show=with_show)),
            )
        self.out.print(table)
        self.info(f"{len(items)} plays.")

    # -- plans -------------------------------------------------------------------

    def plan(self, view: PlanView) -> None:
        """The plan as text on stdout; its warnings on stderr, where people look for them."""
        self.out.print(render_text(view))
        for warning in view.warnings:
            self.warn(warning)

    # -- progress ----------------------------------------------------------------

    @contextmanager
    def pages(self, description: str) -> Iterator[PageProgress]:
        """Progress of paginated reads; callbacks may come from worker threads."""
        progress = self._progress()
        with progress:
            yield PageProgress(
                progress, progress.add_task(description, total=None), self._plain(description)
            )

    @contextmanager
    def batches(self, description: str) -> Iterator[BatchProgress]:
        """Progress of apply/undo, shown only once the engine starts sending.

        Confirmation prompts come before that and must not fight a live display.
        """
        progress = self._progress()
        try:
            yield BatchProgress(progress, description, self._plain(description))
        finally:
            progress.stop()

    def _plain(self, description: str) -> PlainLines | None:
        """Under --no-color on a terminal, progress as plain lines instead of a bar."""
        return PlainLines(self.err, description) if self.no_color and self.err.is_terminal else None

    def _progress(self) -> Progress:
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
            # A bar only where someone watches: none in logs or CI. Under --no-color a live
            # bar's cursor escapes are unwanted too: PlainLines reports instead.
            disable=self.no_color or not self.err.is_terminal,
        )


class PlainLines:
    """Progress as one line per tenth of the way (``Reading history: 3/10``), no escapes."""

    def __init__(self, console: Console, description: str) -> None:
        self._console = console
        self._description = description
        self._shown = -1
        # Page callbacks arrive from the fetch layer's worker threads.
        self._lock = threading.Lock()

    def update(self, done: int, total: int) -> None:
        with self._lock:
            if total <= 0:
                return
            tenth = min(10, done * 10 // total)
            if tenth <= self._shown:
                return
            self._shown = tenth
            self._console.print(Text(f"{self._description}: {done}/{total}"))


class PageProgress:
    """The fetch layer's ``on_page(done, total)`` callback: a bar, or plain lines."""

    def __init__(self, progress: Progress, task: TaskID, plain: PlainLines | None) -> None:
        self._progress = progress
        self._task = task
        self._plain = plain

    def __call__(self, done: int, total: int) -> None:
        if self._plain is not None:
            self._plain.update(done, total)
        else:
            self._progress.update(self._task, completed=done, total=total)


class BatchProgress:
    """Implements the apply engine's ``ApplyProgress`` protocol: a bar, or plain lines."""

    def __init__(self, progress: Progress, description: str, plain: PlainLines | None) -> None:
        self._progress = progress
        self._description = description
        self._plain = plain
        self._task: TaskID | None = None
        self._done = 0
        self._total = 0

    def start(self, total: int) -> None:
        self._total = total
        if self._plain is not None:
            self._plain.update(0, total)
            return
        self._progress.start()
        self._task = self._progress.add_task(self._description, total=total)

    def advance(self, count: int) -> None:
        self._done += count
        if self._plain is not None:
            self._plain.update(self._done, self._total)
        elif self._task is not None:
            self._progress.advance(self._task, count)

    def finish(self) -> None:
        self._progress.stop()


class RateColumn(ProgressColumn):
    """Plays (or pages) per second, blank until rich has measured a speed."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:5.1f}/s" if speed is not None else "      ")


# -- doctor ----------------------------------------------------------------------------

# One glyph per action, so the bars read without colour too.
_BAR_STYLE = {"watch": ("█", "yellow"), "scrobble": ("▓", "green"), "checkin": ("▒", "cyan")}
_BAR_WIDTH = 40
_DOCTOR_KINDS = {
    "same_second": "same second",
    "runtime_chain": "back to back",
    "at_release": "at release",
    "double_play": "double play",
    "flood": "flood",
}


def doctor_report(console: Console, report: DoctorReport) -> None:
    """The accident report: who and what, a bar per day, then each finding with its rule."""
    account = report.account
    console.print(
        Text(
            printable(f"doctor: {account.username} ({account.source}), scope {report.scope}, "),
            style="bold",
        )
        + Text(f"{report.plays} plays, days in {account.timezone} ({account.timezone_from})")
    )
    _doctor_timeline(console, report)
    if not report.findings:
        # Only the kinds looked for: without runtimes, no back-to-back mark is ruled out.
        looked_for = [name for kind, name in _DOCTOR_KINDS.items() if kind in report.checked]
        console.print(Text(f"No accidents found among the kinds checked: {', '.join(looked_for)}."))
    for number, finding in enumerate(report.findings, 1):
        _doctor_finding(console, number, finding)
    missing = [k for k in _DOCTOR_KINDS if k not in report.checked]
    if missing:
        console.print(Text(f"Not checked (no catalogue data): {', '.join(missing)}.", style="dim"))


def _doctor_timeline(console: Console, report: DoctorReport) -> None:
    busy = [day for day in report.days if day.plays]
    most = max((day.plays for day in busy), default=0)
    legend = "  ".join(f"{glyph} {action}" for action, (glyph, _) in _BAR_STYLE.items())
    console.print(
        Text(
            # The median is over the whole scope, not the days drawn: say so.
            f"Plays per day, last {len(report.days)} days ({len(busy)} with plays; the median "
            f"day with plays, over the whole history read, has {report.usual_day:g}): {legend}"
        )
    )
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_header=False)
    for day in busy:
        bar = Text()
        for action, count in day.by_action.items():
            glyph, style = _BAR_STYLE.get(action, ("·", "white"))
            width = round(count * _BAR_WIDTH / most) if most else 0
            bar.append(glyph * (width or (1 if count else 0)), style=style)
        mark = Text("◀ unusual", style="bold red") if day.unusual else Text("")
        table.add_row(day.day.isoformat(), Text(str(day.plays), justify="right"), bar, mark)
    console.print(table)


def _doctor_finding(console: Console, number: int, finding: Finding) -> None:
    kind = _DOCTOR_KINDS.get(finding.kind, finding.kind)
    count = len(finding.history_ids)
    console.print(Text(f"{number}. {kind}: ", style="bold") + _text(finding.summary))
    ids = ", ".join(str(i) for i in finding.history_ids[:8])
    more = f" and {count - 8} more" if count > 8 else ""
    console.print(Text(f"   {plural(count, 'play')} to remove: {ids}{more}"))
    console.print(Text(f"   rule: {rule_flow(finding.rule)}", style="dim"))
