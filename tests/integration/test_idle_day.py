"""A whole simulated day: the database is woken only by the daily run and by what is due.

EventBridge Scheduler is moto's (the template's one-time wake-up schedule, read and moved by the real
``ScheduleWaker`` through boto3); the clock moves a minute at a time through the day, and each minute the
wake-up fires if its time has come, as EventBridge would fire it. Every use of the database is counted
(a connection checked out of the pool) and put down to whichever part of the day caused it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import ScheduledEvent, User, UserPreference, UserRelationship
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.wake import ScheduleWaker, parse_at
from tests.support.worker import Clock, make_worker

DAY = datetime(2026, 12, 1, tzinfo=UTC)  # the daily schedule's time
NAME = "lc-test-wake"


class Day:
    """The clock, EventBridge's two schedules and a count of database use by cause."""

    def __init__(
        self, engine: Engine, scheduler: Any, session_factory: sessionmaker[Session], discord: DiscordStub
    ):
        self.clock = Clock(DAY)
        self.scheduler = scheduler
        self.waker = ScheduleWaker(NAME, client=scheduler)
        self.cause = "setup"
        self.uses: dict[str, int] = {}
        self.wakes: list[datetime] = []
        self._fired: datetime | None = None
        self.deps = ProactiveDeps(
            unit_of_work=lambda: UnitOfWork(session_factory),
            discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
            model=OfflineResponder(),
            clock=self.clock,
            waker=self.waker,
        )
        event.listen(engine, "checkout", self._count)

    def _count(self, *_: object) -> None:
        self.uses[self.cause] = self.uses.get(self.cause, 0) + 1

    def armed(self) -> datetime | None:
        schedule = self.scheduler.get_schedule(Name=NAME)
        return parse_at(schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone"))

    def run(self, cause: str) -> None:
        self.cause = cause
        result = run_proactive(self.deps)
        assert not result.errors
        self.cause = "idle"

    def live_until(self, end: datetime, *, turns: dict[datetime, Any] | None = None) -> None:
        """Minute by minute: a person's turn when one is planned, the wake-up when its time has come."""
        while self.clock.now < end:
            self.clock.now += timedelta(minutes=1)
            for at, turn in (turns or {}).items():
                if at == self.clock.now:
                    self.cause = "turn"
                    turn()
                    self.cause = "idle"
            armed = self.armed()
            if armed is not None and armed <= self.clock.now and armed != self._fired:
                self._fired = armed
                self.wakes.append(self.clock.now)
                self.run(f"woken {self.clock.now:%H:%M}")


@pytest.fixture
def day(engine: Engine, session_factory: sessionmaker[Session], discord: DiscordStub) -> Iterator[Day]:
    with mock_aws():
        scheduler = boto3.client("scheduler", region_name="us-east-1")
        scheduler.create_schedule(  # as the template creates it: far off until something arms it
            Name=NAME,
            ScheduleExpression="at(2099-12-31T00:00:00)",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": "arn:aws:lambda:us-east-1:123456789012:function:lc-proactive",
                "RoleArn": "arn:aws:iam::123456789012:role/lc-wake",
                "RetryPolicy": {"MaximumRetryAttempts": 0},
            },
        )
        yield Day(engine, scheduler, session_factory, discord)


def _people_with_plans(session_factory: sessionmaker[Session]) -> int:
    """Yesterday's people: a Regular with check-ins on who last spoke yesterday evening (her check-in is
    due in three days), a reminder for the day after tomorrow, a birthday next month."""
    with session_factory() as s:
        ana = User(
            discord_id=300000000000000001,
            discord_username="ana",
            last_seen_at=DAY - timedelta(hours=4),
        )
        s.add(ana)
        s.flush()
        s.add_all(
            [
                UserPreference(user_id=ana.id, preference_key="checkins", preference_value="on"),
                UserRelationship(user_id=ana.id, guild_id=None, relationship_score=60.0),
                ScheduledEvent(
                    user_id=ana.id,
                    event_type="reminder",
                    trigger_at=DAY + timedelta(days=2, hours=9),
                    due_at=DAY + timedelta(days=2, hours=9),
                    title="call the vet",
                    context={"text": "call the vet"},
                ),
                ScheduledEvent(
                    user_id=ana.id,
                    event_type="birthday",
                    trigger_at=DAY + timedelta(days=30, hours=9),
                    due_at=DAY + timedelta(days=30, hours=9),
                    title="Birthday",
                    context={"month": 12, "day": 31},
                    is_recurring=True,
                    recurrence_rule="yearly",
                ),
            ]
        )
        s.commit()
        return ana.id


