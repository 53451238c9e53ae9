"""The detector doctor and init share: the 2026 accidents found, real viewing left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trakt_plan.detect import FLOOD_PLAYS, find_accidents
from trakt_plan.detect.report import build_report
from trakt_plan.trakt.models import HistoryItem

START = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def episode_key(code: tuple[int, int], show: int = 1394) -> int:
    return show * 100_000 + code[0] * 100 + code[1]


def doctor_kinds(history, catalogue=None, timezone="UTC"):
    """(kind, ids) of what doctor reports: every finding but init's manual marks."""
    found = find_accidents(history, catalogue=catalogue, timezone=timezone)
    return [(f.kind, f.history_ids) for f in found if f.kind != "manual"]


def test_a_back_to_back_mark_is_one_runtime_chain(episode, catalogue):
    """Six watch plays each exactly 42 minutes after the previous are one back-to-back mark."""
    history = [
        episode(n, stamp(START + n * timedelta(minutes=42)), (2, n), action="watch")
        for n in range(1, 7)
    ]

    found = find_accidents(history, catalogue=catalogue())

    assert [(f.kind, f.history_ids) for f in found] == [("runtime_chain", (1, 2, 3, 4, 5, 6))]
    assert "6 plays back to back, each one episode runtime (42m)" in found[0].summary
    assert found[0].rule == {
        "name": "back-to-back-marks",
        "history": "all",
        "drop": {"runtime_chain": 3, "action": "watch"},
    }


def test_a_scrobbled_binge_a_runtime_and_a_minute_apart_is_real_viewing(episode, catalogue):
    """Scrobbles 42 min plus 1-2 minutes apart are a binge: doctor reports nothing."""
    at = START
    history = []
    for n in range(1, 9):
        history.append(episode(n, stamp(at), (1, n)))
        at += timedelta(minutes=42, seconds=60 + 7 * n)

    assert doctor_kinds(history, catalogue()) == []


def test_a_chain_needs_the_runtime_to_the_second(episode, catalogue):
    """Watch plays 42 min 1 s apart are not a back-to-back mark (tolerance is 0s)."""
    history = [
        episode(n, stamp(START + n * timedelta(minutes=42, seconds=1)), (2, n), action="watch")
        for n in range(1, 5)
    ]

    kinds = [f.kind for f in find_accidents(history, catalogue=catalogue())]

    assert kinds == ["manual"]


def test_release_date_marks_are_found_and_live_scrobbles_are_not(episode, catalogue):
    """Watch plays at each episode's air time are a finding; two scrobbles at air time are not."""
    aired = {episode_key((3, n)): START + timedelta(days=7 * n) for n in range(1, 6)}
    marks = [
        episode(n, stamp(aired[episode_key((3, n))]), (3, n), action="watch") for n in range(1, 4)
    ]
    live = [episode(10 + n, stamp(aired[episode_key((3, n))]), (3, n)) for n in (4, 5)]

    found = doctor_kinds([*marks, *live], catalogue(aired=aired))

    assert found == [("at_release", (1, 2, 3))]


def test_one_manual_mark_at_release_is_left_alone(episode, catalogue):
    """A single watch play at its air time can be deliberate: doctor does not report it."""
    aired = {episode_key((3, 1)): START}

    assert (
        doctor_kinds([episode(1, stamp(START), (3, 1), action="watch")], catalogue(aired=aired))
        == []
    )


def test_a_double_play_keeps_its_earlier_play_and_a_rewatch_weeks_later_stays(episode, catalogue):
    """A second play 20 min into a 42 min episode is a repeat; one 3 weeks later is a rewatch."""
    history = [
        episode(1, stamp(START), (1, 1)),
        episode(2, stamp(START + timedelta(minutes=20)), (1, 1)),
        episode(3, stamp(START + timedelta(weeks=3)), (1, 1)),
    ]

    found = find_accidents(history, catalogue=catalogue())

    assert [(f.kind, f.history_ids) for f in found] == [("double_play", (2,))]
    assert "keeps 1" in found[0].summary
    assert found[0].rule["drop"] == {"repeats": {"keep": "first", "within": "runtime"}}


