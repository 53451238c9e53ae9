"""Read commands as a user runs them: whoami, search, history, on the sandbox and by script."""

from __future__ import annotations

import json
import math

import pytest

from tests.support.sandbox import account_env, issue_token
from trakt_plan.sandbox import generate_state

SHOW_REFERENCES = [
    "1394",
    "marvel-s-agents-of-s-h-i-e-l-d",
    "https://trakt.tv/shows/marvel-s-agents-of-s-h-i-e-l-d",
    "https://app.trakt.tv/shows/marvel-s-agents-of-s-h-i-e-l-d/seasons/3",
    "imdb:tt2364582",
    "tvdb:263365",
    "tmdb:1403",
    "Marvel's Agents of S.H.I.E.L.D.",
]


def test_whoami_on_the_sandbox_names_the_demo_account(cli):
    """A new user can see whose history the sandbox holds without any account."""
    run = cli("whoami", "--sandbox")
    assert run.exit_code == 0, run.stderr
    assert "sandbox-user" in run.stdout


def test_whoami_json_is_data_only(cli):
    """`whoami --json` prints one JSON object on stdout and nothing else."""
    run = cli("--sandbox", "whoami", "--json")
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["username"] == "sandbox-user"
    assert data["timezone"] == "America/New_York"


def test_search_by_title_lists_the_show_and_its_lookalike(cli):
    """Searching a title shows both the show and the spin-off whose title contains it."""
    run = cli("--sandbox", "search", "Agents of S.H.I.E.L.D.", "--type", "show", "--json")
    assert run.exit_code == 0, run.stderr
    ids = {item["ids"]["trakt"] for item in json.loads(run.stdout)}
    assert {1394, 110000} <= ids


@pytest.mark.parametrize("reference", SHOW_REFERENCES)
def test_search_by_every_reference_form_finds_the_show(cli, reference):
    """Every way a plan can name a show finds it through `search`."""
    run = cli("--sandbox", "search", reference, "--json")
    assert run.exit_code == 0, run.stderr
    assert 1394 in {item["ids"]["trakt"] for item in json.loads(run.stdout)}


@pytest.mark.parametrize("reference", SHOW_REFERENCES)
def test_history_by_every_reference_form_lists_the_shows_plays(cli, reference):
    """`history SCOPE --json` gives the 83 plays of show 1394 whichever way it is named."""
    run = cli("--sandbox", "history", reference, "--json")
    assert run.exit_code == 0, run.stderr
    plays = json.loads(run.stdout)
    assert len(plays) == 83
    assert {play["show"]["ids"]["trakt"] for play in plays} == {1394}


def test_history_of_a_movie_by_imdb_id(cli):
    """A movie is found by its imdb id and both plays of the duplicated movie are listed."""
    run = cli("--sandbox", "history", "imdb:tt1104001", "--type", "movie", "--json")
    assert run.exit_code == 0, run.stderr
    assert sorted(play["id"] for play in json.loads(run.stdout)) == [10000000034, 10000000035]


def test_history_window_from_is_inclusive_and_until_exclusive(cli):
    """--from/--until select the plays of 17 November 2025 (UTC) only."""
    run = cli(
        "--sandbox", "history", "all", "--from", "2025-11-17", "--until", "2025-11-18", "--json"
    )
    assert run.exit_code == 0, run.stderr
    plays = json.loads(run.stdout)
    assert len(plays) == 27
    assert all(play["watched_at"].startswith("2025-11-17") for play in plays)


def test_history_table_shows_ids_times_and_episodes(cli):
    """The table for people shows the history id, the time and the episode code."""
    run = cli("--sandbox", "history", "1394", "--from", "2025-11-20")
    assert run.exit_code == 0, run.stderr
    assert "10000000027" in run.stdout
    assert "2025-11-20 10:11:12Z" in run.stdout
    assert "S03E16" in run.stdout


def test_ambiguous_title_is_one_clear_error(cli):
    """A title two shows share is refused with both candidates and no traceback."""
    run = cli("--sandbox", "history", "The Office", "--type", "show")
    assert run.exit_code == 1
    assert "1402" in run.stderr and "2279" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_bad_date_is_one_clear_error(cli):
    """A malformed --from names the value and exits 1."""
    run = cli("--sandbox", "history", "all", "--from", "the day before")
    assert run.exit_code == 1
    assert "the day before" in run.stderr


def test_without_an_app_the_user_is_told_what_to_set(cli):
    """With no client id and no --sandbox, the error says how to configure trakt-plan."""
    run = cli("whoami")
    assert run.exit_code == 1
    assert "TRAKT_CLIENT_ID" in run.stderr


def test_usage_errors_exit_1(cli):
    """An unknown option is a usage error with exit status 1, as the spec says."""
    run = cli("history", "all", "--frobnicate")
    assert run.exit_code == 1


def test_commands_run_as_a_subprocess(cli):
    """`python -m trakt_plan` works end to end as a separate process."""
    run = cli.subprocess("--sandbox", "history", "all", "--json")
    assert run.exit_code == 0, run.stderr
    assert len(json.loads(run.stdout)) == 548
    version = cli.subprocess("--version")
    assert version.exit_code == 0 and version.stdout.startswith("trakt-plan ")


def test_history_all_pages_sixty_thousand_plays_in_the_minimum_requests(cli, sandboxes):
    """60,000 plays come back complete, distinct, in at most ceil(60000/250)+1 page requests."""
    server = sandboxes.start(generate_state(60_000, seed=7), get_limit=None)
    cli.env.update(account_env(server, issue_token(server)))
    before = sum(
        count for (method, route), count in server.stats.by_route.items() if "history" in route
    )
    run = cli("history", "all", "--json")
    pages = (
        sum(count for (method, route), count in server.stats.by_route.items() if "history" in route)
        - before
    )
    assert run.exit_code == 0, run.stderr
    plays = json.loads(run.stdout)
    assert len(plays) == 60_000
    assert len({play["id"] for play in plays}) == 60_000
    assert pages <= math.ceil(60_000 / 250) + 1