def _reminder(session_factory: sessionmaker[Session], user_id: int, at: datetime, what: str) -> None:
    """A reminder for ``at`` in a server channel."""
    with session_factory() as s:
        s.add(
            ScheduledEvent(
                user_id=user_id,
                event_type="reminder",
                trigger_at=at,
                due_at=at,
                title=what,
                context={"text": what},
                channel_id=700000000000000001,
            )
        )
        s.commit()


def test_a_day_with_nothing_due_wakes_the_database_only_for_the_daily_run(
    day: Day, session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    _people_with_plans(session_factory)
    day.run("daily")
    # The run armed the wake-up for the next thing due: the reminder, two days off (not the check-in,
    # due a little later, nor the birthday).
    assert day.armed() == DAY + timedelta(days=2, hours=9)
    day.live_until(DAY + timedelta(days=1))
    day.run("daily")

    assert day.wakes == []
    assert set(day.uses) == {"setup", "daily"}  # no use of the database at any other time of the day
    assert day.uses["daily"] <= 2 * 10  # and the daily run itself is a handful of statements
    assert discord.channel_messages() == []


def test_a_reminder_wakes_it_once_at_its_time(
    day: Day, session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    ana = _people_with_plans(session_factory)
    _reminder(session_factory, ana, DAY + timedelta(hours=14), "take the cake out")
    day.run("daily")
    assert day.armed() == DAY + timedelta(hours=14)
    day.live_until(DAY + timedelta(days=1))

    assert day.wakes == [DAY + timedelta(hours=14)]
    assert set(day.uses) == {"setup", "daily", "woken 14:00"}
    assert ["take the cake out" in m.content for m in discord.channel_messages()] == [True]
    assert day.armed() == DAY + timedelta(days=2, hours=9)  # the run armed the next one


def test_after_a_conversation_one_wake_up_tidies_and_then_nothing(
    day: Day, session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    _people_with_plans(session_factory)
    day.run("daily")
    worker = make_worker(session_factory, discord, OfflineResponder(), day.clock)
    worker.services.waker = day.waker

    def talk() -> None:
        worker.run("chat", [{"name": "message", "type": 3, "value": "Long day. Glad to sit down."}])

    ten = DAY + timedelta(hours=10)
    day.live_until(DAY + timedelta(days=1), turns={ten: talk})

    # The turn's receipt had its hour: one run a minute past it dropped it, and armed nothing sooner
    # than the reminder.
    assert day.wakes == [ten + timedelta(hours=1, minutes=1)]
    assert set(day.uses) == {"setup", "daily", "turn", "woken 11:01"}
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ScheduledEvent)) == 2
        assert s.scalar(text("SELECT count(*) FROM interaction_receipts")) == 0
    assert day.armed() == DAY + timedelta(days=2, hours=9)


def test_a_run_that_dies_mid_send_is_followed_by_one_that_takes_over(
    day: Day, session_factory: sessionmaker[Session], discord: DiscordStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyal_companion.jobs import proactive

    ana = _people_with_plans(session_factory)
    _reminder(session_factory, ana, DAY + timedelta(hours=9), "feed the cat")
    day.run("daily")
    assert day.armed() == DAY + timedelta(hours=9)

    class Died(BaseException):
        pass

    def die(*_: object) -> None:
        raise Died  # the process is gone after claiming: nothing marked, no lease let go, nothing re-armed

    with monkeypatch.context() as patched:
        patched.setattr(proactive, "_send_batch", die)
        patched.setattr(proactive, "_release_lease", die)
        day.clock.now = DAY + timedelta(hours=9)
        with pytest.raises(Died):
            run_proactive(day.deps)
    assert discord.channel_messages() == []
    guard = day.armed()
    assert guard is not None and DAY + timedelta(hours=9) < guard <= DAY + timedelta(hours=9, minutes=3)

    day.live_until(DAY + timedelta(hours=10))
    assert ["feed the cat" in m.content for m in discord.channel_messages()] == [True]
    assert day.wakes[0] <= DAY + timedelta(hours=9, minutes=3)  # taken over within minutes, not a day
    assert day.armed() == DAY + timedelta(days=2, hours=9)
