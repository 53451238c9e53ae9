"""Removing and adding plays, the write rate limit and the activity stamps that move."""

from __future__ import annotations

import json
import time


def _ids(client, path="/sync/history", **params):
    ids: list[int] = []
    for page in range(1, 10):
        items = client.get(path, params={"limit": 250, "page": page, **params}).json()
        ids += [item["id"] for item in items]
        if len(items) < 250:
            return ids
    raise AssertionError("more than 9 pages")


def test_remove_by_ids_deletes_exactly_those_plays(api):
    """Removing two play ids deletes those two plays and nothing else."""
    response = api.post("/sync/history/remove", json={"ids": [10000000023, 10000000034]})
    assert response.status_code == 200
    body = response.json()
    assert body["deleted"] == {"movies": 1, "episodes": 1}
    assert body["not_found"]["ids"] == []
    remaining = _ids(api)
    assert len(remaining) == 546
    assert 10000000023 not in remaining and 10000000024 in remaining


def test_unknown_and_other_users_ids_come_back_in_not_found(sandbox, api):
    """Ids that do not exist or belong to another user are listed in not_found.ids, untouched."""
    sandbox.state.add_user("neighbour")
    (theirs,) = sandbox.state.add_plays(
        "neighbour",
        [{"type": "movie", "trakt_id": 120, "watched_at": "2025-01-01T00:00:00.000Z"}],
    )
    response = api.post("/sync/history/remove", json={"ids": [10000000027, 42, theirs]})
    body = response.json()
    assert body["deleted"] == {"movies": 0, "episodes": 1}
    assert body["not_found"]["ids"] == [42, theirs]
    assert set(body["not_found"]) == {
        "movies", "shows", "seasons", "episodes", "ids", "people", "users",
    }  # fmt: skip
    assert len(sandbox.state.history("neighbour")) == 1


def test_remove_by_media_objects_deletes_every_play_of_them(api):
    """Removing a movie, an episode and a show by trakt id deletes all their plays."""
    response = api.post(
        "/sync/history/remove",
        json={
            "movies": [{"ids": {"trakt": 12601}}, {"ids": {"trakt": 31337}}],
            "episodes": [{"ids": {"trakt": 139400313}}],
            "shows": [{"ids": {"slug": "marvel-s-agents-of-s-h-i-e-l-d-slingshot"}}],
        },
    )
    body = response.json()
    assert body["deleted"] == {"movies": 2, "episodes": 4}
    assert body["not_found"]["movies"] == [{"ids": {"trakt": 31337}}]
    assert _ids(api, "/sync/history/movies/12601") == []


def test_remove_by_season_and_show_seasons(api):
    """A season id removes that season's plays; a show with seasons/episodes only those."""
    response = api.post(
        "/sync/history/remove",
        json={
            "seasons": [{"ids": {"trakt": 1394007}}],
            "shows": [
                {"ids": {"trakt": 1388}, "seasons": [{"number": 5, "episodes": [{"number": 2}]}]}
            ],
        },
    )
    assert response.json()["deleted"] == {"movies": 0, "episodes": 11}
    assert len(_ids(api, "/sync/history/shows/1388")) == 5


def test_adds_never_deduplicate_and_get_new_higher_ids(sandbox, api):
    """Adding the same episode and time twice makes two new 'watch' plays with fresh ids."""
    play = {"ids": {"trakt": 139400313}, "watched_at": "2025-11-18T19:40:54.000Z"}
    for _ in range(2):
        response = api.post("/sync/history", json={"episodes": [play]})
        assert response.status_code == 201
        assert response.json()["added"] == {"movies": 0, "episodes": 1}
        assert response.json()["updated"] == {"movies": 0, "episodes": 0}
        time.sleep(sandbox.knobs.write_interval)
    items = api.get("/sync/history/episodes/139400313").json()
    assert len(items) == 4
    new = [item for item in items if item["id"] > 10000000039]
    assert len(new) == 2
    assert {item["action"] for item in new} == {"watch"}
    assert {item["watched_at"] for item in new} == {"2025-11-18T19:40:54.000Z"}


def test_add_accepts_released_missing_times_shows_and_reports_unknown_items(sandbox, api):
    """'released' means the air date, no time means now, unknown ids are echoed back."""
    before = time.time()
    response = api.post(
        "/sync/history",
        json={
            "movies": [{"ids": {"imdb": "tt0848228"}}, {"ids": {"trakt": 4242}}],
            "episodes": [{"ids": {"trakt": 139000101}, "watched_at": "released"}],
            "shows": [{"ids": {"trakt": 1402}, "seasons": [{"number": 1}]}],
        },
    )
    body = response.json()
    assert body["added"] == {"movies": 1, "episodes": 7}
    assert body["not_found"]["movies"] == [{"ids": {"trakt": 4242}}]
    pilot = api.get("/sync/history/episodes/139000101").json()
    assert pilot[-1]["watched_at"] == "2011-04-18T01:00:00.000Z"
    avengers = api.get("/sync/history/movies/14701").json()
    assert avengers[0]["watched_at"] >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(before - 1))


