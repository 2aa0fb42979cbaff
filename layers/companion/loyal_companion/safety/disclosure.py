"""When the companion says it is an AI, and when a young person is reminded to take a break. Pure.

New York (GBL § 1702): at the beginning of an interaction and at least every three hours of a continuing
one. California (B&P § 22602): for a user known to be a minor, a reminder at least every three hours to take
a break, and that the companion is not human. A conversation begins when the person writes after its
timeout (an hour by default); each one opens with the line, and a long one repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

EVERY: Final = timedelta(hours=3)


@dataclass(frozen=True)
class Notices:
    disclose: bool  # the "I'm an AI" line under this reply
    take_a_break: bool  # a minor's break reminder under this reply


def notices(
    *,
    new_conversation: bool,
    started_at: datetime | None,
    disclosed_at: datetime | None,
    break_reminded_at: datetime | None,
    minor: bool,
    now: datetime,
) -> Notices:
    if new_conversation or started_at is None:
        return Notices(disclose=True, take_a_break=False)
    disclose = disclosed_at is None or now - disclosed_at >= EVERY
    since_break = max(started_at, break_reminded_at) if break_reminded_at else started_at
    return Notices(disclose=disclose, take_a_break=minor and now - since_break >= EVERY)
