"""Follow-ups: something the person says is coming up ("my interview is on Friday")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Final

_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EVENTS: Final = (
    "interview",
    "exam",
    "test",
    "appointment",
    "surgery",
    "operation",
    "date",
    "presentation",
    "meeting",
    "funeral",
    "wedding",
    "audition",
    "trial",
    "hearing",
    "flight",
    "move",
    "scan",
    "results",
)
_PATTERN = re.compile(
    r"\bmy (?P<what>(?:[a-z]+ )?(?:" + "|".join(_EVENTS) + r"))\b[^.!?]*?\b"
    r"(?P<when>tomorrow|today|tonight|next week|(?:on |this |next )?(?:" + "|".join(_WEEKDAYS) + r"))\b",
    re.I,
)
FOLLOW_UP_HOUR: Final = 18


@dataclass(frozen=True)
class FollowUp:
    title: str
    happens_on: datetime
    ask_at: datetime


def find_follow_up(message: str, *, now: datetime, tz: tzinfo) -> FollowUp | None:
    match = _PATTERN.search(message)
    if not match:
        return None
    local = now.astimezone(tz)
    when = match.group("when").lower().removeprefix("on ").removeprefix("this ")
    if when in ("today", "tonight"):
        day = local.date()
    elif when == "tomorrow":
        day = local.date() + timedelta(days=1)
    elif when == "next week":
        day = local.date() + timedelta(days=7)
    else:
        upcoming = when.removeprefix("next ")
        ahead = (_WEEKDAYS.index(upcoming) - local.weekday()) % 7 or 7
        if when.startswith("next ") and ahead < 7:
            ahead += 7 if ahead <= 2 else 0
        day = local.date() + timedelta(days=ahead)
    happens = datetime.combine(day, time(12, 0), tzinfo=tz)
    ask = datetime.combine(day, time(FOLLOW_UP_HOUR, 0), tzinfo=tz)
    if ask <= local:
        ask = local + timedelta(hours=3)
    return FollowUp(title=f"your {match.group('what').lower()}", happens_on=happens, ask_at=ask)
