"""Mood decay and proactive delivery on the real PostgreSQL, Discord over loopback."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import (
    MoodHistory,
    MoodShard,
    ScheduledEvent,
    User,
    UserPreference,
    UserRelationship,
)
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.jobs.decay import DecayParameters, decay_moods, run_mood_decay
from loyal_companion.jobs.proactive import ProactiveDeps, claim, run_proactive
from loyal_companion.living.mood import decayed
from loyal_companion.llm.offline import OFFLINE_LABEL, OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.worker import Clock

T0 = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def _deps(session_factory: sessionmaker[Session], discord: DiscordStub, clock: Clock) -> ProactiveDeps:
    return ProactiveDeps(
        unit_of_work=lambda: UnitOfWork(session_factory),
        discord=DiscordRest(
            api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None, max_attempts=2
        ),
        model=OfflineResponder(),
        clock=clock,
    )


def _person(
    session_factory: sessionmaker[Session], discord_id: int = 300000000000000001, **user: object
) -> int:
    with session_factory() as s:
        person = User(discord_id=discord_id, discord_username="ana", discord_display_name="Ana", **user)
        s.add(person)
        s.commit()
        return person.id


def _event(session_factory: sessionmaker[Session], user_id: int, **values: object) -> int:
    fields = {
        "event_type": "reminder",
        "trigger_at": T0,
        "due_at": T0,
        "title": "stretch",
        "context": {"text": "stretch"},
    }
    fields.update(values)
    with session_factory() as s:
        event = ScheduledEvent(user_id=user_id, **fields)
        s.add(event)
        s.commit()
        return event.id


def _status(session_factory: sessionmaker[Session], event_id: int) -> ScheduledEvent:
    with session_factory() as s:
        event = s.get(ScheduledEvent, event_id)
        assert event is not None
        s.expunge(event)
        return event


# -- mood decay ------------------------------------------------------------------------------------


def test_decay_settles_offsets_by_the_closed_form(uow_factory: Callable[[], UnitOfWork]) -> None:
    params = DecayParameters(
        rate_per_hour=0.05, baseline_valence=0.1, baseline_arousal=-0.1, history_threshold=0.1
    )
    with uow_factory() as uow:
        uow.session.add_all(
            [
                MoodShard(guild_id=None, shard=0, valence_offset=0.8, arousal_offset=0.9, updated_at=T0),
                MoodShard(
                    guild_id=7,
                    shard=3,
                    valence_offset=-0.7,
                    arousal_offset=0.3,
                    updated_at=T0 - timedelta(hours=30),
                ),
                # at the baseline already: never written
                MoodShard(guild_id=8, shard=1, valence_offset=0, arousal_offset=0, updated_at=T0),
            ]
        )
        uow.commit()
    later = T0 + timedelta(hours=10)
    with uow_factory() as uow:
        result = decay_moods(uow.session, now=later, params=params)
        uow.commit()
    assert result.moved == 2
    with uow_factory() as uow:
        shards = {b.guild_id: b for b in uow.session.scalars(select(MoodShard)).all()}
        assert 0.1 + shards[None].valence_offset == pytest.approx(decayed(0.9, 0.1, 0.05, 10))
        assert -0.1 + shards[None].arousal_offset == pytest.approx(decayed(0.8, -0.1, 0.05, 10))
        assert shards[7].valence_offset == pytest.approx(-0.7 * math.exp(-0.05 * 40))
        assert shards[None].updated_at == later
        assert shards[8].updated_at == T0


def test_decay_twice_at_the_same_instant_changes_nothing(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.session.add(
            MoodShard(guild_id=None, shard=0, valence_offset=0.8, arousal_offset=0.6, updated_at=T0)
        )
        uow.commit()
    later = T0 + timedelta(hours=3)
    first = run_mood_decay(uow_factory(), now=later)
    second = run_mood_decay(uow_factory(), now=later)
    assert (first.moved, second.moved) == (1, 0)


def test_a_mood_that_has_settled_is_written_no_more(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.session.add(MoodShard(guild_id=5, shard=0, valence_offset=0.01, arousal_offset=0, updated_at=T0))
        uow.commit()
    assert run_mood_decay(uow_factory(), now=T0 + timedelta(hours=20)).moved == 1  # below SETTLE: zero
    with uow_factory() as uow:
        assert uow.session.scalars(select(MoodShard)).one().valence_offset == 0
    assert run_mood_decay(uow_factory(), now=T0 + timedelta(hours=40)).moved == 0


def test_mood_history_only_for_meaningful_changes(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.session.add_all(
            [
                MoodShard(guild_id=1, shard=0, valence_offset=0.8, arousal_offset=1.0, updated_at=T0),
                MoodShard(guild_id=2, shard=0, valence_offset=0.02, arousal_offset=0.02, updated_at=T0),
            ]
        )
        uow.commit()
    run_mood_decay(uow_factory(), now=T0 + timedelta(hours=6))
    with uow_factory() as uow:
        history = uow.session.scalars(select(MoodHistory)).all()
        assert [(h.guild_id, h.trigger_type) for h in history] == [(1, "time_decay")]


# -- proactive delivery ----------------------------------------------------------------------------


def test_a_due_reminder_is_sent_by_dm_once_and_marked(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    user_id = _person(session_factory)
    event_id = _event(session_factory, user_id)
    clock = Clock(T0 + timedelta(seconds=1))
    result = run_proactive(_deps(session_factory, discord, clock))
    assert result.sent == 1
    [message] = discord.channel_messages()
    assert message.channel == discord.dm_channels["300000000000000001"] and "stretch" in message.content
    sent = _status(session_factory, event_id)
    assert sent.status == "triggered" and sent.triggered_at == clock.now
    assert run_proactive(_deps(session_factory, discord, clock)).claimed == 0


def test_events_not_yet_due_wait(session_factory: sessionmaker[Session], discord: DiscordStub) -> None:
    _event(session_factory, _person(session_factory), due_at=T0 + timedelta(hours=1))
    assert run_proactive(_deps(session_factory, discord, Clock(T0))).claimed == 0


def test_a_birthday_rolls_forward_a_year(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    user_id = _person(session_factory, timezone="Europe/Lisbon")
    trigger = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    event_id = _event(
        session_factory,
        user_id,
        event_type="birthday",
        title="Birthday",
        trigger_at=trigger,
        due_at=trigger,
        is_recurring=True,
        recurrence_rule="yearly",
        context={"month": 11, "day": 22},
    )
    run_proactive(_deps(session_factory, discord, Clock(T0)))
    event = _status(session_factory, event_id)
    assert event.status == "pending" and event.trigger_at == datetime(2027, 11, 22, 9, 0, tzinfo=UTC)
    assert OFFLINE_LABEL in discord.channel_messages()[0].content  # written without a model: labelled


def test_403_cancels_with_the_reason_kept(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    event_id = _event(session_factory, _person(session_factory))
    discord.fail_next(
        r"POST /api/v10/channels", 403, body={"message": "Cannot send messages to this user", "code": 50007}
    )
    result = run_proactive(_deps(session_factory, discord, Clock(T0)))
    event = _status(session_factory, event_id)
    assert result.cancelled == 1 and event.status == "cancelled"
    assert event.last_error is not None and "50007" in event.last_error


def test_500_goes_back_to_pending_with_a_next_try_then_fails_after_the_limit(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    event_id = _event(session_factory, _person(session_factory))
    discord.fail_next(r"POST /api/v10/channels", 500, times=100)
    clock = Clock(T0)
    deps = _deps(session_factory, discord, clock)
    run_proactive(deps)
    event = _status(session_factory, event_id)
    assert (event.status, event.attempts) == ("pending", 1)
    assert event.due_at == T0 + timedelta(minutes=1) and "500" in (event.last_error or "")
    for _ in range(6):
        clock.now = clock.now + timedelta(hours=2)
        run_proactive(deps)
    assert _status(session_factory, event_id).status == "failed"
    assert _status(session_factory, event_id).attempts == 5


def test_429_waits_retry_after(session_factory: sessionmaker[Session], discord: DiscordStub) -> None:
    event_id = _event(session_factory, _person(session_factory))
    discord.fail_next(r"POST /api/v10/channels", 429, times=2, body={"message": "slow", "retry_after": 30.0})
    run_proactive(_deps(session_factory, discord, Clock(T0)))
    event = _status(session_factory, event_id)
    assert event.status == "pending" and event.due_at == T0 + timedelta(seconds=30)


def test_two_runners_at_once_never_claim_the_same_event(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    user_id = _person(session_factory)
    for i in range(200):
        _event(session_factory, user_id, title=f"r{i}")
    deps = _deps(session_factory, discord, Clock(T0))
    claimed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)
    # Both runners start with a connection open: otherwise the one that must first connect can find the
    # other has claimed all 200 (claims take well under a millisecond since statements are prepared).
    engine = session_factory.kw["bind"]
    with engine.connect(), engine.connect():
        pass

    def runner(slot: int) -> None:
        barrier.wait()
        while batch := claim(deps, now=T0, batch=7):
            claimed[slot].extend(e["id"] for e in batch)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert claimed[0] and claimed[1]
    assert len(claimed[0]) + len(claimed[1]) == 200
    assert not set(claimed[0]) & set(claimed[1])


def test_a_runner_killed_after_claiming_loses_nothing(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    event_id = _event(session_factory, _person(session_factory))
    clock = Clock(T0)
    deps = _deps(session_factory, discord, clock)
    assert [e["id"] for e in claim(deps, now=T0)] == [event_id]  # ...and the runner dies here
    assert run_proactive(deps).claimed == 0  # the lease still holds
    clock.now = T0 + timedelta(minutes=3)  # the lease ran out
    assert run_proactive(deps).sent == 1
    assert _status(session_factory, event_id).status == "triggered"
    assert len(discord.channel_messages()) == 1


def test_a_resend_of_the_same_occurrence_posts_once(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    event_id = _event(session_factory, _person(session_factory))
    clock = Clock(T0)
    deps = _deps(session_factory, discord, clock)
    run_proactive(deps)
    with session_factory() as s:  # as if the mark had been lost after the send
        s.execute(
            text("UPDATE scheduled_events SET status = 'pending', due_at = :t WHERE id = :id"),
            {"t": T0, "id": event_id},
        )
        s.commit()
    run_proactive(deps)
    assert len(discord.channel_messages()) == 1


# -- check-ins -------------------------------------------------------------------------------------


def _opted_in(
    session_factory: sessionmaker[Session], *, score: float, quiet_days: float, checkins: str = "on"
) -> int:
    user_id = _person(session_factory, last_seen_at=T0 - timedelta(days=quiet_days), timezone="UTC")
    with session_factory() as s:
        s.add_all(
            [
                UserPreference(user_id=user_id, preference_key="checkins", preference_value=checkins),
                UserRelationship(user_id=user_id, guild_id=None, relationship_score=score),
            ]
        )
        s.commit()
    return user_id


def test_one_gentle_check_in_for_a_quiet_regular_who_opted_in(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    _opted_in(session_factory, score=55, quiet_days=4)
    clock = Clock(T0)
    deps = _deps(session_factory, discord, clock)
    assert run_proactive(deps).sent == 1
    clock.now = T0 + timedelta(days=2)
    assert run_proactive(deps).checkins_created == 0  # still the same quiet spell: no second one
    assert len(discord.channel_messages()) == 1
    assert "/checkins off" in discord.channel_messages()[0].content


@pytest.mark.parametrize(("score", "quiet_days", "checkins"), [(30, 5, "on"), (55, 1, "on"), (55, 5, "off")])
def test_no_check_in_without_opt_in_silence_and_closeness(
    session_factory: sessionmaker[Session],
    discord: DiscordStub,
    score: float,
    quiet_days: float,
    checkins: str,
) -> None:
    _opted_in(session_factory, score=score, quiet_days=quiet_days, checkins=checkins)
    assert run_proactive(_deps(session_factory, discord, Clock(T0))).claimed == 0


def test_check_ins_wait_for_the_end_of_quiet_hours(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    _opted_in(session_factory, score=70, quiet_days=5)
    night = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    result = run_proactive(_deps(session_factory, discord, Clock(night)))
    assert (result.deferred, result.sent) == (1, 0)
    with session_factory() as s:
        event = s.scalars(select(ScheduledEvent)).one()
        assert event.status == "pending" and event.due_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        assert event.attempts == 0
    assert (
        run_proactive(_deps(session_factory, discord, Clock(datetime(2026, 11, 23, 9, 1, tzinfo=UTC)))).sent
        == 1
    )


def test_counts_are_consistent(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ScheduledEvent)) == 0


def test_a_persons_dm_channel_is_opened_once_and_remembered(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    user_id = _person(session_factory)
    _event(session_factory, user_id)
    _event(session_factory, user_id, title="water the plants", due_at=T0 + timedelta(hours=1))
    for later in (timedelta(seconds=1), timedelta(hours=1, seconds=1)):  # two runs, one DM each
        assert run_proactive(_deps(session_factory, discord, Clock(T0 + later))).sent == 1
    opened = [c for c in discord.calls if c.path.endswith("/users/@me/channels")]
    assert len(opened) == 1  # the second DM cost one request, not two
    channel = discord.dm_channels["300000000000000001"]
    assert [m.channel for m in discord.channel_messages()] == [channel, channel]
    with session_factory() as s:
        assert s.get(User, user_id).dm_channel_id == int(channel)  # type: ignore[union-attr]


def test_being_paced_by_discord_uses_up_no_attempt(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    user_id = _person(session_factory)
    event_id = _event(session_factory, user_id)
    limited = {"message": "You are being rate limited.", "retry_after": 0.5, "global": False}
    # Two answers per run: the client tries twice (max_attempts=2) before handing the 429 to the run.
    discord.fail_next(r"POST /api/v10/channels/.*/messages", 429, times=16, body=limited)
    clock = Clock(T0 + timedelta(seconds=1))
    for _ in range(8):  # more 429s than an event has attempts
        assert run_proactive(_deps(session_factory, discord, clock)).retried == 1
        clock.now += timedelta(seconds=1)
    assert run_proactive(_deps(session_factory, discord, clock)).sent == 1
    sent = _status(session_factory, event_id)
    assert sent.status == "triggered" and sent.attempts == 1
