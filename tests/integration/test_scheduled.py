"""Mood computed when read, and proactive delivery, on the real PostgreSQL, Discord over loopback."""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import (
    Conversation,
    Message,
    MoodHistory,
    MoodShard,
    Personality,
    ScheduledEvent,
    User,
    UserPreference,
    UserRelationship,
)
from loyal_companion.db.turns import load_turn_state
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord import components as ui
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.jobs.due import claim
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.living.mood import kept_sql
from loyal_companion.llm.offline import OFFLINE_LABEL, OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.queue import Envelope
from loyal_companion.service.worker import process_envelope
from tests.support.interactions import command, opt
from tests.support.worker import Clock, make_worker

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


# -- mood: computed when read, no job ---------------------------------------------------------------


def _mood(session_factory: sessionmaker[Session], guild_id: int | None, now: datetime) -> tuple[float, float]:
    with session_factory() as s:
        state = load_turn_state(
            s,
            discord_id=300000000000000001,
            guild_id=guild_id,
            channel_id=None,
            requested=None,
            now=now,
            minute_ago=now - timedelta(minutes=1),
            day_start=now,
            default_slug="bartender",
        )
    return state.mood_valence, state.mood_arousal


def test_a_mood_read_after_six_idle_hours_equals_the_closed_form(
    session_factory: sessionmaker[Session],
) -> None:
    _person(session_factory)
    with session_factory() as s:
        s.add_all(
            [  # two people's shares of one server's mood, written at T0 and an hour before
                MoodShard(guild_id=7, shard=0, valence_offset=0.5, arousal_offset=0.4, updated_at=T0),
                MoodShard(
                    guild_id=7,
                    shard=3,
                    valence_offset=0.3,
                    arousal_offset=-0.2,
                    updated_at=T0 - timedelta(hours=1),
                ),
            ]
        )
        mood = s.scalars(select(Personality.settings).where(Personality.slug == "bartender")).one()["mood"]
        s.commit()
    rate, bv, ba = mood["decay_rate_per_hour"], mood["baseline_valence"], mood["baseline_arousal"]
    later = T0 + timedelta(hours=6)
    valence, arousal = _mood(session_factory, 7, later)
    # The closed form, share by share: each offset decays from when it was written.
    assert valence == pytest.approx(decayed(bv + 0.5, bv, rate, 6) + decayed(bv + 0.3, bv, rate, 7) - bv)
    assert arousal == pytest.approx(decayed(ba + 0.4, ba, rate, 6) + decayed(ba - 0.2, ba, rate, 7) - ba)
    assert valence == pytest.approx(bv + (0.5 + 0.3 * math.exp(-rate)) * math.exp(-rate * 6))
    with session_factory() as s:  # nothing was written to get there
        assert {m.updated_at for m in s.scalars(select(MoodShard))} == {T0, T0 - timedelta(hours=1)}
        assert s.scalar(select(func.count()).select_from(MoodHistory)) == 0
    # Read again at the same moment: the same mood (a read changes nothing).
    assert _mood(session_factory, 7, later) == (valence, arousal)


