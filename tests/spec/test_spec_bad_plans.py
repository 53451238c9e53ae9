"""The bad-plan corpus: every invalid plan is refused at the right line, column and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from trakt_plan.errors import SpecError
from trakt_plan.spec.load import load_spec

# file stem -> (line, column, key path, a fragment of the message)
EXPECTED: dict[str, tuple[int, int, str, str]] = {
    "after-on-movie": (6, 14, "rules[0].drop.after", "after only applies to episode plays"),
    "after-on-protected-movie": (6, 19, "protect[0].when.after", "scope is movie: tt0111161"),
    "alias-bomb": (1, 45, "x-e[0][2][0][6][7]", "repeat more than 10,000 values"),
    "all-false-drop": (5, 11, "rules[0].drop", "write `drop: {all: true}`"),
    "all-not-boolean": (5, 17, "rules[0].drop.all", "all must be true or false, got 'yes'"),
    "bad-action": (6, 26, "rules[0].drop.action[1]", "got 'watched'; did you mean 'watch'?"),
    "bad-date": (6, 21, "rules[0].drop.watched_from", "must be a date like 2025-11-17"),
    "bad-duration": (6, 33, "rules[0].drop.burst.within", "a duration like 90s, 2m, 1h or 2d"),
    "bad-episode-code": (6, 14, "rules[0].drop.after", "an episode code like S03E16"),
    "bad-history": (4, 14, "rules[0].history", "all, episodes or movies, got 'everything'"),
    "bad-history-ids": (6, 34, "rules[0].drop.history_ids[1]", "got '10000000020'"),
    "bad-int-tag": (1, 10, "version", "'one' is not a valid !!int"),
    "bad-merge": (3, 9, "rules[0]", "a merge key (<<) takes a mapping"),
    "bad-rule-name": (3, 11, "rules[0].name", "got 'my cleanup'"),
    "bad-seasons": (6, 20, "rules[0].drop.seasons[1]", "season numbers like [6, 7]"),
    "bad-timezone": (6, 50, "rules[0].drop.repeats.timezone", "did you mean 'Europe/Paris'?"),
    "blank-drop": (5, 5, "rules[0].drop", "drop has no conditions"),
    "blank-unless": (6, 5, "rules[0].unless", "unless has no conditions"),
    "burst-missing-within": (6, 14, "rules[0].drop.burst.within", "burst needs within:"),
    "burst-not-a-mapping": (6, 14, "rules[0].drop.burst", "burst must be a mapping"),
    "condition-beside-drop": (5, 5, "rules[0].after", "conditions go under drop:"),
    "custom-tag": (4, 11, "rules[0].show", "the tag !secret is not allowed"),
    "datetime-without-zone": (5, 19, "rules[0].watched_from", "must say which time zone"),
    "deep-nesting": (2, 39, "", "nested more than 32 levels deep"),
    "duplicate-key": (7, 5, "rules[0].drop", "duplicate key 'drop' (first given on line 5)"),
    "duplicate-rule-names": (6, 11, "rules[1].name", "two rules are named 'cleanup'"),
    "empty-drop": (5, 11, "rules[0].drop", "would remove every play in scope"),
    "empty-file": (1, 1, "", "the plan is empty"),
    "empty-rules": (2, 8, "rules", "a plan needs at least one rule"),
    "empty-unless": (6, 13, "rules[0].unless", "unless has no conditions"),
    "empty-when": (8, 11, "protect[0].when", "when has no conditions"),
    "episode-number-zero": (6, 15, "rules[0].drop.before", "episode numbers start at 1"),
    "impossible-date": (6, 21, "rules[0].drop.watched_from", "2025-02-30 is not a calendar date"),
    "max-deletions-negative": (2, 16, "max_deletions", "a whole number >= 0, got -1"),
    "missing-drop": (3, 5, "rules[0].drop", "this rule has no drop:"),
    "missing-name": (3, 5, "rules[0].name", "this rule has no name"),
    "missing-rules": (1, 1, "rules", "the plan has no rules"),
    "missing-version": (1, 1, "version", "add `version: 1` at the top"),
    "multiple-documents": (4, 1, "", "one YAML document, but found a second one"),
    "no-scope": (3, 5, "rules[0]", "needs a scope: one of show:, movie: or history:"),
    "non-text-key": (6, 7, "rules[0].drop", "keys must be names"),
    "not-a-mapping": (1, 1, "", "a plan must be a mapping"),
    "protect-not-a-list": (5, 3, "protect", "protect must be a list"),
    "python-tag": (4, 11, "rules[0].show", "the tag !!python/object/apply:os.system"),
    "repeats-typo": (6, 16, "rules[0].drop.repeats", "did you mean 'keep_first'?"),
    "reversed-range": (6, 26, "rules[0].drop.episodes[1]", "write S06E02-S06E05"),
    "reversed-seasons": (6, 16, "rules[0].drop.seasons", "the season range 7-6 runs backwards"),
    "rules-not-a-list": (3, 3, "rules", "rules must be a list of rules"),
    "same-timestamp-one": (9, 23, "rules[1].drop.same_timestamp", "a whole number >= 2, got 1"),
    "same-timestamp-text": (6, 23, "rules[0].drop.same_timestamp", "got 'many'"),
    "scope-inside-drop": (5, 7, "rules[0].drop.show", "show belongs to the rule itself"),
    "seasons-on-history-movies": (8, 16, "rules[0].unless.seasons", "scope is history: movies"),
    "tab-indent": (3, 1, "", "indent with spaces, not tabs"),
    "timezone-without-per": (6, 39, "rules[0].drop.repeats.timezone", "only applies with per: day"),
    "two-scopes": (5, 12, "rules[0].movie", "has both show: and movie:"),
    "undefined-alias": (5, 11, "", "undefined alias 'conditions'"),
    "unknown-condition": (6, 7, "rules[0].drop.same_timestmp", "did you mean 'same_timestamp'?"),
    "unknown-top-key": (2, 1, "rule", "unknown key 'rule' in the plan; did you mean 'rules'?"),
    "version-2": (1, 10, "version", "version 2 is not supported by trakt-plan"),
    "version-text": (1, 10, "version", "version must be the number 1, got 'one'"),
    "window-reversed": (7, 22, "rules[0].drop.watched_until", "must be later than watched_from"),
    "within-and-per": (9, 14, "rules[0].drop.repeats.per", "either within: (plays close"),
    "yaml-syntax": (6, 1, "", "flow mapping started at line 5"),
    "year-with-history": (5, 11, "rules[0].year", "year only narrows a show: or movie:"),
    "runtime-chain-one": (
        6,
        22,
        "rules[0].drop.runtime_chain",
        "plays must be a whole number >= 2",
    ),
    "runtime-chain-bad-tolerance": (
        6,
        44,
        "rules[0].drop.runtime_chain.tolerance",
        "runtime_chain tolerance must be a duration",
    ),
    "runtime-chain-missing-plays": (
        6,
        22,
        "rules[0].drop.runtime_chain.plays",
        "runtime_chain needs plays:",
    ),
    "at-release-false": (6, 19, "rules[0].drop.at_release", "leave at_release out"),
    "at-release-typo": (6, 20, "rules[0].drop.at_release.whitin", "did you mean 'within'?"),
    "flood-text": (6, 14, "rules[0].drop.flood", "flood must be a number of plays"),
    "flood-bad-timezone": (6, 37, "rules[0].drop.flood.timezone", "did you mean 'Europe/Paris'?"),
    "repeats-within-runtimes": (
        6,
        38,
        "rules[0].drop.repeats.within",
        "got 'runtimes'; did you mean 'runtime'?",
    ),
    "time-of-day-bad-hour": (6, 20, "rules[0].drop.time_of_day", "got '26:00'"),
    "history-ids-range-backwards": (6, 44, "rules[0].drop.history_ids.to", "runs backwards"),
    "repeats-prefer-watch": (6, 38, "rules[0].drop.repeats.prefer", "must be scrobble"),
    "day-starts-without-per": (6, 42, "rules[0].drop.repeats.day_starts", "only applies with per"),
    "show-list-bad-item": (4, 18, "rules[0].show[1]", "got 0"),
    "year-with-show-list": (5, 11, "rules[0].year", "year narrows one title"),
    "relative-date-in-words": (5, 19, "rules[0].watched_from", "or relative (today, yesterday"),
    "relative-date-too-far": (8, 27, "protect[0].when.watched_until", "too far back"),
}


def test_every_bad_plan_file_has_an_expectation(bad_plans_dir: Path) -> None:
    """The corpus and the table list the same plans, so no bad plan goes untested."""
    on_disk = {path.stem for path in bad_plans_dir.glob("*.yaml")}
    assert sorted(EXPECTED) == sorted(on_disk)
    assert len(on_disk) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_plan_is_refused_at_its_line_and_column(name: str, bad_plans_dir: Path) -> None:
    """A user who validates this broken plan is told the exact place and what is expected."""
    line, column, key_path, fragment = EXPECTED[name]
    path = bad_plans_dir / f"{name}.yaml"
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    error = caught.value
    assert (str(path), line, column, key_path) == (
        error.file,
        error.line,
        error.column,
        error.key_path,
    )
    assert fragment in error.reason
    assert str(error).startswith(f"{path}:{line}:{column}: {error.reason}")
    if key_path:
        assert f"(at {key_path})" in str(error)
