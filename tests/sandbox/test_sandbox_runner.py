"""The pieces the CLI's --sandbox flag uses, the socket-less transport, and import hygiene."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest

from tests.support.cli import clean_environ, run_python
from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SandboxServer, SandboxState, demo_state
from trakt_plan.sandbox.runner import ensure_sandbox_token, open_sandbox, reset, start_serving


def test_open_sandbox_keeps_the_account_between_runs(tmp_path, knobs, headers):
    """A play removed in one --sandbox run is still gone in the next one."""
    state_path = tmp_path / "sandbox" / "state.json"
    token_path = tmp_path / "sandbox" / "token.json"
    server = open_sandbox(state_path, knobs=knobs())
    try:
        ensure_sandbox_token(server, token_path)
        token = json.loads(token_path.read_text())["access_token"]
        with httpx.Client(
            base_url=server.base_url, headers=headers(token), trust_env=False
        ) as client:
            assert (
                client.post("/sync/history/remove", json={"ids": [10000000027]}).status_code == 200
            )
    finally:
        server.stop()
    assert token_path.stat().st_mode & 0o777 == 0o600
    again = open_sandbox(state_path, knobs=knobs())
    try:
        ensure_sandbox_token(again, token_path)
        assert json.loads(token_path.read_text())["access_token"] == token
        assert len(again.state.history()) == 547
    finally:
        again.stop()


def test_reset_restores_the_demo_data_and_forgets_the_token(tmp_path):
    """After a reset the state file holds the demo account again and the token file is gone."""
    state_path = tmp_path / "state.json"
    token_path = tmp_path / "token.json"
    changed = demo_state()
    changed.add_user("extra")
    changed.save(state_path)
    token_path.write_text("{}")
    reset(state_path, token_path)
    assert not token_path.exists()
    assert set(SandboxState.load(state_path).users) == {"sandbox-user"}


def test_mock_transport_serves_the_same_emulator_without_a_socket(headers):
    """An httpx client on the mock transport reads the demo history like a socket client."""
    server = SandboxServer()
    token = server.state.issue_token()["access_token"]
    with httpx.Client(
        transport=server.mock_transport(), base_url="https://api.sandbox.test"
    ) as client:
        response = client.get("/sync/history", params={"limit": 2}, headers=headers(token))
        assert [item["id"] for item in response.json()] == [10000000492, 10000000491]
        assert response.headers["X-Pagination-Item-Count"] == "548"
        code = client.post(
            "/oauth/device/code",
            json={"client_id": SANDBOX_CLIENT_ID},
            headers={"User-Agent": "t/1"},
        ).json()
        assert code["verification_url"] == "https://api.sandbox.test/activate"


def test_mock_transport_turns_a_drop_into_a_protocol_error(headers):
    """A drop through the mock transport raises httpx.RemoteProtocolError after committing."""
    server = SandboxServer()
    server.knobs.drop_rate = 1.0
    token = server.state.issue_token()["access_token"]
    with (
        httpx.Client(
            transport=server.mock_transport(), base_url="https://api.sandbox.test"
        ) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.post("/sync/history/remove", json={"ids": [10000000027]}, headers=headers(token))
    assert len(server.state.history()) == 547


def test_handle_answers_a_request_with_no_user_agent_at_all():
    """The handler function itself blocks a request that has no User-Agent header."""
    status, reply_headers, body = SandboxServer().handle("GET", "/sync/history", "", {}, b"")
    assert status == 403
    assert reply_headers["Server"] == "cloudflare"
    assert b"Cloudflare" in body


def test_base_url_needs_a_started_server():
    """Asking an unstarted server for its URL is a clear error, not a wrong port."""
    with pytest.raises(RuntimeError, match="start"):
        _ = SandboxServer().base_url


def test_importing_the_sandbox_does_not_import_httpx():
    """The sandbox package and its runner load without httpx, checked in a fresh interpreter."""
    code = (
        "import sys, trakt_plan.sandbox, trakt_plan.sandbox.runner; print('httpx' in sys.modules)"
    )
    result = run_python(["-c", code])
    assert result.stdout.strip() == "False"


def test_serve_accepts_and_prints_the_client_id_it_was_given(headers):
    """With a tool's built-in app id, the emulator accepts that id (and no other) and says so."""
    said: list[str] = []
    server = start_serving(None, client_id="tools-app-id", client_secret="s3cret", say=said.append)
    try:
        assert "Client id tools-app-id, client secret the one you gave." in said
        with httpx.Client(base_url=server.base_url, trust_env=False) as client:
            accepted = client.get(
                "/shows/1388", headers=headers(**{"trakt-api-key": "tools-app-id"})
            )
            refused = client.get("/shows/1388", headers=headers())
        assert (accepted.status_code, refused.status_code) == (200, 403)
    finally:
        server.stop()


def test_sandbox_serve_command_honours_client_id(tmp_path, headers):
    """`trakt-plan sandbox serve --client-id X` prints X and serves requests carrying X."""
    env = clean_environ({"TRAKT_PLAN_CONFIG_DIR": str(tmp_path), "NO_COLOR": "1"})
    command = [sys.executable, "-m", "trakt_plan", "sandbox", "serve", "--client-id", "tools-id"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        assert "Client id tools-id," in lines[1]
        base_url = re.search(r"listening on (\S+)", lines[0]).group(1)
        sent = headers(**{"trakt-api-key": "tools-id"})
        with httpx.Client(base_url=base_url, headers=sent, trust_env=False) as client:
            assert client.get("/shows/breaking-bad").json()["title"] == "Breaking Bad"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
