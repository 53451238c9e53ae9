"""Planning from Trakt's export ZIP with a runtime-based rule: no login, the public catalogue.

The user has only the export and an API app's client id. The plays come from the ZIP; the
runtimes ``runtime_chain`` needs come from Trakt's public endpoints (the emulator here), read
with the app's key and no token, once: the second plan reads them from the disk cache.
"""

from __future__ import annotations

import json
import socket
import zipfile
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.cli import invoke
from tests.support.sandbox import QUICK_RETRY
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, demo_state
from trakt_plan.sandbox.app import Emulator

PLAN = REPO / "plans" / "back-to-back-marks.yaml"
# Severance's "watched until here" mark in the demo account: 13 plays back to back.
SEVERANCE_CHAIN = list(range(10000000253, 10000000266))
NOW = "2026-12-01T04:00:00Z"


def export_zip(path: Path) -> Path:
    """The demo history as Trakt's export writes it: pages of 100 rows with extra fields,
    the account's settings, and no token anywhere."""
    rows = [{**row, "rating": None, "hidden": False} for row in demo_state().history()]
    with zipfile.ZipFile(path, "w") as archive:
        for page, start in enumerate(range(0, len(rows), 100), 1):
            archive.writestr(f"watched-history-{page}.json", json.dumps(rows[start : start + 100]))
        settings = {"user": {"username": "me"}, "account": {"timezone": "America/New_York"}}
        archive.writestr("user-settings.json", json.dumps(settings))
    return path


@pytest.fixture
def received(monkeypatch) -> list[tuple[str, str, dict[str, str]]]:
    """Every request the emulators answer: (method, path with query, headers in lower case)."""
    seen: list[tuple[str, str, dict[str, str]]] = []
    answer = Emulator.handle

    def recording(self, method, path, query, headers, body, **kw):
        target = f"{path}?{query}" if query else path
        seen.append((method, target, {k.lower(): v for k, v in headers.items()}))
        return answer(self, method, path, query, headers, body, **kw)

    monkeypatch.setattr(Emulator, "handle", recording)
    return seen


def app_only(base_url: str) -> dict[str, str]:
    """An API app's client id and where Trakt is: no access token, no login."""
    return {"TRAKT_API_BASE": base_url, "TRAKT_CLIENT_ID": SANDBOX_CLIENT_ID}


def test_an_export_plan_reads_runtimes_without_a_login_then_from_the_cache(
    sandboxes, received, tmp_path
):
    """The chain is found; the seasons are read with the app key and no Authorization, once."""
    server = sandboxes.start()
    export = export_zip(tmp_path / "trakt-export.zip")
    args = ("plan", str(PLAN), "--snapshot", str(export), "--json", "--now", NOW)

    first = invoke(*args, env=app_only(server.base_url))
    first_requests = list(received)
    second = invoke(*args, env=app_only(server.base_url))

    assert (first.exit_code, second.exit_code) == (0, 0), first.stderr
    deletions = json.loads(first.stdout)["deletions"]
    assert sorted(d["history_id"] for d in deletions) == SEVERANCE_CHAIN
    assert "/shows/1394/seasons?extended=full%2Cepisodes" in [t for _, t, _ in first_requests]
    assert all("extended=full" in target for _, target, _ in first_requests)
    assert [h for _, _, h in first_requests if "authorization" in h] == []
    assert {h.get("trakt-api-key") for _, _, h in first_requests} == {SANDBOX_CLIENT_ID}
    assert received == first_requests
    assert json.loads(second.stdout)["deletions"] == deletions


def test_the_plan_from_an_export_says_so(sandboxes, tmp_path):
    """The saved plan names the export as its source and its time zone as the export's."""
    server = sandboxes.start()
    export = export_zip(tmp_path / "trakt-export.zip")

    run = invoke(
        "plan", str(PLAN), "--snapshot", str(export), "--json", env=app_only(server.base_url)
    )

    assert run.exit_code == 0, run.stderr
    saved = json.loads(run.stdout)
    assert saved["account"]["api_base"] == "export:trakt-export.zip"
    assert saved["observed"]["timezone"] == "America/New_York (the export's account settings)"


@pytest.fixture
def quick_retries(monkeypatch) -> None:
    """Retries in milliseconds, so that giving up on an unreachable Trakt takes no seconds."""
    monkeypatch.setattr("trakt_plan.trakt.client.RetryPolicy", lambda: QUICK_RETRY)


def closed_port_url() -> str:
    """A loopback URL where nothing listens: Trakt unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_an_unreachable_public_catalogue_is_one_error_naming_the_shows(quick_retries, tmp_path):
    """No cache and no answer from Trakt: exit 1, the shows named, no traceback."""
    export = export_zip(tmp_path / "trakt-export.zip")

    run = invoke("plan", str(PLAN), "--snapshot", str(export), env=app_only(closed_port_url()))

    assert run.exit_code == 1
    assert "Traceback" not in run.output
    assert run.stdout == ""
    assert "need the runtimes and air dates of" in run.stderr
    assert "Severance" in run.stderr
    assert "could not be read from Trakt's public catalogue" in run.stderr


def test_doctor_on_an_export_with_trakt_unreachable_reports_what_it_could_check(
    quick_retries, tmp_path
):
    """doctor warns, checks what needs no runtimes, and says which kinds it did not check."""
    export = export_zip(tmp_path / "trakt-export.zip")

    run = invoke(
        "doctor", "--snapshot", str(export), "--json", "--now", NOW,
        env=app_only(closed_port_url()),
    )  # fmt: skip

    assert run.exit_code == 0, run.stderr
    assert "Traceback" not in run.output
    report = json.loads(run.stdout)
    assert "runtime_chain" not in report["checked"]
    assert {"same_second", "flood"} <= {f["kind"] for f in report["findings"]}
    assert "the runtimes and air dates could not be read from Trakt" in run.stderr
    assert "Back-to-back and release-date marks are not checked" in run.stderr


def test_doctor_on_an_export_reads_the_public_catalogue_and_finds_the_2026_marks(
    sandboxes, received, tmp_path
):
    """With the app's id only, doctor checks every kind: the chain and the release marks too."""
    server = sandboxes.start()
    export = export_zip(tmp_path / "trakt-export.zip")

    run = invoke(
        "doctor", "--snapshot", str(export), "--json", "--now", NOW,
        env=app_only(server.base_url),
    )  # fmt: skip

    assert run.exit_code == 0, run.stderr
    report = json.loads(run.stdout)
    kinds = {f["kind"]: f["history_ids"] for f in report["findings"]}
    assert sorted(kinds["runtime_chain"]) == SEVERANCE_CHAIN
    assert "at_release" in kinds
    assert received != []
    assert [h for _, _, h in received if "authorization" in h] == []