def test_the_drift_back_is_written_to_history_when_the_mood_is_next_written(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    clock = Clock(T0)
    worker = make_worker(session_factory, discord, OfflineResponder(), clock)
    worker.run("chat", [{"name": "message", "type": 3, "value": "Evening."}], guild_id="7")
    with session_factory() as s:  # a strong mood in this person's share of the server
        s.execute(text("UPDATE mood_shards SET valence_offset = 0.8, arousal_offset = 0.6"))
        s.commit()
    clock.now = T0 + timedelta(minutes=1)
    worker.run("chat", [{"name": "message", "type": 3, "value": "Still here."}], guild_id="7")
    with session_factory() as s:  # a minute later it has hardly drifted: no line for it
        assert s.scalar(select(func.count()).where(MoodHistory.trigger_type == "time_decay")) == 0
        s.execute(
            text("UPDATE mood_shards SET valence_offset = 0.8, arousal_offset = 0.6, updated_at = :t"),
            {"t": clock.now},
        )
        s.commit()
    clock.now = T0 + timedelta(hours=6)
    worker.run("chat", [{"name": "message", "type": 3, "value": "Back again."}], guild_id="7")
    with session_factory() as s:
        drift = s.scalars(select(MoodHistory).where(MoodHistory.trigger_type == "time_decay")).one()
    assert drift.guild_id == 7 and drift.recorded_at < clock.now
    assert drift.trigger_description == "drifted back toward a steady baseline"


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


def test_in_a_server_channel_it_mentions_only_its_person_and_carries_a_reply_button(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    user_id = _person(session_factory)
    _event(session_factory, user_id, channel_id=700000000000000001, guild_id=600000000000000001)
    _event(session_factory, user_id, title="water the plants", context={"text": "water the plants"})
    run_proactive(_deps(session_factory, discord, Clock(T0 + timedelta(seconds=1))))
    posts = {c.path.split("/")[-2]: c.json for c in discord.calls if c.path.endswith("/messages")}
    in_server = posts["700000000000000001"]
    assert in_server["content"].startswith("<@300000000000000001> ")
    # Only that person is notified: never roles, everyone or anyone else named in the text.
    assert in_server["allowed_mentions"] == {"parse": [], "users": ["300000000000000001"]}
    by_dm = posts[discord.dm_channels["300000000000000001"]]
    assert not by_dm["content"].startswith("<@") and by_dm["allowed_mentions"] == {"parse": []}
    for payload in (in_server, by_dm):
        assert payload["components"] == [ui.reply_row(300000000000000001)]


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


def test_a_person_who_installed_the_app_for_themselves_gets_it_by_dm(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    clock = Clock(T0)
    worker = make_worker(session_factory, discord, OfflineResponder(), clock)
    installed_by_them = command(
        "remind", [opt("when", "in 5 minutes"), opt("what", "call Mum")], guild_id="600000000000000001"
    )
    # Used in a server where the app is theirs, not the server's: the bot cannot post there.
    installed_by_them["authorizing_integration_owners"] = {"1": "300000000000000001"}
    process_envelope(Envelope(interaction=installed_by_them, received_at=clock.now), worker.services)
    clock.now = T0 + timedelta(minutes=6)
    run_proactive(_deps(session_factory, discord, clock))
    [message] = discord.channel_messages()
    assert message.channel == discord.dm_channels["300000000000000001"] and "call Mum" in message.content


@pytest.mark.parametrize(("hours_ago", "gentle"), [(3, True), (25, False)])
def test_in_the_day_after_a_crisis_what_it_sends_on_its_own_is_gentle(
    session_factory: sessionmaker[Session], discord: DiscordStub, hours_ago: int, gentle: bool
) -> None:
    user_id = _person(session_factory)
    with session_factory() as s:
        conversation = Conversation(user_id=user_id)
        s.add(conversation)
        s.flush()
        s.add(
            Message(
                conversation_id=conversation.id,
                user_id=user_id,
                role="user",
                content="(a crisis turn)",
                safety_concern="suicide",
                created_at=T0 - timedelta(hours=hours_ago),
            )
        )
        s.commit()
    _event(
        session_factory,
        user_id,
        event_type="birthday",
        title="Birthday",
        is_recurring=True,
        recurrence_rule="yearly",
        context={"month": 11, "day": 22},
    )
    run_proactive(_deps(session_factory, discord, Clock(T0)))
    [message] = discord.channel_messages()
    assert ("Happy birthday" not in message.content) is gentle
    assert ("Thinking of you" in message.content) is gentle
    assert message.content.endswith("-# You're talking with an AI, not a person.")


def decayed(value: float, baseline: float, rate: float, hours: float) -> float:
    """The drift back toward the baseline, written out here as the test's own closed form."""
    return baseline + (value - baseline) * math.exp(-rate * max(hours, 0.0))


@pytest.mark.parametrize(
    ("hours", "rate"), [(0.0, 0.05), (1.0, 0.05), (6.5, 0.05), (48.0, 0.2), (-2.0, 0.05)]
)
def test_the_drift_the_turn_reads_and_writes_is_the_closed_form(
    engine: Engine, hours: float, rate: float
) -> None:
    """living.mood.kept_sql, evaluated by PostgreSQL, keeps e^(-rate × hours) of an offset (none lost
    for a share written after the moment read: a clock that went back)."""
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    with engine.connect() as conn:
        drift = kept_sql(
            since="CAST(:since AS timestamptz)", now="CAST(:now AS timestamptz)", rate="CAST(:rate AS float8)"
        )
        kept = conn.execute(
            text(f"SELECT {drift}"),
            {"since": now - timedelta(hours=hours), "now": now, "rate": rate},
        ).scalar_one()
    assert kept == pytest.approx(math.exp(-rate * max(hours, 0.0)))
    assert decayed(0.7, 0.1, rate, hours) == pytest.approx(0.1 + 0.6 * kept)
