"""A real third-party Trakt client (trakt.py from PyPI) works against the emulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from trakt import TraktClient

from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxServer

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def trakt_py(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[TraktClient]:
    """trakt.py pointed at the sandbox with its app credentials (no token yet)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = TraktClient()
    client.base_url = sandbox.base_url
    client.site_url = sandbox.base_url
    client.configuration.defaults.client(id=SANDBOX_CLIENT_ID, secret=SANDBOX_CLIENT_SECRET)
    yield client
    client.http.session.close()


def _log_in(client: TraktClient, tokens: dict[str, object]) -> None:
    client.configuration.defaults.oauth.from_response(tokens, refresh=False)


def test_trakt_py_pages_through_the_whole_history(sandbox, trakt_py):
    """trakt.py's paging (a HEAD for the counts, then GETs) reads all 548 demo plays."""
    _log_in(trakt_py, sandbox.state.issue_token())
    plays = list(trakt_py["sync/history"].get(pagination=True, per_page=25, exceptions=True))
    assert [play.id for play in plays] == [row["id"] for row in sandbox.state.history()]
    methods = [(method, target.split("?")[0]) for method, target, _ in sandbox.stats.log]
    assert methods[0] == ("HEAD", "/sync/history")
    assert methods.count(("GET", "/sync/history")) == 22


def test_trakt_py_searches_and_removes_one_play(sandbox, trakt_py):
    """trakt.py finds a show by title, then removes one play by its history id."""
    _log_in(trakt_py, sandbox.state.issue_token())
    found = trakt_py["search"].query("Breaking Bad", "show", exceptions=True)
    assert [(show.title, show.year) for show in found] == [("Breaking Bad", 2008)]
    answer = trakt_py["sync/history"].remove({"ids": [10000000027]}, exceptions=True)
    assert answer["deleted"] == {"movies": 0, "episodes": 1}
    assert 10000000027 not in [row["id"] for row in sandbox.state.history()]


def test_trakt_py_logs_in_with_a_pin(sandbox, trakt_py):
    """trakt.py's authorization-code exchange turns a PIN into tokens that read the account."""
    pin = sandbox.state.issue_authorization_code()
    tokens = trakt_py["oauth"].token_exchange(pin, OOB, exceptions=True)
    _log_in(trakt_py, tokens)
    settings = trakt_py["users/settings"].get(exceptions=True)
    assert settings["user"]["username"] == "sandbox-user"
