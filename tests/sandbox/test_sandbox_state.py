"""The emulator's account on disk, and the synthetic accounts benchmarks use."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from trakt_plan.errors import ConfigError
from trakt_plan.sandbox import SandboxServer, SandboxState, demo_state, generate_state


def test_state_survives_a_save_and_load_round_trip(tmp_path):
    """A saved state loads back with the same plays, tokens, user and next id."""
    state = demo_state()
    token = state.issue_token()
    state.add_user("second", timezone="Europe/Paris")
    state.add_plays(
        "second", [{"type": "movie", "trakt_id": 120, "watched_at": "2025-01-02T03:04:05Z"}]
    )
    path = tmp_path / "state.json"
    state.save(path)
    loaded = SandboxState.load(path)
    assert loaded.history() == state.history()
    assert loaded.history("second") == state.history("second")
    assert loaded.token_user(token["access_token"]).profile.username == "sandbox-user"
    assert loaded.users["second"].profile.timezone == "Europe/Paris"
    assert loaded.next_history_id == state.next_history_id
    assert loaded.client_id == "sandbox-client-id"
    header = json.loads(path.read_text())
    assert (header["format"], header["version"]) == ("trakt-plan/sandbox-state", 1)


def test_loading_a_file_of_another_format_names_the_path(tmp_path):
    """A JSON file that is not a sandbox state raises ConfigError mentioning the file."""
    path = tmp_path / "plan.json"
    path.write_text('{"format": "trakt-plan/plan", "version": 1}')
    with pytest.raises(ConfigError) as caught:
        SandboxState.load(path)
    assert str(path) in str(caught.value)


def test_loading_garbage_names_the_path(tmp_path):
    """A file that is not JSON at all raises ConfigError mentioning the file."""
    path = tmp_path / "state.json"
    path.write_text("not json")
    with pytest.raises(ConfigError, match=str(path)):
        SandboxState.load(path)


def test_server_with_state_path_saves_after_each_write(tmp_path, open_client, headers, knobs):
    """With state_path, a remove is on disk before the response, and the file reloads."""
    path = tmp_path / "sandbox" / "state.json"
    server = SandboxServer(demo_state(), knobs=knobs(), state_path=path).start()
    try:
        client = open_client(server, headers(server.state.issue_token()["access_token"]))
        client.post("/sync/history/remove", json={"ids": [10000000027]})
        on_disk = SandboxState.load(path)
        assert len(on_disk.history()) == 547
    finally:
        server.stop()
    assert path.stat().st_mode & 0o777 == 0o600


def test_add_plays_returns_increasing_new_ids(sandbox):
    """Plays added by a test get ids above every existing one, in order."""
    ids = sandbox.state.add_plays(
        "sandbox-user",
        [
            {"type": "episode", "trakt_id": 139400101, "watched_at": "2026-12-01T20:00:00.000Z"},
            {
                "type": "movie",
                "trakt_id": 14701,
                "watched_at": "2026-12-02T20:00:00.000Z",
                "action": "checkin",
            },
        ],
    )
    assert ids == [10000000493, 10000000494]
    newest = sandbox.state.history()[0]
    assert (newest["id"], newest["action"], newest["movie"]["title"]) == (
        ids[1],
        "checkin",
        "The Avengers",
    )


def test_add_plays_refuses_items_outside_the_catalog(sandbox):
    """A play of an episode the catalog lacks is a ValueError, not a broken history."""
    with pytest.raises(ValueError, match="not in the sandbox catalog"):
        sandbox.state.add_plays(
            "sandbox-user",
            [{"type": "episode", "trakt_id": 1, "watched_at": "2025-01-01T00:00:00Z"}],
        )


def test_history_returns_copies(sandbox):
    """Changing what history() returned does not change the account."""
    first = sandbox.state.history()
    first[0]["show"]["title"] = "changed"
    first.clear()
    assert sandbox.state.history()[0]["show"]["title"] == "Friends"


def test_generated_account_of_100k_plays_has_unique_ids():
    """100,000 plays, every history id unique (benchmarks/ times the build)."""
    state = generate_state(100_000, seed=7)
    plays = state.users[state.default_user].plays
    assert len(plays) == 100_000
    assert len({play.id for play in plays}) == 100_000


def test_generated_account_is_deterministic_per_seed():
    """The same seed gives the same plays; another seed gives other plays."""
    first = generate_state(5_000, seed=3).history()
    assert generate_state(5_000, seed=3).history() == first
    assert generate_state(5_000, seed=4).history() != first


def test_generated_account_has_bulk_marks_and_double_scrobbles():
    """A generated account holds one-second bulk marks and repeated plays minutes apart."""
    state = generate_state(20_000, seed=1, bulk_marks=10)
    plays = state.users[state.default_user].plays
    same_second = Counter((play.watched_at, play.action) for play in plays)
    bulk = [key for key, count in same_second.items() if count >= 5 and key[1] == "watch"]
    assert len(bulk) >= 8
    by_media: dict[int, list[str]] = {}
    for play in plays:
        by_media.setdefault(play.media_id, []).append(play.watched_at)
    assert any(len(stamps) > 1 and stamps[1][:13] == stamps[0][:13] for stamps in by_media.values())
    assert all(
        state.catalog.episode(p.media_id) or p.media_id in state.catalog.movies for p in plays
    )


def test_60k_account_pages_at_250_concurrently_without_duplicates(
    start_sandbox, open_client, headers
):
    """Four concurrent page fetches of a 60,000-play account return each play exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    state = generate_state(60_000, seed=5)
    server = start_sandbox(state, knobs=None)
    clients = [open_client(server, headers(state.issue_token()["access_token"])) for _ in range(4)]
    first = clients[0].get("/sync/history", params={"limit": 250, "page": 1})
    assert first.headers["X-Pagination-Item-Count"] == "60000"
    pages = int(first.headers["X-Pagination-Page-Count"])
    assert pages == 240

    def fetch(page: int) -> list[int]:
        client = clients[page % 4]
        return [
            item["id"]
            for item in client.get("/sync/history", params={"limit": 250, "page": page}).json()
        ]

    # CPU time of the clients and the emulator together: a loaded machine stretches wall time.
    started = time.process_time()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(fetch, range(1, pages + 1)))
    elapsed = time.process_time() - started
    ids = [play_id for page in results for play_id in page]
    assert len(ids) == 60_000
    assert len(set(ids)) == 60_000
    expected = [play.id for play in reversed(state.users[state.default_user].plays)]
    assert ids == expected
    assert elapsed < 20
