"""The timeline picture: every play drawn, removed ones told apart, accidents seen at once."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from trakt_plan.view.timeline import MAX_STACK, TimelinePlay, render_timeline

NS = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 17, 21, 0, tzinfo=UTC)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _marks(root: ET.Element, kind: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == kind]


def _play(at: datetime, removed: bool, label: str = "S01E01") -> TimelinePlay:
    return TimelinePlay(at=at, removed=removed, label=label)


def _spread(days: int, removed: bool = False) -> list[TimelinePlay]:
    """One kept play a day for ``days`` days, ending at START."""
    return [_play(START - timedelta(days=n), removed, f"day {n}") for n in range(days, 0, -1)]


def test_timeline_draws_every_play_with_its_tooltip():
    """Each play of a small history is one mark whose title names it."""
    plays = [*_spread(5), _play(START, True, "S02E03 watch 2026-11-17 21:00:00Z")]
    root = _parse(render_timeline(plays, title="The Simpsons"))
    kept, removed = _marks(root, "kept"), _marks(root, "removed")
    assert (len(kept), len(removed)) == (5, 1)
    assert [m.findtext(f"{NS}title") for m in removed] == ["S02E03 watch 2026-11-17 21:00:00Z"]
    assert root.findtext(f"{NS}title") == "The Simpsons: 6 plays, 1 removed, 5 kept"


def test_removed_and_kept_differ_by_shape_and_colour_not_colour_alone():
    """Kept plays are filled circles above the axis; removed plays are crosses below it."""
    root = _parse(render_timeline([_play(START, False), _play(START, True)], title="x"))
    (kept,) = _marks(root, "kept")
    (removed,) = _marks(root, "removed")
    assert (f"{NS}circle", f"{NS}path") == (kept.tag, removed.tag)
    assert kept.get("fill") != removed.get("stroke")
    assert float(kept.get("cy", "0")) < float(removed.get("d", "M0 0").split()[1].split("L")[0])


def test_a_same_second_mark_is_one_tall_column():
    """Five plays stamped in one second stack in one column, one above another."""
    plays = [*_spread(30), *[_play(START, True, f"S01E0{n}") for n in range(1, 6)]]
    root = _parse(render_timeline(plays, title="x"))
    removed = _marks(root, "removed")
    starts = [m.get("d", "").split("L")[0] for m in removed]
    xs = {s.split()[0] for s in starts}
    ys = {s.split()[1] for s in starts}
    assert (len(xs), len(ys)) == (1, 5)


def test_a_back_to_back_chain_is_evenly_spaced_marks():
    """A chain of 22-minute episodes alone on the timeline shows as marks at equal intervals."""
    plays = [_play(START + timedelta(minutes=22 * n), True, f"E{n}") for n in range(6)]
    root = _parse(render_timeline(plays, title="x"))
    xs = [float(m.get("d", "").split()[0][1:]) for m in _marks(root, "removed")]
    gaps = {round(b - a) for a, b in itertools.pairwise(xs)}
    assert len(gaps) == 1
    assert gaps.pop() > 0


def test_a_flood_says_its_count_instead_of_overflowing():
    """Four hundred and sixty plays in one evening draw a capped column labelled 460."""
    flood = [_play(START + timedelta(seconds=n), True, f"play {n}") for n in range(460)]
    root = _parse(render_timeline([*_spread(365), *flood], title="x"))
    counts = _marks(root, "count removed")
    assert [c.text for c in counts] == ["460"]
    assert len(_marks(root, "removed")) == MAX_STACK - 1
    height = float(root.get("height", "0"))
    ys = [float(e.get("y", e.get("cy", "0"))) for e in root.iter() if e.get("y") or e.get("cy")]
    assert max(ys) <= height


def test_the_axis_names_dates_within_the_range():
    """A year of plays gets a handful of dated ticks, in order, inside the picture."""
    root = _parse(render_timeline(_spread(365), title="x"))
    ticks = [t.text or "" for t in _marks(root, "tick")]
    assert 2 <= len(ticks) <= 7
    assert sorted(ticks) == ticks
    assert all("2025-11-17" <= t <= "2026-11-17" for t in ticks)


def test_an_evening_gets_hour_ticks_in_the_accounts_zone():
    """Plays within one evening are labelled with hours, shown in the given time zone."""
    plays = [_play(START + timedelta(minutes=30 * n), False) for n in range(8)]
    root = _parse(render_timeline(plays, title="x", zone=ZoneInfo("Europe/Paris")))
    ticks = [t.text for t in _marks(root, "tick")]
    assert "2026-11-17 23:00" in ticks
    assert all(t is not None and t.startswith("2026-11-1") for t in ticks)


def test_titles_and_labels_are_escaped():
    """A title or label with markup stays text: the SVG still parses and holds it verbatim."""
    label = '<script>alert("x")</script> & more'
    svg = render_timeline([_play(START, True, label)], title="Tom & Jerry <b>")
    assert "<script>" not in svg
    root = _parse(svg)
    assert label == _marks(root, "removed")[0].findtext(f"{NS}title")
    assert root.findtext(f"{NS}title") == "Tom & Jerry <b>: 1 plays, 1 removed, 0 kept"


def test_the_same_plays_give_the_same_bytes_in_any_order():
    """Rendering is deterministic: shuffled input draws the identical picture."""
    plays = [*_spread(40), *[_play(START, True, f"E{n}") for n in range(12)]]
    assert render_timeline(plays, title="x") == render_timeline(plays[::-1], title="x")


def test_no_plays_draws_an_empty_picture_that_says_so():
    """An empty timeline is still a valid picture with a message, not an error."""
    root = _parse(render_timeline([], title="x"))
    assert [t.text for t in root.iter(f"{NS}text") if t.text == "no plays"] == ["no plays"]