def test_a_flood_day_is_found_and_its_bulk_mark_is_counted_once(episode):
    """150 watch plays on one day flood it; the 3 of them sharing a second are a bulk mark only."""
    usual = [
        episode(1000 + d, stamp(START - timedelta(days=d)), (1, d % 20 + 1)) for d in range(1, 40)
    ]
    day = START.replace(hour=9)
    flood = [
        episode(n, stamp(day + timedelta(seconds=37 * n)), (5, n % 90 + 1), action="watch", show=99)
        for n in range(1, FLOOD_PLAYS + 51)
    ]
    bulk = [episode(n, stamp(day), (6, n), action="watch", show=98) for n in (501, 502, 503)]

    found = doctor_kinds([*usual, *flood, *bulk])

    assert [kind for kind, _ in found] == ["same_second", "flood"]
    assert found[0][1] == (501, 502, 503)
    assert sorted(found[1][1]) == list(range(1, FLOOD_PLAYS + 51))


def test_the_flood_day_is_counted_in_the_accounts_time_zone(episode):
    """60 marks each side of midnight UTC are two quiet UTC days but one flooded Tokyo day."""
    usual = [episode(1000 + d, stamp(START - timedelta(days=d)), (1, 1)) for d in range(1, 30)]
    midnight = datetime(2026, 6, 11, tzinfo=UTC)  # 09:00 in Tokyo
    night = [
        episode(n, stamp(midnight + timedelta(minutes=3 * n)), (2, n + 1), action="watch")
        for n in range(-60, 60)
    ]

    assert doctor_kinds([*usual, *night], timezone="UTC") == []
    assert [k for k, _ in doctor_kinds([*usual, *night], timezone="Asia/Tokyo")] == ["flood"]


def test_the_timeline_marks_the_flood_day_as_unusual(episode):
    """The report's day of 150 plays stands out against days of one play."""
    usual = [episode(1000 + d, stamp(START - timedelta(days=d)), (1, 1)) for d in range(1, 30)]
    flood = [
        episode(n, stamp(START + timedelta(seconds=30 * n)), (2, n % 50 + 1), action="watch")
        for n in range(1, 151)
    ]
    history = [*usual, *flood]

    report = build_report(
        history,
        find_accidents(history),
        account="me",
        source="test",
        scope="all",
        now=START + timedelta(days=1),
        days=7,
        timezone="UTC",
        timezone_from="--timezone",
        checked=(),
    )

    assert [(d.day.isoformat(), d.plays, d.unusual) for d in report.days if d.plays] == [
        ("2026-05-27", 1, False),
        ("2026-05-28", 1, False),
        ("2026-05-29", 1, False),
        ("2026-05-30", 1, False),
        ("2026-05-31", 1, False),
        ("2026-06-01", 150, True),
    ]
    assert report.days[-2].by_action == {"watch": 150, "scrobble": 0, "checkin": 0}


@st.composite
def real_viewing(draw):
    """A year of scrobbles: binges with gaps other than the runtime, rewatches, single marks."""
    plays: list[HistoryItem] = []
    at = START
    next_id = 1
    for _ in range(draw(st.integers(1, 25))):
        at += timedelta(days=draw(st.integers(1, 20)), minutes=draw(st.integers(0, 600)))
        show = draw(st.sampled_from([1394, 1390, 1388]))
        season = draw(st.integers(1, 3))
        first = draw(st.integers(1, 8))
        gap = timedelta(minutes=42, seconds=draw(st.integers(1, 900)))
        when = at
        for number in range(first, first + draw(st.integers(1, 6))):
            plays.append(_play(next_id, when, show, (season, number), "scrobble"))
            next_id += 1
            when += gap + timedelta(seconds=draw(st.integers(0, 120)))
        if draw(st.booleans()):
            # A single manual mark of an episode watched elsewhere, at an ordinary time.
            mark = at - timedelta(hours=draw(st.integers(2, 48)), seconds=draw(st.integers(1, 59)))
            plays.append(_play(next_id, mark, show, (season + 3, first), "watch"))
            next_id += 1
    return plays


def _play(history_id, at, show, code, action):
    return HistoryItem.model_validate(
        {
            "id": history_id,
            "watched_at": stamp(at),
            "action": action,
            "type": "episode",
            "show": {"title": f"Show {show}", "ids": {"trakt": show}},
            "episode": {
                "season": code[0],
                "number": code[1],
                "ids": {"trakt": episode_key(code, show)},
            },
        }
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=real_viewing())
def test_doctor_reports_nothing_on_real_viewing(history, catalogue):
    """Generated scrobbles with gaps other than the runtime, and lone marks: no finding."""
    aired = {
        episode_key((s, n), show): START - timedelta(days=400)
        for show in (1394, 1390, 1388)
        for s in range(1, 7)
        for n in range(1, 15)
    }

    assert doctor_kinds(history, catalogue(aired=aired)) == []
