"""The emulator answers what real Trakt clients send: HEAD, seasons, extended catalogue data,
whole-second Retry-After, 405 for an unknown route, and the PIN login."""

from __future__ import annotations

import re

from trakt_plan.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from trakt_plan.sandbox.app import ROUTES

OOB = "urn:ietf:wg:oauth:2.0:oob"
# One request per GET route; the test below fails when a GET route has no sample here.
GET_SAMPLES = {
    "/users/settings": "/users/settings",
    "/sync/last_activities": "/sync/last_activities",
    "/sync/history": "/sync/history?limit=25",
    "/sync/history/{type}": "/sync/history/episodes?limit=10",
    "/sync/history/{type}/{id}": "/sync/history/shows/1394?limit=10&page=2",
    "/users/{user}/history": "/users/sandbox-user/history",
    "/users/{user}/history/{type}": "/users/me/history/movies",
    "/users/{user}/history/{type}/{id}": "/users/me/history/movies/12601",
    "/search/{id_type}/{id}": "/search/imdb/tt0903747",
    "/search/{type}/exact": "/search/show/exact?query=Breaking%20Bad",
    "/search/{type}": "/search/show?query=office",
    "/shows/{id}": "/shows/breaking-bad?extended=full",
    "/shows/{id}/seasons": "/shows/1388/seasons?extended=full,episodes",
    "/shows/{id}/seasons/{season}": "/shows/1388/seasons/2?extended=full",
    "/shows/{id}/seasons/{season}/episodes/{episode}": "/shows/1388/seasons/1/episodes/1",
    "/movies/{id}": "/movies/tron-legacy-2010?extended=full",
    "/activate": "/activate",
    "/activate/{code}": "/activate/ABCD1234",
    "/oauth/authorize": f"/oauth/authorize?client_id={SANDBOX_CLIENT_ID}&response_type=code",
    "/pin/{client_id}": f"/pin/{SANDBOX_CLIENT_ID}",
}


def _without_date(headers):
    return {name: value for name, value in headers.items() if name.lower() != "date"}


def test_head_on_every_get_route_has_the_get_headers_and_no_body(api):
    """trakt.py reads a HEAD's paging headers first: each GET route answers HEAD the same way."""
    get_routes = {route.template for route in ROUTES if "GET" in route.handlers}
    assert get_routes == set(GET_SAMPLES)
    for path in GET_SAMPLES.values():
        got, head = api.get(path), api.head(path)
        assert (path, got.status_code) == (path, 200)
        assert (path, head.status_code) == (path, 200)
        assert (path, _without_date(head.headers)) == (path, _without_date(got.headers))
        assert (path, head.content) == (path, b"")


def test_head_pagination_headers_count_the_whole_history(api):
    """A HEAD of /sync/history says how many plays and pages there are, as a GET would."""
    head = api.head("/sync/history", params={"limit": 25})
    assert head.headers["X-Pagination-Item-Count"] == "548"
    assert head.headers["X-Pagination-Page-Count"] == "22"


def test_head_on_a_write_only_route_is_not_allowed(api):
    """HEAD exists only where GET does: /sync/history/remove answers 405 and names POST."""
    response = api.head("/sync/history/remove")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_retry_after_is_a_whole_second_even_for_a_short_wait(
    start_sandbox, open_client, headers, emulator_clock
):
    """At Trakt's real pace a write 429 says Retry-After: 1, never 0.87 (pytrakt int()s it)."""
    server = start_sandbox(knobs=None)
    client = open_client(server, headers(server.state.issue_token()["access_token"]))
    assert client.post("/sync/history/remove", json={"ids": [1]}).status_code == 200
    emulator_clock.advance(0.13)
    limited = client.post("/sync/history/remove", json={"ids": [1]})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"


def test_a_storm_retry_after_is_rounded_up_to_whole_seconds(start_sandbox, open_client, headers):
    """An injected 429 storm waiting 1.5 s says Retry-After: 2."""
    server = start_sandbox(knobs=None)
    server.knobs.storm_rate, server.knobs.storm_retry_after = 1.0, 1.5
    response = open_client(server, headers()).get("/shows/1388")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "2")


