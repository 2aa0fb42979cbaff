"""Reading the times and dates people type: "in 20 minutes", "tomorrow 9am", "2026-12-24 18:00", "29 Feb".

Pure functions: the current time and the person's time zone are passed in. Each failure raises
``TimeParseError`` with a message that can be shown to the person as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS: Final = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_RELATIVE = re.compile(r"^in\s+(\d{1,4})\s*([a-z]+)$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2}):(\d{2}))?$")
MAX_AHEAD: Final = timedelta(days=366 * 2)
DEFAULT_HOUR: Final = 9


class TimeParseError(ValueError):
    """The text could not be read as a time; the message is written for the person."""


def zone(name: str | None) -> tzinfo:
    """The IANA zone ``name`` (UTC when None)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeParseError(
            f"I don't know the time zone “{name}”. Try a name like Europe/Lisbon or America/Chicago."
        ) from None


def parse_when(text: str, *, now: datetime, tz: tzinfo) -> datetime:
    """A future moment (UTC) from what the person typed, read in their time zone."""
    raw = " ".join(text.lower().split())
    if not raw:
        raise TimeParseError("Tell me when — for example “in 20 minutes” or “tomorrow 9am”.")
    local_now = now.astimezone(tz)
    moment = _relative(raw, now) or _day_and_clock(raw, local_now, tz) or _iso(raw, tz)
    if moment is None:
        raise TimeParseError(
            f"I couldn't read “{text}” as a time. Try “in 20 minutes”, “tomorrow 9am” or “2026-12-24 18:00”."
        )
    if moment <= now:
        raise TimeParseError("That time has already passed — reminders have to be in the future.")
    if moment - now > MAX_AHEAD:
        raise TimeParseError("That's too far ahead for me to hold on to; keep it within two years.")
    return moment.astimezone(UTC)


def _relative(raw: str, now: datetime) -> datetime | None:
    match = _RELATIVE.match(raw)
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    if unit not in _UNITS:
        raise TimeParseError(f"I don't know the unit “{unit}”. Use minutes, hours, days or weeks.")
    return now + timedelta(seconds=amount * _UNITS[unit])


def _clock(text: str) -> time | None:
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _day_and_clock(raw: str, local_now: datetime, tz: tzinfo) -> datetime | None:
    for word, offset in (("today", 0), ("tonight", 0), ("tomorrow", 1)):
        if raw == word or raw.startswith(word + " "):
            rest = raw[len(word) :].strip().removeprefix("at ").strip()
            clock = _clock(rest) if rest else time(20 if word == "tonight" else DEFAULT_HOUR, 0)
            if clock is None:
                return None
            day = local_now.date() + timedelta(days=offset)
            return datetime.combine(day, clock, tzinfo=tz)
    clock = _clock(raw.removeprefix("at ").strip())
    if clock is not None:
        candidate = datetime.combine(local_now.date(), clock, tzinfo=tz)
        return candidate if candidate > local_now else candidate + timedelta(days=1)
    return None


def _iso(raw: str, tz: tzinfo) -> datetime | None:
    match = _ISO.match(raw)
    if not match:
        return None
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    hour = int(match.group(4)) if match.group(4) else DEFAULT_HOUR
    minute = int(match.group(5)) if match.group(5) else 0
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        raise TimeParseError(f"{raw} is not a real date.") from None


@dataclass(frozen=True)
class Birthday:
    month: int
    day: int
    year: int | None = None

    def label(self) -> str:
        name = date(2000, self.month, self.day).strftime("%-d %B")
        return f"{name} {self.year}" if self.year else name


def parse_birthday(text: str) -> Birthday:
    """29 February, Feb 29, 02-29, 1990-02-29, 29/02 — day and month, with an optional year."""
    raw = " ".join(text.lower().replace(",", " ").split())
    month = day = year = None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", raw):
        month, day = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?", raw):
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
    elif m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)(?:\s+(\d{4}))?", raw):
        day, month = int(m.group(1)), _MONTHS.get(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
    elif m := re.fullmatch(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?", raw):
        month, day = _MONTHS.get(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
    if month is None or day is None:
        raise TimeParseError(f"I couldn't read “{text}” as a birthday. Try “29 February” or “1990-02-29”.")
    try:
        date(2000, month, day)  # 2000 was a leap year: 29 February is a real birthday
        if year is not None:
            date(year, month, day)
    except ValueError:
        raise TimeParseError(f"“{text}” is not a real date.") from None
    if year is not None and not 1900 <= year <= 2100:
        raise TimeParseError("That year doesn't look right.")
    return Birthday(month=month, day=day, year=year)


def next_birthday(birthday: Birthday, *, now: datetime, tz: tzinfo, hour: int = DEFAULT_HOUR) -> datetime:
    """The next celebration at ``hour`` local time; 29 February is marked on 28 February in common years."""
    local_now = now.astimezone(tz)
    for year in (local_now.year, local_now.year + 1, local_now.year + 2):
        day = birthday.day
        if birthday.month == 2 and birthday.day == 29 and not _leap(year):
            day = 28
        candidate = datetime(year, birthday.month, day, hour, 0, tzinfo=tz)
        if candidate > local_now:
            return candidate.astimezone(UTC)
    raise AssertionError("unreachable: a birthday falls within two years")


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
