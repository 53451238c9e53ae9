"""Every condition of the plan language, in each form a person may write it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from trakt_plan.errors import SpecError
from trakt_plan.spec.accidents import AtRelease, Flood, RuntimeChain
from trakt_plan.spec.conditions import Burst, Conditions, Repeats
from trakt_plan.spec.episodes import EpisodeCode, EpisodeRange
from trakt_plan.spec.model import PlanSpec

DropOf = Callable[..., Conditions]


def code(season: int, number: int) -> EpisodeCode:
    return EpisodeCode(season=season, number=number)


@pytest.mark.parametrize("text", ["S03E16", "s3e16", "S3E016", "s03E16"])
def test_after_accepts_any_case_and_padding(drop_of: DropOf, text: str) -> None:
    """A user may write the episode code in any case and padding and gets S03E16."""
    assert code(3, 16) == drop_of(f"{{after: {text}}}").after


def test_before_reads_an_episode_code(drop_of: DropOf) -> None:
    """`before: S02E01` keeps the episode to compare against."""
    assert code(2, 1) == drop_of("{before: S02E01}").before


@pytest.mark.parametrize(
    ("written", "seasons"),
    [
        ("[6, 7]", {6, 7}),
        ("6", {6}),
        ('"6-7"', {6, 7}),
        ("6-8", {6, 7, 8}),
        ('[0, "3-5"]', {0, 3, 4, 5}),
        ('"2"', {2}),
    ],
)
def test_seasons_accepts_a_list_a_number_or_a_range(
    drop_of: DropOf, written: str, seasons: set[int]
) -> None:
    """Seasons may be a list, one number, or an inclusive range in quotes."""
    assert frozenset(seasons) == drop_of(f"{{seasons: {written}}}").seasons


def test_episodes_accepts_codes_and_ranges(drop_of: DropOf) -> None:
    """`episodes:` takes single codes and inclusive ranges, in the order written."""
    episodes = drop_of("{episodes: [S03E13, s6e2-S06E05]}").episodes
    assert (
        EpisodeRange(first=code(3, 13), last=code(3, 13)),
        EpisodeRange(first=code(6, 2), last=code(6, 5)),
    ) == episodes


def test_episodes_accepts_a_single_code_without_a_list(drop_of: DropOf) -> None:
    """`episodes: S03E13` is the same as a list of one."""
    assert (EpisodeRange(first=code(3, 13), last=code(3, 13)),) == drop_of(
        "{episodes: S03E13}"
    ).episodes


def test_watched_from_date_means_midnight_utc(drop_of: DropOf) -> None:
    """A bare date starts at midnight UTC."""
    assert datetime(2025, 11, 17, tzinfo=UTC) == drop_of("{watched_from: 2025-11-17}").watched_from


def test_watched_until_with_an_offset_is_converted_to_utc(drop_of: DropOf) -> None:
    """A datetime with an offset is stored as the same instant in UTC."""
    until = drop_of("{watched_until: '2025-11-17T19:30:00+01:00'}").watched_until
    assert datetime(2025, 11, 17, 18, 30, tzinfo=UTC) == until
    assert until is not None and until.utcoffset() == timedelta(0)


def test_watched_from_accepts_a_z_suffix(drop_of: DropOf) -> None:
    """`...Z` is UTC."""
    value = drop_of("{watched_from: 2025-11-17T01:02:03Z}").watched_from
    assert datetime(2025, 11, 17, 1, 2, 3, tzinfo=UTC) == value


@pytest.mark.parametrize(
    ("written", "actions"),
    [
        ("watch", {"watch"}),
        ("[watch, checkin]", {"watch", "checkin"}),
        ("[scrobble]", {"scrobble"}),
    ],
)
def test_action_accepts_a_word_or_a_list(drop_of: DropOf, written: str, actions: set[str]) -> None:
    """`action:` takes one action or a list of them."""
    assert frozenset(actions) == drop_of(f"{{action: {written}}}").action


def test_same_timestamp_reads_the_count(drop_of: DropOf) -> None:
    """`same_timestamp: 3` keeps the threshold."""
    assert drop_of("{same_timestamp: 3}").same_timestamp == 3


def test_burst_reads_plays_and_within(drop_of: DropOf) -> None:
    """A burst has a play count and a gap."""
    assert (
        Burst(plays=10, within=timedelta(minutes=2))
        == drop_of("{burst: {plays: 10, within: 2m}}").burst
    )


def test_burst_accepts_zero_seconds(drop_of: DropOf) -> None:
    """`within: 0s` is allowed: the same instant, like same_timestamp."""
    burst = drop_of("{burst: {plays: 2, within: 0s}}").burst
    assert burst is not None and timedelta(0) == burst.within


@pytest.mark.parametrize(
    ("written", "repeats"),
    [
        ("keep_first", Repeats(keep="first")),
        ("keep_last", Repeats(keep="last")),
        ("{keep: first}", Repeats(keep="first")),
        ("{keep: first, within: 10m}", Repeats(keep="first", within=timedelta(minutes=10))),
        ("{keep: last, per: day}", Repeats(keep="last", per="day")),
        (
            "{keep: first, per: day, timezone: Europe/Paris}",
            Repeats(keep="first", per="day", timezone="Europe/Paris"),
        ),
    ],
)
def test_repeats_short_and_long_forms(drop_of: DropOf, written: str, repeats: Repeats) -> None:
    """`repeats:` is keep_first/keep_last or the long mapping, with the same meaning."""
    assert repeats == drop_of(f"{{repeats: {written}}}").repeats


@pytest.mark.parametrize(
    ("written", "ids"), [("[10000000021, 10000000020]", {10000000021, 10000000020}), ("7", {7})]
)
def test_history_ids_accepts_a_list_or_one_id(drop_of: DropOf, written: str, ids: set[int]) -> None:
    """Ids picked from `trakt-plan history` are kept as numbers."""
    assert frozenset(ids) == drop_of(f"{{history_ids: {written}}}").history_ids


def test_all_true_is_an_explicit_everything(drop_of: DropOf) -> None:
    """`drop: {all: true}` is the way to remove every play in scope."""
    conditions = drop_of("{all: true}")
    assert (conditions.all, conditions.present, conditions.is_empty) == (True, ("all",), False)


def test_all_true_beside_other_conditions_is_allowed(drop_of: DropOf) -> None:
    """`all: true` with other conditions is fine: it just holds for every play."""
    conditions = drop_of("{all: true, action: watch}")
    assert conditions.present == ("action", "all")


def test_every_condition_together_in_one_block(drop_of: DropOf) -> None:
    """One block may list every condition at once; all of them are kept."""
    conditions = drop_of(
        "{after: S01E01, before: S09E01, seasons: [1, 2], episodes: [S01E02], "
        "watched_from: 2025-01-01, watched_until: 2025-02-01, action: watch, "
        "same_timestamp: 2, burst: {plays: 2, within: 1h}, repeats: keep_first, "
        "runtime_chain: 3, at_release: true, flood: 100, history_ids: [1], "
        "time_of_day: '02:00-05:00', all: true}"
    )
    assert tuple(Conditions.model_fields) == conditions.present


@pytest.mark.parametrize(
    ("duration", "expected"),
    [("0s", 0), ("90s", 90), ("2m", 120), ("1h", 3600), ("2d", 172800), ("15 m", 900)],
)
def test_durations_are_a_number_and_a_unit(drop_of: DropOf, duration: str, expected: int) -> None:
    """Durations use s, m, h or d after a whole number."""
    burst = drop_of(f"{{burst: {{plays: 3, within: '{duration}'}}}}").burst
    assert burst is not None and timedelta(seconds=expected) == burst.within


@pytest.mark.parametrize("scope", ["movie: tt0111161", "history: movies"])
@pytest.mark.parametrize(
    "condition", ["after: S01E01", "before: S01E01", "seasons: 1", "episodes: S01E01"]
)
def test_episode_conditions_are_refused_on_movie_scopes(
    spec_error: Callable[[str], SpecError], scope: str, condition: str
) -> None:
    """Conditions about seasons and episodes make no sense for movies and are refused."""
    name = condition.split(":")[0]
    error = spec_error(f"version: 1\nrules:\n  - name: r\n    {scope}\n    drop: {{{condition}}}\n")
    assert (5, f"rules[0].drop.{name}") == (error.line, error.key_path)
    assert "only applies to episode plays" in error.reason


def test_episode_conditions_are_fine_on_history_all(drop_of: DropOf) -> None:
    """`history: all` holds episodes, so `seasons:` is allowed (it skips movie plays)."""
    assert frozenset({0}) == drop_of("{seasons: [0]}", scope="history: all").seasons


def test_a_datetime_that_is_a_whole_day_is_still_a_valid_window(drop_of: DropOf) -> None:
    """A one-second window is valid: from is inclusive, until exclusive."""
    conditions = drop_of(
        "{watched_from: '2025-11-17T01:02:03Z', watched_until: '2025-11-17T01:02:04Z'}"
    )
    assert conditions.watched_until is not None and conditions.watched_from is not None
    assert timedelta(seconds=1) == conditions.watched_until - conditions.watched_from


@pytest.mark.parametrize(
    ("drop", "fragment"),
    [
        ("{same_timestamp: true}", "same_timestamp must be a whole number >= 2, got true"),
        ("{same_timestamp: 2.5}", "got 2.5"),
        ("{burst: {plays: 1, within: 2m}}", "burst plays must be a whole number >= 2"),
        ("{burst: {plays: 3, within: 2m, gap: 1}}", "unknown key 'gap' in burst"),
        ("{repeats: {keep: middle}}", "repeats keep must be first or last"),
        ("{repeats: {keep: first, within: 0s}}", "longer than 0s"),
        ("{repeats: {keep: first, per: week}}", "repeats per must be day"),
        ("{repeats: {within: 1m}}", "repeats needs keep: first or keep: last"),
        ("{repeats: 3}", "repeats must be keep_first, keep_last or a mapping"),
        ("{history_ids: []}", "at least one history id"),
        ("{history_ids: [0]}", "history_ids must be history ids"),
        ("{action: []}", "at least one of scrobble, checkin, watch"),
        ("{seasons: []}", "at least one season"),
        ("{seasons: -1}", "between 0 (specials) and 9999"),
        ("{episodes: []}", "at least one episode code"),
        ("{episodes: [3]}", "episode codes or ranges like S06E02-S06E05, got 3"),
        ("{episodes: [S01E01-S01E02-S01E03]}", "episode codes or ranges"),
        ("{after: 316}", "after must be an episode code like S03E16, got 316"),
        ("{watched_from: 20}", "must be a date like 2025-11-17"),
        ("{burst: {plays: 3, within: 9999999999d}}", "a duration like 90s"),
        ("{burst: {plays: 3, within: 999999999d}}", "too long"),
        ("{watched_from: '0001-01-01T00:00:00+05:00'}", "out of range"),
        ("{repeats: {keep: first, per: day, timezone: ''}}", "an IANA time zone"),
        ("{repeats: {keep: first, per: day, timezone: ../../etc/passwd}}", "an IANA time zone"),
    ],
)
def test_wrong_values_are_explained(
    spec_error: Callable[[str], SpecError], drop: str, fragment: str
) -> None:
    """A wrong value under drop: is refused with a message saying what is expected."""
    error = spec_error(f"version: 1\nrules:\n  - name: r\n    show: 1394\n    drop: {drop}\n")
    assert fragment in error.reason
    assert error.line == 5


def test_conditions_model_accepts_python_values() -> None:
    """Code that builds conditions directly may pass the typed values instead of text."""
    conditions = Conditions(
        after=code(3, 16),
        episodes=(EpisodeRange(first=code(1, 1), last=code(1, 2)),),
        watched_from=datetime(2025, 11, 17, tzinfo=UTC),
        burst=Burst(plays=3, within=timedelta(minutes=2)),
        seasons=frozenset({1}),
    )
    assert conditions.present == ("after", "seasons", "episodes", "watched_from", "burst")


def test_plan_spec_validates_without_the_loader() -> None:
    """The models validate plain dicts too, e.g. a spec embedded in a saved plan."""
    spec = PlanSpec.model_validate(
        {"version": 1, "rules": [{"name": "r", "history": "all", "drop": {"action": "watch"}}]}
    )
    assert frozenset({"watch"}) == spec.rules[0].drop.action


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("{runtime_chain: 5}", Conditions(runtime_chain=RuntimeChain(plays=5))),
        (
            "{runtime_chain: {plays: 3, tolerance: 1m}}",
            Conditions(runtime_chain=RuntimeChain(plays=3, tolerance=timedelta(minutes=1))),
        ),
        ("{at_release: true}", Conditions(at_release=AtRelease())),
        ("{at_release: {within: 2h}}", Conditions(at_release=AtRelease(within=timedelta(hours=2)))),
        ("{flood: 200}", Conditions(flood=Flood(plays=200))),
        (
            "{flood: {plays: 50, timezone: Asia/Tokyo}}",
            Conditions(flood=Flood(plays=50, timezone="Asia/Tokyo")),
        ),
        (
            "{repeats: {keep: last, within: runtime}}",
            Conditions(repeats=Repeats(keep="last", within="runtime")),
        ),
    ],
)
def test_the_2026_conditions_read_their_short_and_long_forms(
    drop_of: DropOf, written: str, expected: Conditions
) -> None:
    """Each new condition's short form means its long form with the documented defaults."""
    assert expected == drop_of(written)


