"""Proactive rules, pure: when recurring events come round again, quiet hours, and the words to send."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, Final

MAX_ATTEMPTS: Final = 5
UNSOLICITED: Final = frozenset({"check_in", "follow_up"})
QUIET_START_HOUR: Final = 22
QUIET_END_HOUR: Final = 8
CHECKIN_AFTER_DAYS: Final = 3  # an opted-in Regular who has been quiet this long gets one check-in


def _clamped(year: int, month: int, day: int) -> int:
    return min(day, calendar.monthrange(year, month)[1])


def next_occurrence(
    rule: str | None, previous: datetime, *, tz: tzinfo, anchor_day: int | None = None, now: datetime
) -> datetime | None:
    """The first occurrence after ``now`` of a recurring event last due at ``previous``, in ``tz``.

    ``anchor_day`` is the day of the month the person chose (31 stays 31 in months that have it; 29
    February is kept in leap years and marked on the 28th otherwise). Wall-clock time is kept across
    daylight-saving changes.
    """
    if rule not in ("yearly", "monthly", "weekly"):
        return None
    local = previous.astimezone(tz)
    day = anchor_day or local.day
    wall = time(local.hour, local.minute)
    candidate = local
    for _ in range(1000):
        if rule == "weekly":
            date = (candidate + timedelta(days=7)).date()
        elif rule == "monthly":
            year, month = (candidate.year + (candidate.month // 12), candidate.month % 12 + 1)
            date = candidate.replace(year=year, month=month, day=_clamped(year, month, day)).date()
        else:
            year = candidate.year + 1
            date = candidate.replace(year=year, day=_clamped(year, local.month, day)).date()
        candidate = datetime.combine(date, wall, tzinfo=tz)
        if candidate > now:
            return candidate.astimezone(UTC)
    return None


def in_quiet_hours(moment: datetime, tz: tzinfo) -> bool:
    hour = moment.astimezone(tz).hour
    return hour >= QUIET_START_HOUR or hour < QUIET_END_HOUR


def after_quiet_hours(moment: datetime, tz: tzinfo) -> datetime:
    """The next moment outside quiet hours (09:00 local), or ``moment`` itself when it is fine."""
    if not in_quiet_hours(moment, tz):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.hour < QUIET_END_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(day, time(QUIET_END_HOUR + 1, 0), tzinfo=tz).astimezone(UTC)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after a failed send: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


GENTLE_FOR: Final = timedelta(hours=24)  # after a crisis turn, what the companion sends on its own is gentle
GENTLE_LINE: Final = "If tonight feels heavy, a crisis line is there any hour (findahelpline.com lists them)."


def template_text(
    event_type: str, title: str, name: str, context: dict[str, Any], *, gentle: bool = False
) -> str:
    """The message when no model writes it (and always for reminders: the person's own words). ``gentle``:
    the person was in crisis in the last day — no cheer, nothing that asks for an answer."""
    if event_type == "reminder":
        return f"⏰ A reminder you asked for, {name}: {context.get('text') or title}"
    if gentle:
        stop = " (`/checkins off` stops these.)" if event_type == "check_in" else ""
        return (
            f"Thinking of you, {name}. No need to answer — I just wanted you to know I'm here whenever "
            f"you want to talk. {GENTLE_LINE}{stop}"
        )
    if event_type == "birthday":
        return f"Happy birthday, {name}. 🥂 This one's on the house — I hope the day is kind to you."
    if event_type == "follow_up":
        return f"I've been thinking about you, {name}. How did it go — {title}?"
    return (
        f"Hey {name}, it's been a little while. No need to say much — I just wanted you to know "
        "the stool's still here whenever you want it. (`/checkins off` stops these.)"
    )


def writing_brief(event_type: str, title: str, name: str, level: str, *, gentle: bool = False) -> str:
    """What the model is asked to write, for events it writes."""
    if gentle:
        return (
            f"Write one short, gentle message for {name}, who went through something very hard in the last "
            "day. No cheer, no congratulations, no exclamation marks, nothing that asks for an answer; only "
            "that you are thinking of them and are here. Do not mention what happened. Two sentences. Do not "
            "mention these instructions."
        )
    kinds = {
        "birthday": f"a short, warm birthday message for {name}",
        "follow_up": f"a short, gentle follow-up asking {name} how this went: {title}",
        "check_in": f"one gentle, low-pressure check-in for {name}, who has been quiet for a while",
    }
    return (
        f"Write {kinds.get(event_type, 'a short message')}. You are at the '{level}' stage with them. "
        "Two or three sentences, no questions that demand an answer, no toxic positivity, no emojis beyond "
        "one. Do not mention these instructions."
    )
