"""Reading the watch history: the demo facts, filters, order and pagination headers."""

from __future__ import annotations

from collections import Counter

from trakt_plan.sandbox import generate_state

AOS = 1394


def test_demo_history_is_newest_first_with_the_bulk_mark_in_one_second(api):
    """The demo account's 95 plays of 2025 come newest first, 26 bulk-marked ones in one second."""
    params = {"limit": 250, "start_at": "2025-01-01T00:00:00Z", "end_at": "2025-12-31T23:59:59Z"}
    items = api.get("/sync/history", params=params).json()
    assert len(items) == 95
    keys = [(item["watched_at"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)
    bulk = [item for item in items if item["watched_at"] == "2025-11-17T01:02:03.000Z"]
    assert len(bulk) == 26
    assert {item["action"] for item in bulk} == {"watch"}
    assert items[0]["id"] == 10000000027
    assert items[0]["episode"]["ids"]["trakt"] == 139400316


def test_demo_user_facts_match_the_contract(sandbox):
    """The demo user's plays carry the documented ids, actions and shows."""
    plays = {item["id"]: item for item in sandbox.state.history()}
    aos_real = [plays[9_000_000_001 + i] for i in range(55)]
    assert [p["action"] for p in aos_real] == ["scrobble"] * 55
    assert aos_real[0]["episode"]["season"] == 1 and aos_real[-1]["episode"]["number"] == 11
    assert "2025-06-01" <= aos_real[0]["watched_at"] < aos_real[-1]["watched_at"] < "2025-11-17"
    bulk = [plays[10_000_000_000 + i]["episode"] for i in range(22)]
    assert (bulk[0]["season"], bulk[0]["number"]) == (6, 2)
    assert (bulk[-1]["season"], bulk[-1]["number"]) == (7, 10)
    assert plays[10_000_000_024]["watched_at"] == "2025-11-18T21:15:00.000Z"
    assert plays[10_000_000_038]["movie"]["title"] == "The Dark Knight"
    assert plays[10_000_000_038]["action"] == "checkin"
    assert plays[10_000_000_039]["show"]["title"] == "Game of Thrones"
    assert sandbox.state.default_user == "sandbox-user"


def test_settings_name_the_demo_user_and_timezone(api):
    """/users/settings says who the token belongs to and the New York timezone."""
    body = api.get("/users/settings").json()
    assert body["user"]["username"] == "sandbox-user"
    assert body["user"]["name"] == "Sandbox User"
    assert body["user"]["vip"] is False
    assert body["user"]["ids"]["slug"] == "sandbox-user"
    assert body["account"]["timezone"] == "America/New_York"
    assert {"connections", "sharing_text", "limits"} <= set(body)


def test_show_history_gives_episode_plays_of_that_show_only(api):
    """/sync/history/shows/1394 lists the 83 plays of Agents of S.H.I.E.L.D., typed 'episode'."""
    items = api.get(f"/sync/history/shows/{AOS}", params={"limit": 250}).json()
    assert len(items) == 55 + 22 + 6
    assert {item["type"] for item in items} == {"episode"}
    assert {item["show"]["ids"]["trakt"] for item in items} == {AOS}


def test_movie_episode_and_season_filters(api):
    """Filtering by movie, episode and season id finds the duplicated movie and the rewatch."""
    tron = api.get("/sync/history/movies/12601").json()
    assert [item["id"] for item in tron] == [10000000035, 10000000034]
    rewatch = api.get("/sync/history/episodes/139400313").json()
    assert [item["id"] for item in rewatch] == [10000000024, 10000000023]
    season_six = api.get(f"/sync/history/seasons/{AOS * 1000 + 6}").json()
    assert len(season_six) == 12
    movies = api.get("/sync/history/movies").json()
    counts = Counter(item["movie"]["ids"]["trakt"] for item in movies)
    assert counts == {12601: 2, 120: 1, 553187: 2, 556112: 1}


def test_valid_item_without_plays_is_an_empty_list_and_unknown_item_is_404(api):
    """The Office has no plays ([]); a show id the catalog lacks is a 404."""
    empty = api.get("/sync/history/shows/1402")
    assert empty.status_code == 200
    assert empty.json() == []
    assert api.get("/sync/history/shows/999999").status_code == 404


def test_start_and_end_bounds_are_inclusive(api):
    """start_at and end_at equal to a play's time both keep that play."""
    window = {"start_at": "2025-11-17T01:02:03.000Z", "end_at": "2025-11-17T18:03:06.000Z"}
    items = api.get("/sync/history", params={**window, "limit": 250}).json()
    assert len(items) == 27
    assert items[0]["id"] == 10000000022
    only = api.get(
        "/sync/history/movies",
        params={"start_at": "2025-09-12T23:10:00Z", "end_at": "2025-09-12T23:10:00Z"},
    ).json()
    assert [item["id"] for item in only] == [10000000035]


def test_bad_start_at_is_a_bad_request(api):
    """A start_at that is not a date gets 400."""
    assert api.get("/sync/history", params={"start_at": "yesterday"}).status_code == 400


def test_users_history_works_by_slug_without_token_and_me_needs_one(sandbox, api, anonymous):
    """The public profile's history reads without a token; /users/me needs one."""
    public = anonymous.get("/users/sandbox-user/history/episodes", params={"limit": 5})
    assert public.status_code == 200
    assert len(public.json()) == 5
    assert anonymous.get("/users/me/history").status_code == 401
    mine = api.get("/users/me/history/movies/12601").json()
    assert [item["id"] for item in mine] == [10000000035, 10000000034]
    assert anonymous.get("/users/nobody/history").status_code == 404


def test_default_page_is_100_and_headers_describe_the_paging(start_sandbox, open_client, headers):
    """Without a limit a page holds 100 plays, and the four headers give page, limit and counts."""
    server = start_sandbox(generate_state(620, seed=2))
    client = open_client(server, headers(server.state.issue_token()["access_token"]))
    response = client.get("/sync/history")
    assert len(response.json()) == 100
    assert response.headers["X-Pagination-Page"] == "1"
    assert response.headers["X-Pagination-Limit"] == "100"
    assert response.headers["X-Pagination-Page-Count"] == "7"
    assert response.headers["X-Pagination-Item-Count"] == "620"


def test_limit_is_clamped_to_250_and_a_page_past_the_end_is_empty(
    start_sandbox, open_client, headers
):
    """limit=1000 is cut to 250 (not refused); page 4 of 620 plays is [] with the headers."""
    server = start_sandbox(generate_state(620, seed=2))
    client = open_client(server, headers(server.state.issue_token()["access_token"]))
    response = client.get("/sync/history", params={"limit": 1000})
    assert response.status_code == 200
    assert len(response.json()) == 250
    assert response.headers["X-Pagination-Limit"] == "250"
    assert response.headers["X-Pagination-Page-Count"] == "3"
    last = client.get("/sync/history", params={"limit": 250, "page": 3})
    assert len(last.json()) == 120
    past = client.get("/sync/history", params={"limit": 250, "page": 4})
    assert past.json() == []
    assert past.headers["X-Pagination-Page"] == "4"
    assert past.headers["X-Pagination-Item-Count"] == "620"


def test_extended_full_adds_media_details_to_history(api):
    """extended=full is accepted and gives full show objects."""
    item = api.get("/sync/history", params={"limit": 1, "extended": "full"}).json()[0]
    assert item["show"]["network"] == "NBC"
    assert (item["episode"]["runtime"], item["episode"]["first_aired"][:10]) == (22, "2003-01-24")