def test_runtime_and_release_conditions_ask_for_the_catalogue(load_plan) -> None:
    """Only rules with a runtime- or release-based condition name their scope for the catalogue."""
    spec = load_plan(
        """
        version: 1
        rules:
          - {name: a, show: 1394, drop: {same_timestamp: 3}}
          - {name: b, show: 1390, drop: {action: watch}, unless: {at_release: true}}
          - {name: c, movie: 4, drop: {repeats: {keep: first, within: runtime}}}
          - {name: d, movie: 5, drop: {repeats: {keep: first, within: 30m}}}
        protect:
          - {show: 7, when: {runtime_chain: 3}}
        """
    )
    assert [str(s) for s in spec.catalogue_scopes()] == ["show: 1390", "movie: 4", "show: 7"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('{time_of_day: "02:00-05:00"}', "02:00-05:00"),
        ('{time_of_day: "22:30-1:15"}', "22:30-01:15"),
        (
            '{time_of_day: {between: "02:00-05:00", timezone: Asia/Tokyo}}',
            "02:00-05:00 (Asia/Tokyo)",
        ),
    ],
)
def test_time_of_day_reads_a_window_that_may_wrap_midnight(
    drop_of: DropOf, written: str, expected: str
) -> None:
    """A time-of-day window reads HH:MM-HH:MM, with an optional time zone."""
    assert expected == str(drop_of(written).time_of_day)


def test_history_ids_take_an_inclusive_range(drop_of: DropOf) -> None:
    """`{from: A, to: B}` holds both ends and nothing outside them."""
    ids = drop_of("{history_ids: {from: 30000000000, to: 30000099999}}").history_ids
    inside = [i for i in (29999999999, 30000000000, 30000099999, 30000100000) if i in ids]
    assert inside == [30000000000, 30000099999]


def test_repeats_prefer_and_day_starts_read_their_forms(drop_of: DropOf) -> None:
    """`prefer: scrobble` and `day_starts: "05:00"` (with per: day) are kept as written."""
    repeats = drop_of('{repeats: {keep: first, per: day, day_starts: "05:00", prefer: scrobble}}')
    assert repeats.repeats is not None
    assert (
        repeats.repeats.prefer,
        repeats.model_dump(mode="json")["repeats"]["day_starts"],
    ) == ("scrobble", "05:00")
