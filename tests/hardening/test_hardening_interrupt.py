"""Issue 5.3: Ctrl-C and a journal that cannot be written, as a user sees them from the shell.

``trakt-plan apply`` runs as a real process against an emulator on loopback. Ctrl-C
finishes the batch in flight, journals it, exits 130 and says how to resume; a second
Ctrl-C stops at once and the resume re-sends the batch. A journal that stops growing
(a full disk) stops the apply before its next request. Every resume ends with exactly
the planned plays removed.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import invoke

PLANNED = 50
BATCH = "10"
# The resumes and the disk-full runs do not depend on Trakt's pace: the same command line,
# with the client's one write a second scaled down (tests/hardening/launch_cli.py).
FAST: dict[str, Any] = {"launcher": True, "knobs": {"HARDENING_WRITE_INTERVAL": "0.01"}}


def _plan(emulator: Any, directory: Path, bulk_yaml: str) -> tuple[Path, set[int]]:
    """Plan the bulk mark with `trakt-plan plan -o`; the saved plan and its history ids."""
    directory.mkdir(exist_ok=True)
    source = directory / "bulk.yaml"
    source.write_text(bulk_yaml)
    saved = directory / "bulk.plan.json"
    run = invoke("plan", str(source), "-o", str(saved), env=emulator.env())
    assert run.exit_code == 0, run.stderr
    planned = {int(d["history_id"]) for d in json.loads(saved.read_text())["deletions"]}
    assert len(planned) == PLANNED
    return saved, planned


def _journal(saved: Path) -> Path:
    return saved.with_name(saved.name + ".journal")


def _of_type(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [record for record in records if record["type"] == kind]


def test_ctrl_c_finishes_the_batch_in_flight_exits_130_and_the_resume_is_exact(
    start_emulator: Callable[..., Any],
    make_bulk_state: Callable[[int], Any],
    bulk_yaml: str,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    journal_records: Callable[[Path], list[dict[str, Any]]],
    poll: Callable[..., None],
) -> None:
    """Ctrl-C after the first batch: exit 130, "Resume with:", a journal ending in a result."""
    emulator = start_emulator(make_bulk_state(PLANNED), write_interval=0.5)
    saved, planned = _plan(emulator, tmp_path, bulk_yaml)
    before = emulator.ids()
    journal = _journal(saved)

    # Trakt's own pace (one write a second): Ctrl-C lands while batch 2 waits its turn.
    apply = run_cli(["apply", str(saved), "--yes", "--batch-size", BATCH], emulator.env())
    poll(
        lambda: bool(_of_type(journal_records(journal), "result")),
        timeout=30,
        what="the first batch's result in the journal",
    )
    apply.send(signal.SIGINT)
    interrupted = apply.wait(timeout=30)

    assert interrupted.exit_code == 130
    assert f"Resume with: trakt-plan apply {saved}" in interrupted.stderr
    assert "Traceback" not in interrupted.stderr
    records = journal_records(journal)
    results = _of_type(records, "result")
    assert records[-1]["type"] == "result"
    assert len(_of_type(records, "intent")) == len(results) < PLANNED // int(BATCH)
    assert not _of_type(records, "complete")
    removed = {i for result in results for i in result["removed"]}
    # Exactly the journaled batches left the account, and nothing was sent after them.
    assert emulator.ids() == before - removed
    assert emulator.remove_calls() == len(results)
    assert not journal.with_name(journal.name + ".lock").exists()

    resumed = run_cli(["apply", str(saved), "--yes", "--batch-size", BATCH], emulator.env(), **FAST)
    finished = resumed.wait(timeout=60)

    assert finished.exit_code == 0, finished.stderr
    assert "resuming the apply" in finished.stderr
    assert emulator.ids() == before - planned
    complete = journal_records(journal)[-1]
    assert (complete["type"], complete["removed"], complete["already_gone"]) == (
        "complete",
        PLANNED,
        0,
    )


def test_a_second_ctrl_c_stops_at_once_and_the_resume_resends_that_batch(
    start_emulator: Callable[..., Any],
    make_bulk_state: Callable[[int], Any],
    bulk_yaml: str,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    journal_records: Callable[[Path], list[dict[str, Any]]],
    poll: Callable[..., None],
) -> None:
    """Two Ctrl-Cs while batch 2 waits for its slot: exit 130 at once; resume re-sends it."""
    emulator = start_emulator(make_bulk_state(PLANNED), write_interval=0.5)
    saved, planned = _plan(emulator, tmp_path, bulk_yaml)
    before = emulator.ids()
    journal = _journal(saved)

    apply = run_cli(["apply", str(saved), "--yes", "--batch-size", BATCH], emulator.env())
    poll(
        lambda: len(_of_type(journal_records(journal), "intent")) == 2,
        timeout=30,
        what="the second batch's intent in the journal",
    )
    # The client now sleeps out Trakt's one-second write pace before sending batch 2. Two
    # pending SIGINTs would merge into one, so the second goes only once the first has
    # reached the process (however long a busy machine takes), and a moment after that,
    # for its handler to run.
    apply.send(signal.SIGINT)
    poll(lambda: apply.delivered(signal.SIGINT), timeout=30, what="the first Ctrl-C to arrive")
    time.sleep(0.1)
    apply.send(signal.SIGINT)
    interrupted = apply.wait(timeout=30)

    assert interrupted.exit_code == 130
    assert "Resume with: trakt-plan apply" in interrupted.stderr
    assert "Traceback" not in interrupted.stderr
    records = journal_records(journal)
    assert [record["type"] for record in records] == [
        "header",
        "intent",
        "result",
        "intent",
    ]
    assert emulator.remove_calls() == 1
    assert emulator.ids() == before - set(records[2]["removed"])

    resumed = run_cli(["apply", str(saved), "--yes", "--batch-size", BATCH], emulator.env(), **FAST)
    finished = resumed.wait(timeout=60)

    assert finished.exit_code == 0, finished.stderr
    assert "re-sending batch" in finished.stderr
    assert emulator.ids() == before - planned
    complete = journal_records(journal)[-1]
    assert (complete["type"], complete["removed"], complete["already_gone"]) == (
        "complete",
        PLANNED,
        0,
    )


def test_ctrl_c_while_planning_exits_130_without_a_traceback_or_a_plan_file(
    start_emulator: Callable[..., Any],
    tmp_path: Path,
    run_cli: Callable[..., Any],
    poll: Callable[..., None],
) -> None:
    """Ctrl-C in the middle of a long history read: exit 130, no traceback, nothing saved."""
    from trakt_plan.sandbox import generate_state

    emulator = start_emulator(generate_state(20_000, seed=3), latency=0.05, get_limit=None)
    source = tmp_path / "all.yaml"
    source.write_text(
        "version: 1\nrules:\n  - name: bulk\n    history: all\n    drop:\n      same_timestamp: 5\n"
    )
    saved = tmp_path / "all.plan.json"

    plan = run_cli(["plan", str(source), "-o", str(saved)], emulator.env())
    poll(
        lambda: emulator.server.stats.requests >= 8,
        timeout=30,
        what="the history read to get going",
    )
    plan.send(signal.SIGINT)
    interrupted = plan.wait(timeout=30)

    stopped_at = emulator.server.stats.requests
    assert interrupted.exit_code == 130
    assert "Interrupted." in interrupted.stderr
    assert "Traceback" not in interrupted.stderr
    assert interrupted.stdout == ""
    assert not saved.exists()
    # The read stops with the process: far fewer than the 81 pages of 20,000 plays.
    assert stopped_at < 81


# -- a journal that cannot be written ----------------------------------------------------


def _record_ends(journal: Path) -> list[int]:
    """The byte offset where each line of a complete journal ends."""
    data = journal.read_bytes()
    ends, at = [], 0
    for line in data.split(b"\n")[:-1]:
        at += len(line) + 1
        ends.append(at)
    return ends


@pytest.mark.parametrize(
    ("cut", "index", "sent"),
    [("intent", 3, 1), ("result", 4, 2)],
    ids=["disk-full-in-batch-2-intent", "disk-full-in-batch-2-result"],
)
def test_a_journal_that_cannot_grow_stops_before_the_next_request_and_resume_is_exact(
    cut: str,
    index: int,
    sent: int,
    start_emulator: Callable[..., Any],
    make_bulk_state: Callable[[int], Any],
    bulk_yaml: str,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    journal_records: Callable[[Path], list[dict[str, Any]]],
) -> None:
    """The disk fills up halfway through a record of batch 2: exit 1, no batch 3, exact resume."""
    apply_args = ["--yes", "--batch-size", BATCH]
    # Where the records of this apply end, from an identical account applied in full.
    baseline = start_emulator(make_bulk_state(PLANNED), write_interval=0.005)
    baseline_plan, _ = _plan(baseline, tmp_path / "baseline", bulk_yaml)
    done = run_cli(["apply", str(baseline_plan), *apply_args], baseline.env(), **FAST).wait()
    assert done.exit_code == 0, done.stderr
    ends = _record_ends(_journal(baseline_plan))
    limit = (ends[index - 1] + ends[index]) // 2

    emulator = start_emulator(make_bulk_state(PLANNED), write_interval=0.005)
    saved, planned = _plan(emulator, tmp_path / "trial", bulk_yaml)
    before = emulator.ids()
    journal = _journal(saved)
    # RLIMIT_FSIZE: the journal cannot grow past `limit`, as on a full disk. (A real ENOSPC
    # needs a tiny filesystem, so root or a user namespace: not something CI can count on.)
    full_disk = {**FAST["knobs"], "HARDENING_FILE_SIZE_LIMIT": str(limit)}

    failed = run_cli(
        ["apply", str(saved), *apply_args], emulator.env(), launcher=True, knobs=full_disk
    ).wait()

    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"Error: cannot write the journal {journal}: ")
    assert "run the same command again to resume" in failed.stderr
    assert failed.stderr.count("\n") == 1
    assert "Traceback" not in failed.stderr
    # Nothing was sent after the record that could not be written.
    assert emulator.remove_calls() == sent
    records = journal_records(journal)
    assert [record["type"] for record in records] == ["header", "intent", "result", "intent"][
        :index
    ]
    assert journal.stat().st_size == limit  # the torn half-record the next run cuts off
    sent_ids = {i for record in _of_type(records, "intent") for i in record["ids"]}
    assert emulator.ids() == before - sent_ids

    resumed = run_cli(["apply", str(saved), *apply_args], emulator.env(), **FAST).wait()

    assert resumed.exit_code == 0, resumed.stderr
    assert ("re-sending batch 2" in resumed.stderr) == (cut == "result")
    assert emulator.ids() == before - planned
    complete = journal_records(journal)[-1]
    assert (complete["type"], complete["removed"], complete["already_gone"]) == (
        "complete",
        PLANNED,
        0,
    )
