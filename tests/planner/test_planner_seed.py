"""The story of section 1: an accidental "mark as watched" on Agents of S.H.I.E.L.D."""

from __future__ import annotations

from trakt_plan.planner import build_plan, progress_after

ACCIDENT_AT = "2025-11-17 01:02:03"
AOS_PLAN = [
    {"name": "aos-after-s03e16", "show": 1394, "drop": {"after": "S03E16"}},
    {
        "name": "aos-bulk",
        "show": 1394,
        "drop": {"same_timestamp": 3},
        "unless": {"episodes": ["S03E13"]},
    },
]


def seed_history(plays):
    """Seasons 1-3 watched for real, then one tap marking S06E02..S07E10 watched at once."""
    history = []
    real_id = 9_000_000_000
    for season, count in ((1, 22), (2, 22), (3, 11)):
        for number in range(1, count + 1):
            real_id += 1
            day = 1 + (season - 1) * 9 + number // 3
            history.append(
                plays.episode(
                    f"S{season}E{number}", f"2025-10-{day:02d} 20:{number:02d}:00", id=real_id
                )
            )
    codes = [f"S06E{n:02d}" for n in range(2, 14)] + [f"S07E{n:02d}" for n in range(1, 11)]
    history += [
        plays.episode(code, ACCIDENT_AT, id=10_000_000_000 + index)
        for index, code in enumerate(codes)
    ]
    history += [
        plays.episode("S03E12", "2025-11-17 18:03:06", action="scrobble", id=10_000_000_022),
        plays.episode("S03E13", "2025-11-18 19:40:54", action="scrobble", id=10_000_000_023),
        plays.episode("S03E13", "2025-11-18 21:15:00", action="scrobble", id=10_000_000_024),
        plays.episode("S03E14", "2025-11-19 20:05:40", action="scrobble", id=10_000_000_025),
        plays.episode("S03E15", "2025-11-19 22:20:12", action="scrobble", id=10_000_000_026),
        plays.episode("S03E16", "2025-11-20 10:11:12", action="scrobble", id=10_000_000_027),
    ]
    return history


def test_the_seed_plan_removes_the_22_accidental_plays(plays, spec_of, resolved_of):
    """Both rules choose exactly the 22 plays of the accident, and each deletion cites both."""
    history = seed_history(plays)
    spec = spec_of(*AOS_PLAN)
    result = build_plan(spec, resolved_of(spec), history, timezone="Europe/Berlin")
    assert [d.item.id for d in result.deletions] == list(range(10_000_000_000, 10_000_000_022))
    assert {d.reasons for d in result.deletions} == {("aos-after-s03e16", "aos-bulk")}
    assert [(r.name, r.plays_in_scope, r.deletions) for r in result.rules] == [
        ("aos-after-s03e16", len(history), 22),
        ("aos-bulk", len(history), 22),
    ]
    assert result.unmatched_rules == ()


def test_after_apply_the_show_is_back_at_s03e16(plays, spec_of, resolved_of):
    """Once the 22 plays go, the last episode watched is S03E16 and S03E17 is up next."""
    history = seed_history(plays)
    spec = spec_of(*AOS_PLAN)
    result = build_plan(spec, resolved_of(spec), history)
    before = progress_after(history, ())[1394]
    # Agents of S.H.I.E.L.D.'s third season has 22 episodes.
    after = progress_after(history, {d.item.id for d in result.deletions}, {1394: {3: 22}})[1394]
    assert before.last is not None and before.last.code == "S07E10"
    assert after.last is not None and after.last.code == "S03E16"
    assert (after.next_code, after.kept, after.removed) == ("S03E17", len(history) - 22, 22)
    assert after.show.title == "Marvel's Agents of S.H.I.E.L.D."
