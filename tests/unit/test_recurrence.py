from __future__ import annotations

from datetime import UTC, datetime, timedelta

from loyal_companion.living.proactive import after_quiet_hours, in_quiet_hours, next_occurrence, retry_delay
from loyal_companion.living.timeparse import zone

LISBON = zone("Europe/Lisbon")
NEW_YORK = zone("America/New_York")


def test_yearly_leap_day_birthday_lands_on_the_28th_then_back_on_the_29th() -> None:
    last = datetime(2024, 2, 29, 9, 0, tzinfo=UTC)
    nxt = next_occurrence("yearly", last, tz=UTC, anchor_day=29, now=last)
    assert nxt == datetime(2025, 2, 28, 9, 0, tzinfo=UTC)
    after = next_occurrence("yearly", nxt, tz=UTC, anchor_day=29, now=datetime(2027, 3, 1, tzinfo=UTC))
    assert after == datetime(2028, 2, 29, 9, 0, tzinfo=UTC)


def test_monthly_keeps_the_chosen_day_when_the_month_has_it() -> None:
    jan31 = datetime(2026, 1, 31, 18, 0, tzinfo=UTC)
    feb = next_occurrence("monthly", jan31, tz=UTC, anchor_day=31, now=jan31)
    assert feb == datetime(2026, 2, 28, 18, 0, tzinfo=UTC)
    mar = next_occurrence("monthly", feb, tz=UTC, anchor_day=31, now=feb)
    assert mar == datetime(2026, 3, 31, 18, 0, tzinfo=UTC)


def test_monthly_across_the_year_end() -> None:
    dec = datetime(2026, 12, 15, 8, 0, tzinfo=UTC)
    assert next_occurrence("monthly", dec, tz=UTC, now=dec) == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


def test_weekly_keeps_wall_clock_time_across_daylight_saving() -> None:
    before = datetime(2026, 3, 24, 9, 0, tzinfo=LISBON)  # Lisbon moves to summer time on 29 March
    nxt = next_occurrence("weekly", before.astimezone(UTC), tz=LISBON, now=before.astimezone(UTC))
    assert nxt is not None and nxt.astimezone(LISBON).hour == 9
    assert nxt - before.astimezone(UTC) == timedelta(days=7, hours=-1)


def test_an_overdue_recurring_event_skips_to_the_first_future_occurrence() -> None:
    old = datetime(2020, 5, 1, 9, 0, tzinfo=UTC)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    assert next_occurrence("yearly", old, tz=UTC, now=now) == datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


def test_unknown_rules_do_not_recur() -> None:
    assert (
        next_occurrence(
            "hourly", datetime(2026, 1, 1, tzinfo=UTC), tz=UTC, now=datetime(2026, 1, 1, tzinfo=UTC)
        )
        is None
    )


def test_quiet_hours_are_in_the_persons_time_zone() -> None:
    moment = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 22:00 in New York
    assert in_quiet_hours(moment, NEW_YORK)
    assert not in_quiet_hours(moment, zone("Asia/Tokyo"))  # 12:00 in Tokyo
    assert after_quiet_hours(moment, NEW_YORK) == datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK)


def test_retry_delay_grows_and_is_bounded() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(40) == timedelta(hours=1)
