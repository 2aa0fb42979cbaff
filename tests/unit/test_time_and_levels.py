from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyal_companion.living.mood import Mood, mood_label
from loyal_companion.living.relationship import LEVELS, level_for, progress_to_next
from loyal_companion.living.timeparse import (
    Birthday,
    TimeParseError,
    next_birthday,
    parse_birthday,
    parse_when,
    zone,
)

NOW = datetime(2026, 11, 22, 20, 30, tzinfo=UTC)
LISBON = zone("Europe/Lisbon")
CHICAGO = zone("America/Chicago")


def test_relative_times() -> None:
    assert parse_when("in 20 minutes", now=NOW, tz=UTC) == NOW + timedelta(minutes=20)
    assert parse_when("in 2 hours", now=NOW, tz=CHICAGO) == NOW + timedelta(hours=2)


def test_tomorrow_at_a_clock_time_in_the_persons_zone() -> None:
    moment = parse_when("tomorrow 9am", now=NOW, tz=CHICAGO)
    local = moment.astimezone(CHICAGO)
    assert (local.day, local.hour, local.minute) == (23, 9, 0)


def test_a_bare_clock_time_means_the_next_one() -> None:
    moment = parse_when("8pm", now=NOW, tz=UTC)  # 20:30 now: 20:00 has passed, so tomorrow
    assert moment == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_iso_dates() -> None:
    assert parse_when("2026-12-24 18:00", now=NOW, tz=LISBON) == datetime(2026, 12, 24, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("yesterday-ish", "couldn't read"),
        ("2001-01-01 10:00", "already passed"),
        ("in 5 fortnights", "unit"),
        ("2026-02-30", "not a real date"),
        ("in 9999 days", "too far"),
        ("", "Tell me when"),
    ],
)
def test_unreadable_or_past_times_are_refused_kindly(text: str, fragment: str) -> None:
    with pytest.raises(TimeParseError) as err:
        parse_when(text, now=NOW, tz=UTC)
    assert fragment in str(err.value)


def test_unknown_zone_is_refused_kindly() -> None:
    with pytest.raises(TimeParseError):
        zone("Mars/Olympus_Mons")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29 February", Birthday(2, 29)),
        ("Feb 29", Birthday(2, 29)),
        ("02-29", Birthday(2, 29)),
        ("1990-03-14", Birthday(3, 14, 1990)),
        ("14/03", Birthday(3, 14)),
        ("3rd May 1985", Birthday(5, 3, 1985)),
    ],
)
def test_birthdays(text: str, expected: Birthday) -> None:
    assert parse_birthday(text) == expected


def test_impossible_birthdays_are_refused() -> None:
    for text in ("31 February", "1991-02-29", "soon"):
        with pytest.raises(TimeParseError):
            parse_birthday(text)


def test_leap_day_birthdays_are_marked_on_the_28th_in_common_years() -> None:
    moment = next_birthday(Birthday(2, 29), now=NOW, tz=UTC)
    assert moment == datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    leap = next_birthday(Birthday(2, 29), now=datetime(2027, 6, 1, tzinfo=UTC), tz=UTC)
    assert leap == datetime(2028, 2, 29, 9, 0, tzinfo=UTC)


def test_mood_labels() -> None:
    assert mood_label(0.5, 0.5) == "excited"
    assert mood_label(0.5, 0.0) == "happy"
    assert mood_label(-0.5, 0.5) == "annoyed"
    assert mood_label(-0.5, 0.0) == "bored"
    assert mood_label(0.0, 0.5) == "curious"
    assert mood_label(0.0, -0.5) == "calm"
    assert mood_label(0.0, 0.0) == "neutral"
    assert Mood(0.4, -0.2).intensity == pytest.approx(0.3)


def test_relationship_levels_follow_the_bands() -> None:
    assert [level_for(s).name for s in (0, 20, 21, 40, 41, 60, 61, 80, 81, 100)] == [
        "New Face",
        "New Face",
        "Familiar Face",
        "Familiar Face",
        "Regular",
        "Regular",
        "Good Friend",
        "Good Friend",
        "Close Friend",
        "Close Friend",
    ]
    assert all(level.guidance for level in LEVELS)


@given(st.floats(0, 100), st.floats(0, 100))
def test_levels_are_monotone_in_score(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert LEVELS.index(level_for(low)) <= LEVELS.index(level_for(high))


def test_progress_to_next_level() -> None:
    nxt, share = progress_to_next(30)
    assert nxt is not None and nxt.name == "Regular" and share == pytest.approx(0.5)
    assert progress_to_next(100) == (None, 1.0)
