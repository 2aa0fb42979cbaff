"""Constraints, cascades, JSONB and seed data, exercised on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from loyal_companion.db.errors import CHECK_VIOLATION, UNIQUE_VIOLATION, sqlstate
from loyal_companion.db.models import (
    BotOpinion,
    BotState,
    Conversation,
    FactAssociation,
    Guild,
    GuildMember,
    LlmConfig,
    Message,
    MoodHistory,
    Persona,
    Personality,
    ScheduledEvent,
    SystemPrompt,
    User,
    UserCommunicationStyle,
    UserFact,
    UserPersonalitySetting,
    UserPreference,
    UserRelationship,
)
from loyal_companion.db.uow import UnitOfWork

NOW = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def _user(uow: UnitOfWork, discord_id: int = 1001) -> User:
    return uow.repos.users.upsert_seen(discord_id=discord_id, username="ana", display_name="Ana", now=NOW)


def test_seed_has_the_bartender_with_defaults(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        personality = uow.session.scalars(select(Personality).where(Personality.slug == "bartender")).one()
        prompt = uow.session.get(SystemPrompt, personality.system_prompt_id)
        config = uow.session.get(LlmConfig, personality.llm_config_id)
        assert prompt is not None and prompt.is_default
        assert "grief" in prompt.content.lower() and "toxic positivity" in prompt.content.lower()
        assert config is not None and config.is_default
        assert personality.settings["mood"]["decay_rate_per_hour"] == 0.05
        assert personality.settings["facts"]["window_turns"] == 5
        assert uow.session.scalar(select(func.count()).select_from(Persona).where(Persona.is_global)) == 1


def test_only_one_default_system_prompt(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow, pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
        uow.session.add(SystemPrompt(name="another", content="x", is_default=True))
        uow.session.flush()


def test_discord_ids_are_unique(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow, pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
        uow.session.add_all([User(discord_id=5), User(discord_id=5)])
        uow.session.flush()


def test_preference_key_is_unique_per_user(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        user = _user(uow)
        uow.session.add(UserPreference(user_id=user.id, preference_key="checkins", preference_value="on"))
        uow.session.flush()
        with pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
            uow.session.add(
                UserPreference(user_id=user.id, preference_key="checkins", preference_value="off")
            )
            uow.session.flush()


def test_one_global_bot_state_even_though_guild_is_null(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.session.add(BotState(guild_id=None))
        uow.session.add(BotState(guild_id=42))
        uow.session.flush()
        with pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
            uow.session.add(BotState(guild_id=None))
            uow.session.flush()


def test_opinion_topic_unique_per_guild_including_global(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.session.add_all([BotOpinion(guild_id=None, topic="jazz"), BotOpinion(guild_id=7, topic="jazz")])
        uow.session.flush()
        with pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
            uow.session.add(BotOpinion(guild_id=None, topic="jazz"))
            uow.session.flush()


def test_relationship_unique_per_user_and_guild(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        user = _user(uow)
        uow.session.add(UserRelationship(user_id=user.id, guild_id=None))
        uow.session.flush()
        with pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
            uow.session.add(UserRelationship(user_id=user.id, guild_id=None))
            uow.session.flush()


def test_mood_stays_in_range(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow, pytest.raises(DBAPIError) as err:
        uow.session.add(BotState(guild_id=1, mood_valence=1.5))
        uow.session.flush()
    assert sqlstate(err.value) == CHECK_VIOLATION


def test_one_stored_reply_per_interaction(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        user = _user(uow)
        conv = Conversation(user_id=user.id, channel_id=9)
        uow.session.add(conv)
        uow.session.flush()
        base = {"conversation_id": conv.id, "user_id": user.id, "interaction_id": 777}
        uow.session.add_all(
            [Message(role="user", content="hi", **base), Message(role="assistant", content="hey", **base)]
        )
        uow.session.flush()
        with pytest.raises(DBAPIError, match=UNIQUE_VIOLATION):
            uow.session.add(Message(role="assistant", content="again", **base))
            uow.session.flush()


def test_jsonb_round_trip(uow_factory: Callable[[], UnitOfWork]) -> None:
    settings = {"features": {"opinions": False}, "channels": [1, 2, 3], "name": "Ünïcødé ☕", "ratio": 0.4}
    with uow_factory() as uow:
        guild = uow.repos.guilds.upsert(discord_id=99, name="The Bar", now=NOW)
        guild.settings = settings
        uow.commit()
    with uow_factory() as uow:
        stored = uow.session.scalars(select(Guild).where(Guild.discord_id == 99)).one()
        assert stored.settings == settings
        found = uow.session.scalar(
            select(func.count())
            .select_from(Guild)
            .where(Guild.settings["features"]["opinions"].as_boolean().is_(False))
        )
        assert found == 1


def test_deleting_a_user_removes_everything_that_is_theirs(
    uow_factory: Callable[[], UnitOfWork], engine: Engine
) -> None:
    with uow_factory() as uow:
        user = _user(uow, 1)
        other = _user(uow, 2)
        guild = uow.repos.guilds.upsert(discord_id=50, name="g", now=NOW)
        conv = Conversation(user_id=user.id, channel_id=3)
        uow.session.add(conv)
        uow.session.flush()
        fact = UserFact(user_id=user.id, fact_type="hobby", fact_content="plays cello")
        other_fact = UserFact(user_id=other.id, fact_type="hobby", fact_content="plays cello too")
        persona = Persona(name="me", content="tall, tired, kind", owner_id=user.id)
        uow.session.add_all(
            [
                UserPreference(user_id=user.id, preference_key="k", preference_value="v"),
                fact,
                other_fact,
                persona,
                GuildMember(guild_id=guild.id, user_id=user.id),
                Message(conversation_id=conv.id, user_id=user.id, role="user", content="hello"),
                UserRelationship(user_id=user.id, guild_id=None),
                UserCommunicationStyle(user_id=user.id),
                ScheduledEvent(user_id=user.id, event_type="reminder", trigger_at=NOW, title="call mum"),
                MoodHistory(valence=0.1, arousal=0.0, trigger_type="conversation", trigger_user_id=user.id),
            ]
        )
        uow.session.flush()
        uow.session.add(
            FactAssociation(fact_id_1=fact.id, fact_id_2=other_fact.id, association_type="shared_interest")
        )
        personality = uow.session.scalars(select(Personality)).first()
        assert personality is not None
        uow.session.add(
            UserPersonalitySetting(user_id=user.id, personality_id=personality.id, persona_id=persona.id)
        )
        user.global_persona_id = persona.id
        uow.session.flush()
        user_id = user.id
        assert uow.repos.users.delete(user_id)
        uow.commit()

    owned = [
        "user_preferences",
        "user_facts",
        "guild_members",
        "conversations",
        "messages",
        "user_relationships",
        "user_communication_styles",
        "scheduled_events",
        "user_personality_settings",
    ]
    with engine.connect() as conn:
        for table in owned:
            count = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE user_id = :u"), {"u": user_id}
            ).scalar()
            assert count == 0, table
        assert (
            conn.execute(text("SELECT count(*) FROM personas WHERE owner_id = :u"), {"u": user_id}).scalar()
            == 0
        )
        assert conn.execute(text("SELECT count(*) FROM fact_associations")).scalar() == 0
        # Shared history stays but no longer names the person.
        assert conn.execute(text("SELECT trigger_user_id FROM mood_history")).scalar() is None
        # The other person is untouched.
        assert conn.execute(text("SELECT count(*) FROM user_facts")).scalar() == 1


def test_deleting_a_conversation_removes_its_messages(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        user = _user(uow)
        conv = Conversation(user_id=user.id)
        uow.session.add(conv)
        uow.session.flush()
        uow.session.add(Message(conversation_id=conv.id, user_id=user.id, role="user", content="x"))
        uow.session.flush()
        uow.session.delete(conv)
        uow.session.flush()
        assert uow.session.scalar(select(func.count()).select_from(Message)) == 0
