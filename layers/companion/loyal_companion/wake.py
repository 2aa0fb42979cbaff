"""Waking the proactive run only when something is due.

On AWS one EventBridge Scheduler one-time schedule (``at(...)``, kept after it fires) holds the next time
the run has work: a reminder, a birthday, a follow-up, a quiet person's check-in, a conversation memory
has yet to read to its end, receipts past their hour. Whoever writes something due earlier than what is
armed moves it earlier (the worker after a turn); the run, when it ends, sets it to the next due time it
finds. A daily schedule is the safety net for anything missed. So while nobody talks and nothing is due,
nothing but that daily run wakes the database.

``arm`` only ever moves the armed time earlier, unless the caller names the time it armed itself (the
run replacing its own guard). Each container remembers what it last saw armed, so a busy worker asks
EventBridge once an hour or so, not once a turn. Locally the stack's in-process scheduler is a ``Waker``
too (``local/stack.py``).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# EventBridge Scheduler fires a one-time schedule within about a minute of its time; never arm sooner.
SOONEST: timedelta = timedelta(minutes=1)
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


def at_expression(when: datetime) -> str:
    """``at(yyyy-mm-ddThh:mm:ss)`` in UTC, rounded up to the second (never before ``when``)."""
    utc = when.astimezone(UTC)
    whole = datetime.fromtimestamp(math.ceil(utc.timestamp()), UTC)
    return f"at({whole:%Y-%m-%dT%H:%M:%S})"


def parse_at(expression: str, timezone: str | None = "UTC") -> datetime | None:
    """The time of an ``at(...)`` expression (None for rate/cron or anything else)."""
    match = _AT.fullmatch(expression.strip())
    if match is None:
        return None
    naive = datetime.fromisoformat(match.group(1))
    if timezone not in (None, "UTC", "Etc/UTC"):
        from zoneinfo import ZoneInfo

        return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    return naive.replace(tzinfo=UTC)


def earliest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


def keeps(armed: datetime | None, wanted: datetime, *, now: datetime, replacing: datetime | None) -> bool:
    """Whether what is armed already wakes the run in time for ``wanted``: it is still to come and no
    later — unless it is the caller's own earlier arming (``replacing``), which it may move later."""
    if armed is None or not now < armed <= wanted:
        return False
    return replacing is None or abs(armed - replacing) >= timedelta(seconds=1)


class Waker(Protocol):
    def arm(self, at: datetime, *, now: datetime, replacing: datetime | None = None) -> datetime | None:
        """Make sure the run wakes no later than ``at``; the time now armed if it changed, else None.

        ``replacing``: a time this caller armed itself and may move later (the run's guard)."""
        ...


class NoWaker:
    """Nothing to arm (tests and tools without a schedule): the daily run, or the caller, runs the job."""

    def arm(self, at: datetime, *, now: datetime, replacing: datetime | None = None) -> datetime | None:
        return None


class ScheduleWaker:
    """The one-time EventBridge Scheduler schedule ``name`` (created by the template)."""

    def __init__(self, name: str, *, group: str = "default", client: Any = None) -> None:
        self._name = name
        self._group = group
        self._client = client
        self._seen: datetime | None = None  # the armed time this container last saw or set

    def _scheduler(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("scheduler")
        return self._client

    def arm(self, at: datetime, *, now: datetime, replacing: datetime | None = None) -> datetime | None:
        wanted = max(at, now + SOONEST)
        if replacing is None and keeps(self._seen, wanted, now=now, replacing=None):
            return None  # already armed for then or sooner (as far as this container knows)
        try:
            client = self._scheduler()
            current = client.get_schedule(Name=self._name, GroupName=self._group)
            armed = parse_at(current["ScheduleExpression"], current.get("ScheduleExpressionTimezone"))
            if keeps(armed, wanted, now=now, replacing=replacing):
                self._seen = armed
                return None
            expression = at_expression(wanted)
            update: dict[str, Any] = {
                "Name": self._name,
                "GroupName": self._group,
                "ScheduleExpression": expression,
                "ScheduleExpressionTimezone": "UTC",
                "FlexibleTimeWindow": current["FlexibleTimeWindow"],
                "Target": current["Target"],
                "State": "ENABLED",
                "ActionAfterCompletion": current.get("ActionAfterCompletion", "NONE"),
            }
            if current.get("Description"):
                update["Description"] = current["Description"]
            client.update_schedule(**update)
        except Exception as exc:  # the daily run still comes; the caller's work is done either way
            logger.warning(
                "could not arm the proactive schedule; the daily run will pick this up",
                extra={"error": type(exc).__name__, "schedule": self._name},
            )
            return None
        self._seen = parse_at(expression)
        logger.info("proactive run armed", extra={"at": expression})
        return self._seen