def test_history_add_and_remove_move_last_activities_forward(sandbox, api):
    """Each add or remove moves all and the matching watched_at strictly later."""
    first = api.get("/sync/last_activities").json()
    assert {"all", "movies", "episodes", "shows", "seasons", "comments", "lists"} <= set(first)
    assert {"watched_at", "collected_at", "rated_at", "paused_at"} <= set(first["movies"])
    api.post("/sync/history/remove", json={"ids": [10000000035]})
    second = api.get("/sync/last_activities").json()
    assert second["all"] > first["all"]
    assert second["movies"]["watched_at"] > first["movies"]["watched_at"]
    assert second["episodes"]["watched_at"] == first["episodes"]["watched_at"]
    time.sleep(sandbox.knobs.write_interval)
    api.post("/sync/history", json={"episodes": [{"ids": {"trakt": 139400316}}]})
    third = api.get("/sync/last_activities").json()
    assert third["all"] > second["all"]
    assert third["episodes"]["watched_at"] > second["episodes"]["watched_at"]


def test_a_remove_that_matches_nothing_leaves_last_activities_alone(api):
    """Removing only unknown ids is a 200 with zero counts and no activity change."""
    first = api.get("/sync/last_activities").json()
    body = api.post("/sync/history/remove", json={"ids": [1, 2]}).json()
    assert body["deleted"] == {"movies": 0, "episodes": 0}
    assert api.get("/sync/last_activities").json() == first


def test_second_write_within_the_interval_is_rate_limited(
    start_sandbox, open_client, headers, knobs, emulator_clock
):
    """Two removes in a row: the second gets 429 with Retry-After and an X-Ratelimit header."""
    server = start_sandbox(knobs=knobs(write_interval=0.5))
    client = open_client(server, headers(server.state.issue_token()["access_token"]))
    assert client.post("/sync/history/remove", json={"ids": [10000000027]}).status_code == 200
    limited = client.post("/sync/history/remove", json={"ids": [10000000026]})
    assert limited.status_code == 429
    wait = float(limited.headers["Retry-After"])
    assert wait == 0.5
    assert "." in limited.headers["Retry-After"]
    info = json.loads(limited.headers["X-Ratelimit"])
    assert info["name"] == "AUTHED_API_POST_LIMIT"
    assert (info["limit"], info["remaining"]) == (1, 0)
    assert info["until"].endswith("Z")
    assert 10000000026 in _ids(client)
    emulator_clock.advance(wait)
    assert client.post("/sync/history/remove", json={"ids": [10000000026]}).status_code == 200
    assert server.stats.rate_limited == 1


def test_retry_after_is_whole_seconds_for_long_waits(
    start_sandbox, open_client, headers, knobs, emulator_clock
):
    """With a 3 s write interval the Retry-After is an integer number of seconds."""
    server = start_sandbox(knobs=knobs(write_interval=3.0))
    client = open_client(server, headers(server.state.issue_token()["access_token"]))
    client.post("/sync/history/remove", json={"ids": [1]})
    emulator_clock.advance(0.25)
    limited = client.post("/sync/history/remove", json={"ids": [1]})
    assert limited.headers["Retry-After"] == "3"


def test_write_limit_is_per_user(start_sandbox, open_client, headers, emulator_clock):
    """Two users writing at the same moment are not limited by each other."""
    server = start_sandbox()
    server.knobs.write_interval = 5.0
    server.state.add_user("second-user")
    first = open_client(server, headers(server.state.issue_token()["access_token"]))
    second = open_client(server, headers(server.state.issue_token("second-user")["access_token"]))
    assert first.post("/sync/history/remove", json={"ids": [1]}).status_code == 200
    assert second.post("/sync/history/remove", json={"ids": [1]}).status_code == 200
    assert first.post("/sync/history/remove", json={"ids": [1]}).status_code == 429


def test_get_limit_applies_per_user_and_per_app(
    start_sandbox, open_client, headers, knobs, emulator_clock
):
    """Over the GET window a user gets AUTHED_API_GET_LIMIT, an anonymous app UNAUTHED_..."""
    server = start_sandbox(knobs=knobs(get_limit=(3, 60.0)))
    authed = open_client(server, headers(server.state.issue_token()["access_token"]))
    statuses = [authed.get("/sync/history", params={"limit": 1}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = authed.get("/users/settings")
    assert json.loads(limited.headers["X-Ratelimit"])["name"] == "AUTHED_API_GET_LIMIT"
    assert limited.headers["Retry-After"] == "60"
    anonymous = open_client(server, headers())
    statuses = [anonymous.get("/shows/1394").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    header = anonymous.get("/movies/120").headers["X-Ratelimit"]
    assert json.loads(header)["name"] == "UNAUTHED_API_GET_LIMIT"
