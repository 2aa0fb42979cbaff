"""Repositories: the queries, in one place per table family. They flush but never commit.

Each method takes what it needs (including ``now`` where time matters) and returns model objects or
plain values; the transaction belongs to the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from loyal_companion.db.models import (
    BotState,
    Conversation,
    Guild,
    InteractionReceipt,
    Message,
    Persona,
    Personality,
    ScheduledEvent,
    User,
    UserFact,
    UserPreference,
    UserRelationship,
)


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert_seen(
        self,
        *,
        discord_id: int,
        username: str | None,
        display_name: str | None,
        now: datetime,
    ) -> User:
        """Create the user on first sight, otherwise refresh names and last_seen_at; one round trip."""
        values = insert(User).values(
            discord_id=discord_id,
            discord_username=username,
            discord_display_name=display_name,
            first_seen_at=now,
            last_seen_at=now,
        )
        stmt = values.on_conflict_do_update(
            index_elements=[User.discord_id],
            set_={
                "discord_username": func.coalesce(values.excluded.discord_username, User.discord_username),
                "discord_display_name": func.coalesce(
                    values.excluded.discord_display_name, User.discord_display_name
                ),
                "last_seen_at": now,
                "is_active": True,
                "updated_at": now,
            },
        ).returning(User)
        return self._session.scalars(stmt, execution_options={"populate_existing": True}).one()

    def by_discord_id(self, discord_id: int) -> User | None:
        return self._session.scalars(select(User).where(User.discord_id == discord_id)).one_or_none()

    def delete(self, user_id: int) -> bool:
        """Really delete the person; foreign keys cascade to everything that is theirs."""
        result = self._session.execute(delete(User).where(User.id == user_id).returning(User.id))
        return result.first() is not None


class PreferenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int, key: str) -> str | None:
        return self._session.scalars(
            select(UserPreference.preference_value).where(
                UserPreference.user_id == user_id, UserPreference.preference_key == key
            )
        ).one_or_none()

    def set(self, user_id: int, key: str, value: str | None, *, now: datetime) -> None:
        stmt = insert(UserPreference).values(user_id=user_id, preference_key=key, preference_value=value)
        stmt = stmt.on_conflict_do_update(
            index_elements=[UserPreference.user_id, UserPreference.preference_key],
            set_={"preference_value": value, "updated_at": now},
        )
        self._session.execute(stmt)

    def all_for(self, user_id: int) -> dict[str, str | None]:
        rows = self._session.execute(
            select(UserPreference.preference_key, UserPreference.preference_value).where(
                UserPreference.user_id == user_id
            )
        )
        return {row[0]: row[1] for row in rows}


class FactRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, fact: UserFact) -> UserFact:
        self._session.add(fact)
        self._session.flush()
        return fact

    def active_for(self, user_id: int, *, limit: int = 100) -> Sequence[UserFact]:
        return self._session.scalars(
            select(UserFact)
            .where(UserFact.user_id == user_id, UserFact.is_active.is_(True))
            .order_by(UserFact.importance.desc(), UserFact.learned_at.desc(), UserFact.id.desc())
            .limit(limit)
        ).all()

    def deactivate(self, user_id: int, fact_id: int, *, now: datetime) -> bool:
        """Soft-delete one of the person's facts (the id must be theirs: never trust a bare id)."""
        result = self._session.execute(
            update(UserFact)
            .where(UserFact.id == fact_id, UserFact.user_id == user_id, UserFact.is_active.is_(True))
            .values(is_active=False, updated_at=now)
            .returning(UserFact.id)
        )
        return result.first() is not None

    def delete_all_for(self, user_id: int) -> int:
        result = self._session.execute(
            delete(UserFact).where(UserFact.user_id == user_id).returning(UserFact.id)
        )
        return len(result.all())


class GuildRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, *, discord_id: int, name: str | None, now: datetime) -> Guild:
        values = insert(Guild).values(discord_id=discord_id, name=name, joined_at=now)
        stmt = values.on_conflict_do_update(
            index_elements=[Guild.discord_id],
            set_={"name": func.coalesce(values.excluded.name, Guild.name), "updated_at": now},
        ).returning(Guild)
        return self._session.scalars(stmt, execution_options={"populate_existing": True}).one()

    def by_discord_id(self, discord_id: int) -> Guild | None:
        return self._session.scalars(select(Guild).where(Guild.discord_id == discord_id)).one_or_none()


class ReceiptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, interaction_id: int) -> InteractionReceipt | None:
        return self._session.get(InteractionReceipt, interaction_id)

    def add(self, *, interaction_id: int, user_id: int | None, command: str, reply: dict[str, Any]) -> None:
        """Store the reply. A concurrent twin storing the same interaction fails on the primary key."""
        self._session.add(
            InteractionReceipt(interaction_id=interaction_id, user_id=user_id, command=command, reply=reply)
        )
        self._session.flush()


class ConversationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def latest(self, *, user_id: int, channel_id: int | None) -> Conversation | None:
        return self._session.scalars(
            select(Conversation)
            .where(
                Conversation.user_id == user_id,
                Conversation.channel_id.is_(None)
                if channel_id is None
                else Conversation.channel_id == channel_id,
                Conversation.is_active.is_(True),
            )
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
            .limit(1)
        ).one_or_none()

    def window(self, conversation_id: int, limit: int) -> list[Message]:
        """The last ``limit`` messages of a conversation, oldest first."""
        rows = self._session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        ).all()
        return list(reversed(rows))

    def start(
        self, *, user_id: int, guild_id: int | None, channel_id: int | None, now: datetime
    ) -> Conversation:
        conversation = Conversation(
            user_id=user_id, guild_id=guild_id, channel_id=channel_id, started_at=now, last_message_at=now
        )
        self._session.add(conversation)
        self._session.flush()
        return conversation

    def add_messages(self, conversation: Conversation, messages: list[Message], *, now: datetime) -> None:
        for message in messages:
            message.conversation_id = conversation.id
        self._session.add_all(messages)
        conversation.message_count += len(messages)
        conversation.last_message_at = now
        self._session.flush()

    def user_turns_since(self, user_id: int, since: datetime) -> int:
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.user_id == user_id, Message.role == "user", Message.created_at >= since)
            )
            or 0
        )

    def model_tokens_since(
        self, *, since: datetime, user_id: int | None = None, guild_id: int | None = None
    ) -> int:
        stmt = select(
            func.coalesce(
                func.sum(
                    func.coalesce(Message.model_prompt_tokens, 0)
                    + func.coalesce(Message.model_completion_tokens, 0)
                ),
                0,
            )
        ).where(Message.created_at >= since, Message.role == "assistant")
        if user_id is not None:
            stmt = stmt.where(Message.user_id == user_id)
        if guild_id is not None:
            stmt = stmt.join(Conversation, Conversation.id == Message.conversation_id).where(
                Conversation.guild_id == guild_id
            )
        return int(self._session.scalar(stmt) or 0)


class PersonalityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_slug(self, slug: str) -> Personality | None:
        return self._session.scalars(select(Personality).where(Personality.slug == slug)).one_or_none()

    def find(self, name: str) -> Personality | None:
        """By slug or (case-insensitive) name or display name."""
        key = name.strip().lower()
        return self._session.scalars(
            select(Personality)
            .where(
                (Personality.slug == key)
                | (func.lower(Personality.name) == key)
                | (func.lower(Personality.display_name) == key)
            )
            .order_by(Personality.id)
            .limit(1)
        ).one_or_none()

    def all(self) -> list[Personality]:
        return list(self._session.scalars(select(Personality).order_by(Personality.id)).all())


class MoodRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, guild_id: int | None) -> BotState | None:
        cond = BotState.guild_id.is_(None) if guild_id is None else BotState.guild_id == guild_id
        return self._session.scalars(select(BotState).where(cond)).one_or_none()

    def get_or_create(
        self, guild_id: int | None, *, now: datetime, valence: float, arousal: float
    ) -> BotState:
        stmt = (
            insert(BotState)
            .values(
                guild_id=guild_id,
                mood_valence=valence,
                mood_arousal=arousal,
                mood_updated_at=now,
                first_activated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[BotState.guild_id])
        )
        self._session.execute(stmt)
        state = self.get(guild_id)
        assert state is not None
        return state


class RelationshipRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int, guild_id: int | None) -> UserRelationship | None:
        cond = (
            UserRelationship.guild_id.is_(None) if guild_id is None else UserRelationship.guild_id == guild_id
        )
        return self._session.scalars(
            select(UserRelationship).where(UserRelationship.user_id == user_id, cond)
        ).one_or_none()


class EventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, event: ScheduledEvent) -> ScheduledEvent:
        self._session.add(event)
        self._session.flush()
        return event

    def cancel_pending(self, user_id: int, event_types: tuple[str, ...], *, now: datetime) -> int:
        result = self._session.execute(
            update(ScheduledEvent)
            .where(
                ScheduledEvent.user_id == user_id,
                ScheduledEvent.event_type.in_(event_types),
                ScheduledEvent.status == "pending",
            )
            .values(status="cancelled", updated_at=now)
            .returning(ScheduledEvent.id)
        )
        return len(result.all())

    def pending_for(self, user_id: int) -> list[ScheduledEvent]:
        return list(
            self._session.scalars(
                select(ScheduledEvent)
                .where(ScheduledEvent.user_id == user_id, ScheduledEvent.status == "pending")
                .order_by(ScheduledEvent.trigger_at)
            ).all()
        )


class PersonaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def set_own(self, user: User, content: str, *, now: datetime) -> Persona:
        """The person's own description replaces any earlier one of theirs."""
        self.clear_own(user)
        persona = Persona(
            name=f"{user.display_name}'s persona", content=content, owner_id=user.id, is_global=False
        )
        self._session.add(persona)
        self._session.flush()
        user.global_persona_id = persona.id
        user.updated_at = now
        self._session.flush()
        return persona

    def clear_own(self, user: User) -> int:
        user.global_persona_id = None
        self._session.flush()
        result = self._session.execute(
            delete(Persona).where(Persona.owner_id == user.id).returning(Persona.id)
        )
        return len(result.all())

    def get(self, persona_id: int | None) -> Persona | None:
        return self._session.get(Persona, persona_id) if persona_id is not None else None

    def system_default(self) -> Persona | None:
        return self._session.scalars(
            select(Persona)
            .where(Persona.is_global.is_(True), Persona.owner_id.is_(None))
            .order_by(Persona.id)
            .limit(1)
        ).one_or_none()


class Repositories:
    """Every repository over one session: what a unit of work hands its caller."""

    def __init__(self, session: Session) -> None:
        self.users = UserRepository(session)
        self.preferences = PreferenceRepository(session)
        self.facts = FactRepository(session)
        self.guilds = GuildRepository(session)
        self.receipts = ReceiptRepository(session)
        self.conversations = ConversationRepository(session)
        self.personalities = PersonalityRepository(session)
        self.moods = MoodRepository(session)
        self.relationships = RelationshipRepository(session)
        self.events = EventRepository(session)
        self.personas = PersonaRepository(session)