def test_seasons_with_episodes_carry_runtime_and_first_aired(anonymous):
    """One seasons call per show gives every episode with its runtime and air date."""
    seasons = anonymous.get("/shows/breaking-bad/seasons?extended=full,episodes").json()
    assert [season["number"] for season in seasons] == [1, 2, 3, 4, 5]
    assert [len(season["episodes"]) for season in seasons] == [7, 13, 13, 13, 16]
    pilot = seasons[0]["episodes"][0]
    assert (pilot["season"], pilot["number"], pilot["ids"]["trakt"]) == (1, 1, 138800101)
    for season in seasons:
        for episode in season["episodes"]:
            assert isinstance(episode["runtime"], int)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", episode["first_aired"])
    assert seasons[0]["first_aired"] == pilot["first_aired"]
    assert seasons[0]["episode_count"] == 7


def test_seasons_without_extended_are_numbers_and_ids_specials_first(anonymous):
    """Plain /seasons lists season 0 first, with numbers and ids only."""
    seasons = anonymous.get("/shows/1394/seasons").json()
    assert [season["number"] for season in seasons] == [0, 1, 2, 3, 4, 5, 6, 7]
    assert sorted(seasons[1]) == ["ids", "number"]


def test_one_season_is_its_episodes_and_a_missing_season_is_404(anonymous):
    """/seasons/2?extended=full is season 2's episodes; a season the show lacks is 404."""
    episodes = anonymous.get("/shows/1388/seasons/2?extended=full").json()
    assert [episode["number"] for episode in episodes] == list(range(1, 14))
    assert all(episode["runtime"] and episode["first_aired"] for episode in episodes)
    assert "runtime" not in anonymous.get("/shows/1388/seasons/2").json()[0]
    assert anonymous.get("/shows/1388/seasons/9").status_code == 404
    assert anonymous.get("/shows/no-such-show/seasons").status_code == 404


def test_show_and_movie_summaries_carry_runtime_and_release_with_extended_full(anonymous):
    """extended=full adds a show's runtime, and a movie's runtime and release date."""
    show = anonymous.get("/shows/breaking-bad?extended=full").json()
    movie = anonymous.get("/movies/tron-legacy-2010?extended=full").json()
    assert show["runtime"] == 47
    assert (movie["runtime"], movie["released"]) == (125, "2010-12-10")
    assert "runtime" not in anonymous.get("/movies/tron-legacy-2010").json()


def test_unknown_route_is_405_while_a_missing_record_is_404(api):
    """A route Trakt does not have is 405; a known route naming no record is 404."""
    assert api.get("/sync/nothing-here").status_code == 405
    assert api.get("/shows/no-such-show").status_code == 404
    assert api.get("/sync/history/episodes/1").status_code == 404


def _exchange(auth, code):
    return auth.post(
        "/oauth/token",
        json={
            "code": code,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "redirect_uri": OOB,
            "grant_type": "authorization_code",
        },
    )


def test_pin_login_gives_a_working_token_once(sandbox, open_client, headers):
    """The PIN page's code exchanges for tokens that read the account; a second use is 400."""
    browser = open_client(sandbox, {"User-Agent": "browser/1"})
    assert "Authorize for sandbox-user" in browser.get(f"/pin/{SANDBOX_CLIENT_ID}").text
    page = browser.post("/oauth/authorize", data={"client_id": SANDBOX_CLIENT_ID}).text
    pin = re.search(r"Your PIN is (\w+)", page).group(1)
    auth = open_client(sandbox, {"User-Agent": headers()["User-Agent"]})
    tokens = _exchange(auth, pin)
    assert tokens.status_code == 200
    reader = open_client(sandbox, headers(tokens.json()["access_token"]))
    assert reader.get("/users/settings").json()["user"]["username"] == "sandbox-user"
    again = _exchange(auth, pin)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_an_unknown_pin_or_app_is_refused(sandbox, open_client, headers):
    """A made-up PIN is 400 invalid_grant; the PIN page of another app is 404."""
    auth = open_client(sandbox, {"User-Agent": headers()["User-Agent"]})
    assert _exchange(auth, "DEADBEEF").json()["error"] == "invalid_grant"
    assert auth.get("/pin/someone-elses-app").status_code == 404
