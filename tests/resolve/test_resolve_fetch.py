"""The fetch layer: which history reads a plan needs, how they merge, and snapshot files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from trakt_plan.errors import PlanFileError, ResolveError
from trakt_plan.fetch import HistoryRead, fetch_history, plan_reads
from trakt_plan.resolve import resolve_offline
from trakt_plan.snapshotfile import dump_snapshot, load_snapshot


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def reads_for(spec, history):
    return plan_reads(spec, resolve_offline(spec, history))


def test_each_show_and_movie_is_read_on_its_own(spec_of, sample_history):
    """Rules on a show and a movie read just those two items, once each."""
    spec = spec_of(
        {"name": "a", "show": 1394, "drop": {"after": "S03E16"}},
        {"name": "b", "show": "marvel-s-agents-of-s-h-i-e-l-d", "drop": {"same_timestamp": 3}},
        {"name": "c", "movie": 12601, "drop": {"repeats": "keep_first"}},
    )
    assert reads_for(spec, sample_history) == [
        HistoryRead("shows", 1394, None, None),
        HistoryRead("movies", 12601, None, None),
    ]


def test_a_rule_over_two_shows_reads_both(spec_of, sample_history):
    """`show: [1394, 1390]` reads each of the two shows, once."""
    spec = spec_of({"name": "a", "show": [1394, 1390], "drop": {"same_timestamp": 3}})
    assert reads_for(spec, sample_history) == [
        HistoryRead("shows", 1394, None, None),
        HistoryRead("shows", 1390, None, None),
    ]


def test_an_item_is_windowed_only_when_every_rule_on_it_is(spec_of, sample_history):
    """Windows on one show combine into their span; one unwindowed rule reads it all."""
    windowed = spec_of(
        {
            "name": "a",
            "show": 1394,
            "watched_from": "2025-11-17",
            "watched_until": "2025-11-18",
            "drop": {"all": True},
        },
        {"name": "b", "show": 1394, "watched_from": "2025-11-20", "drop": {"all": True}},
        {
            "name": "c",
            "show": 1390,
            "watched_from": "2025-11-01",
            "watched_until": "2025-11-02",
            "drop": {"all": True},
        },
    )
    assert reads_for(windowed, sample_history) == [
        HistoryRead("shows", 1394, utc("2025-11-17 00:00"), None),
        HistoryRead("shows", 1390, utc("2025-11-01 00:00"), utc("2025-11-02 00:00")),
    ]
    mixed = spec_of(
        {"name": "a", "show": 1394, "watched_from": "2025-11-17", "drop": {"all": True}},
        {"name": "b", "show": 1394, "drop": {"all": True}},
    )
    assert reads_for(mixed, sample_history) == [HistoryRead("shows", 1394, None, None)]


def test_a_history_rule_reads_the_whole_history_once(spec_of, sample_history):
    """Any `history: all` rule makes one whole-history read that covers the show rules."""
    spec = spec_of(
        {"name": "a", "show": 1394, "drop": {"after": "S03E16"}},
        {"name": "b", "history": "all", "drop": {"same_timestamp": 3}},
        {"name": "c", "movie": 12601, "drop": {"all": True}},
    )
    assert reads_for(spec, sample_history) == [HistoryRead(None, None, None, None)]


def test_history_kinds_and_windows_shape_the_whole_read(spec_of, sample_history):
    """Only-episode history rules read episodes, in the span of their windows."""
    spec = spec_of(
        {
            "name": "a",
            "history": "episodes",
            "watched_from": "2025-11-17",
            "watched_until": "2025-11-18",
            "drop": {"same_timestamp": 3},
        },
        {
            "name": "b",
            "history": "episodes",
            "watched_from": "2025-11-10",
            "watched_until": "2025-11-12",
            "drop": {"all": True},
        },
        # Inside the episode read's window: covered.
        {
            "name": "c",
            "show": 1394,
            "watched_from": "2025-11-17",
            "watched_until": "2025-11-18",
            "drop": {"all": True},
        },
        # Unwindowed, and a movie: both need their own reads.
        {"name": "d", "show": 1390, "drop": {"all": True}},
        {"name": "e", "movie": 12601, "drop": {"all": True}},
    )
    assert reads_for(spec, sample_history) == [
        HistoryRead("episodes", None, utc("2025-11-10 00:00"), utc("2025-11-18 00:00")),
        HistoryRead("shows", 1390, None, None),
        HistoryRead("movies", 12601, None, None),
    ]
    movies = spec_of({"name": "m", "history": "movies", "drop": {"all": True}})
    both = spec_of(
        {"name": "m", "history": "movies", "drop": {"all": True}},
        {"name": "e", "history": "episodes", "drop": {"all": True}},
    )
    assert reads_for(movies, sample_history) == [HistoryRead("movies", None, None, None)]
    assert reads_for(both, sample_history) == [HistoryRead(None, None, None, None)]


def test_protect_comparing_plays_reads_its_whole_scope(spec_of, sample_history):
    """A protect entry whose `when` compares plays needs its scope read; a plain one does not."""
    spec = spec_of(
        {"name": "a", "show": 1394, "drop": {"after": "S03E16"}},
        protect=[
            {"show": 1390, "when": {"repeats": "keep_first"}},
            {"movie": 12601, "when": {"action": "scrobble"}},
        ],
    )
    assert reads_for(spec, sample_history) == [
        HistoryRead("shows", 1394, None, None),
        HistoryRead("shows", 1390, None, None),
    ]


def test_reads_need_resolved_scopes(spec_of):
    """Planning reads for a scope nobody resolved is refused."""
    spec = spec_of({"name": "a", "show": "The Office", "drop": {"all": True}})
    with pytest.raises(ResolveError, match="not resolved"):
        plan_reads(spec, {})


def test_fetch_merges_reads_and_cuts_windows(fake_trakt, spec_of, sample_history):
    """Reads run, plays seen twice count once, and a play at watched_until is left out."""
    trakt = fake_trakt(sample_history)
    spec = spec_of(
        {
            "name": "a",
            "show": 1394,
            "watched_from": "2025-11-01T10:00:00Z",
            "watched_until": "2025-11-17T01:02:03Z",
            "drop": {"all": True},
        },
        {
            "name": "b",
            "history": "episodes",
            "watched_from": "2025-11-11",
            "watched_until": "2025-11-19",
            "drop": {"all": True},
        },
    )
    pages = []
    items = fetch_history(
        trakt, spec, resolve_offline(spec, sample_history), on_page=lambda *p: pages.append(p)
    )
    assert [item.id for item in items] == [5, 2, 4, 1]
    assert sorted(call[1:3] for call in trakt.calls) == [("episodes", None), ("shows", 1394)]
    assert pages == [(1, 1), (1, 1)]

    show_only = spec_of(spec.rules[0].model_dump(mode="json", exclude_none=True))
    alone = fetch_history(trakt, show_only, resolve_offline(show_only, sample_history))
    assert [item.id for item in alone] == [1]


def test_a_snapshot_round_trips(tmp_path, sample_history):
    """A history dumped as Trakt JSON loads back as the same plays."""
    path = tmp_path / "history.json"
    path.write_text(dump_snapshot(sample_history), encoding="utf-8")
    assert load_snapshot(path) == sample_history
    first = json.loads(path.read_text(encoding="utf-8"))[0]
    assert first["watched_at"] == "2025-11-01T10:00:00.000Z"
    assert "movie" not in first


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[{", "invalid JSON"),
        ('{"id": 1}', "expected a JSON array"),
        (
            '[{"id": 1, "watched_at": "2025-11-01T10:00:00.000Z", "action": "watch",'
            ' "type": "episode"}, {"id": "x"}]',
            "item 1 is not a Trakt history play",
        ),
    ],
    ids=["not-json", "object", "bad-item"],
)
def test_a_bad_snapshot_names_the_file(tmp_path, content, expected):
    """A snapshot that is not a list of plays raises PlanFileError naming file and item."""
    path = tmp_path / "history.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        load_snapshot(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_a_missing_snapshot_names_the_file(tmp_path):
    """Loading a snapshot that does not exist says which file."""
    with pytest.raises(PlanFileError, match="cannot read the history snapshot"):
        load_snapshot(tmp_path / "missing.json")
