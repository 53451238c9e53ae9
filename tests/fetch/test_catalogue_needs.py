"""Only the facts a condition reads: runtime_chain over the whole history reads no movie.

``runtime_chain`` is per show and never matches a movie play, so a plan that only chains
reads the shows' seasons and no movie; ``at_release`` and ``repeats: {within: runtime}``
judge movies too and read them. On a 100,000-play account the difference is whether the
first plan stays under Trakt's 1,000 GETs per 5 minutes or waits for it.
"""

from __future__ import annotations

import pytest

from tests.support.cli import invoke
from tests.support.sandbox import account_env, issue_token
from trakt_plan.catalogplan import catalogue_needs
from trakt_plan.spec.load import load_spec_text


def plan_text(*drops: str, scope: str = "history: all") -> str:
    rules = "".join(
        f"  - name: r{index}\n    {scope}\n    drop: {drop}\n" for index, drop in enumerate(drops)
    )
    return f"version: 1\nrules:\n{rules}"


@pytest.mark.parametrize(
    ("drops", "kinds"),
    [
        (["{runtime_chain: 3, action: watch}"], {"episodes"}),
        (["{at_release: true}"], {"all"}),
        (["{repeats: {keep: first, within: runtime}}"], {"all"}),
        (["{runtime_chain: 3}", "{at_release: true}"], {"all"}),
    ],
)
def test_the_whole_history_reads_movies_only_for_a_condition_that_judges_them(drops, kinds):
    """history: all needs the movies' facts for at_release and within: runtime, not chains."""
    spec = load_spec_text(plan_text(*drops), "needs.yaml")

    needs, found_kinds = catalogue_needs(spec, {})

    assert (needs.shows, needs.movies, found_kinds) == (frozenset(), frozenset(), kinds)


def test_a_movies_scope_with_only_a_chain_reads_nothing():
    """history: movies with runtime_chain alone: no play can chain, so nothing is read."""
    spec = load_spec_text(plan_text("{runtime_chain: 3}", scope="history: movies"), "m.yaml")

    assert catalogue_needs(spec, {})[1] == frozenset()


def catalogue_targets(server) -> list[str]:
    return [target for _, target, _ in server.stats.log if "extended=full" in target]


def test_a_chain_plan_on_the_account_reads_the_shows_and_no_movie(sandboxes, tmp_path):
    """On the demo account a chain plan reads seasons only; within: runtime reads the movies."""
    server = sandboxes.start()
    env = account_env(server, issue_token(server))
    chains, repeats = tmp_path / "chains.yaml", tmp_path / "repeats.yaml"
    chains.write_text(plan_text("{runtime_chain: 3, action: watch}"))
    repeats.write_text(plan_text("{repeats: {keep: first, within: runtime}}"))

    chained = invoke("plan", str(chains), "--json", env=env)
    after_chains = catalogue_targets(server)
    repeated = invoke("plan", str(repeats), "--json", env=env)

    assert (chained.exit_code, repeated.exit_code) == (0, 0), chained.stderr
    assert [t for t in after_chains if t.startswith("/movies/")] == []
    assert "/shows/1394/seasons?extended=full%2Cepisodes" in after_chains
    movies_read = {t.split("?")[0] for t in catalogue_targets(server) if t.startswith("/movies/")}
    assert movies_read == {"/movies/120", "/movies/12601", "/movies/553187", "/movies/556112"}
