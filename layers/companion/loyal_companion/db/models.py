"""Typed models for every table of reference/001 and reference/003, adapted as ARCHITECTURE §4 decides.

Decisions worth knowing:
- ids are BIGINT identity columns; Discord snowflakes are BIGINT.
- ``guild_id`` outside ``guild_members`` holds the Discord guild snowflake, as in reference/001: those
  columns are not foreign keys (NULL means DMs / global), so a turn needs no guild lookup.
- 003's ``conversation_history`` is 001's ``conversations`` + ``messages`` (with ``personality_id``).
- Deleting a user cascades to everything that is theirs; ``mood_history.trigger_user_id`` and
  ``activated_channels.created_by`` are set NULL so the shared history stays but no longer names them.
- Uniqueness that includes a nullable guild uses NULLS NOT DISTINCT (PostgreSQL 15+), so there is exactly
  one global row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from loyal_companion.db.base import Base, bigint_pk, created_at_column, updated_at_column
from loyal_companion.db.vector import Vector

_TRUE = text("true")
_FALSE = text("false")
_ZERO = text("0")
_EMPTY_OBJECT = text("'{}'::jsonb")
_EMPTY_ARRAY = text("'[]'::jsonb")


def _user_fk(ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey("users.id", ondelete=ondelete)


# --------------------------------------------------------------------------------------------------
# Personality configuration (reference/003)
# --------------------------------------------------------------------------------------------------


class Persona(Base):
    """A description of a person as they want to be seen; reusable, referenced by id."""

    __tablename__ = "personas"

    id: Mapped[int] = bigint_pk()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, _user_fk(), index=True)
    is_global: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (Index("ix_personas_is_global", "is_global", postgresql_where=text("is_global = true")),)


class SystemPrompt(Base):
    __tablename__ = "system_prompts"

    id: Mapped[int] = bigint_pk()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        # Only one default (a partial unique index, as reference/003).
        Index(
            "ix_system_prompts_is_default",
            "is_default",
            unique=True,
            postgresql_where=text("is_default = true"),
        ),
    )


class LlmConfig(Base):
    __tablename__ = "llm_configs"

    id: Mapped[int] = bigint_pk()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(255))
    temperature: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    top_p: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    top_k: Mapped[int | None] = mapped_column(Integer)
    frequency_penalty: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    presence_penalty: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    repetition_penalty: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    max_tokens: Mapped[int | None] = mapped_column(Integer)
    # Whether the model can see images; NULL means "not said here" (the next level of resolution decides).
    supports_vision: Mapped[bool | None] = mapped_column(Boolean)
    # The prompt's token budget for this config; NULL means "not said here".
    context_budget: Mapped[int | None] = mapped_column(Integer)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    is_free_default: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index(
            "ix_llm_configs_is_default", "is_default", unique=True, postgresql_where=text("is_default = true")
        ),
        Index("ix_llm_configs_is_free_default", "is_free_default"),
    )


class Personality(Base):
    __tablename__ = "personalities"

    id: Mapped[int] = bigint_pk()
    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    avatar_url: Mapped[str | None] = mapped_column(Text)
    system_prompt_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("system_prompts.id", ondelete="SET NULL"), index=True
    )
    llm_config_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("llm_configs.id", ondelete="SET NULL"), index=True
    )
    voice_enabled: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    voice_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    image_enabled: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    image_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    memory_enabled: Mapped[bool] = mapped_column(Boolean, server_default=_TRUE)
    context_window_size: Mapped[int] = mapped_column(Integer, server_default=text("20"))
    # Tunables of the living mind (decay rate, extraction rate, damping, thresholds) per personality.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=_EMPTY_OBJECT)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class PersonalityOwner(Base):
    __tablename__ = "personality_owners"

    personality_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("personalities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(50), server_default=text("'owner'"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),)


class UserPersonalitySetting(Base):
    __tablename__ = "user_personality_settings"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    personality_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("personalities.id", ondelete="CASCADE"), index=True
    )
    persona_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("personas.id", ondelete="SET NULL"), index=True
    )
    llm_config_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("llm_configs.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("user_id", "personality_id"),)


class ActivatedChannel(Base):
    __tablename__ = "activated_channels"

    id: Mapped[int] = bigint_pk()
    channel_id: Mapped[int] = mapped_column(BigInteger, index=True)
    personality_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("personalities.id", ondelete="CASCADE"), index=True
    )
    auto_respond: Mapped[bool] = mapped_column(Boolean, server_default=_TRUE)
    created_by: Mapped[int | None] = mapped_column(BigInteger, _user_fk("SET NULL"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (UniqueConstraint("channel_id", "personality_id"),)


# --------------------------------------------------------------------------------------------------
# Core tables (reference/001)
# --------------------------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = bigint_pk()
    discord_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    discord_username: Mapped[str | None] = mapped_column(String(255))
    discord_display_name: Mapped[str | None] = mapped_column(String(255))
    custom_name: Mapped[str | None] = mapped_column(String(255))
    first_seen_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_seen_at: Mapped[datetime] = mapped_column(server_default=text("now()"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=_TRUE)
    # IANA zone name ("Europe/Lisbon"); NULL until the person tells us. Proactive timing uses it.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The DM channel Discord opened for the person (stable), so a proactive DM does not open it again.
    dm_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    global_persona_id: Mapped[int | None] = mapped_column(
        BigInteger,
        # personas.owner_id points back at users: this side is added after both tables exist.
        ForeignKey("personas.id", ondelete="SET NULL", use_alter=True),
        index=True,
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def display_name(self) -> str:
        return self.custom_name or self.discord_display_name or self.discord_username or "friend"


class UserPreference(Base):
    __tablename__ = "user_preferences"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    preference_key: Mapped[str] = mapped_column(String(100))
    preference_value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("user_id", "preference_key"),)


# What a fact is found by (memory.recall): its words (weight A), who it is about (B) and its type (C), in
# PostgreSQL's English configuration (stemmed, stop words dropped). A trigger copies it into
# user_fact_terms, the per-person postings that recall reads (migration 0009).
FACT_SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, fact_content), 'A') || "
    "setweight(to_tsvector('english'::regconfig, "
    "COALESCE(subject, '') || ' ' || COALESCE(subject_role, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, replace(fact_type, '_', ' ')), 'C')"
)
# The fact's words without case or punctuation: two facts with the same key say the same thing.
FACT_CONTENT_KEY = "btrim(regexp_replace(lower(fact_content), '[^[:alnum:]]+', ' ', 'g'))"


class UserFact(Base):
    __tablename__ = "user_facts"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    fact_type: Mapped[str] = mapped_column(String(50), index=True)
    fact_content: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, server_default=text("1.0"))
    source: Mapped[str] = mapped_column(String(50), server_default=text("'conversation'"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=_TRUE, index=True)
    learned_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_referenced_at: Mapped[datetime | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(50))
    importance: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    temporal_relevance: Mapped[str | None] = mapped_column(String(20))
    expiry_date: Mapped[datetime | None] = mapped_column()
    extracted_from_message_id: Mapped[int | None] = mapped_column(BigInteger)
    extraction_context: Mapped[str | None] = mapped_column(Text)
    # Who the fact is about when it is not the person: a name ("Biscuit") or a role ("father"), and the
    # role when known ("dog"). Recall finds "my dog is worse" through them.
    subject: Mapped[str | None] = mapped_column(String(100))
    subject_role: Mapped[str | None] = mapped_column(String(50))
    # When it happens or happened, where the person said so ("on 14 June").
    happens_on: Mapped[date | None] = mapped_column(Date)
    # A standing wish about how to be talked to ("They prefer short answers"): in every prompt.
    pinned: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    # The newer fact that updated or contradicted this one (kept inactive, as history).
    superseded_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="SET NULL"), index=True
    )
    content_key: Mapped[str] = mapped_column(Text, Computed(FACT_CONTENT_KEY, persisted=True))
    search_vector: Mapped[str] = mapped_column(TSVECTOR, Computed(FACT_SEARCH_VECTOR, persisted=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        # Remembering the same thing twice is found through this index, however much is remembered.
        Index(
            "ux_user_facts_user_id_content_key",
            "user_id",
            "content_key",
            unique=True,
            postgresql_where=text("is_active"),
        ),
        # The person's newest and most important facts (recall's fill when little matches).
        Index("ix_user_facts_user_id_id_active", "user_id", "id", postgresql_where=text("is_active")),
        Index(
            "ix_user_facts_user_id_importance_active",
            "user_id",
            "importance",
            "id",
            postgresql_where=text("is_active"),
        ),
        # What else is known about someone recall found (their dated events), and the standing wishes.
        Index(
            "ix_user_facts_user_id_subject_active",
            "user_id",
            text("lower(subject)"),
            "happens_on",
            postgresql_where=text("is_active AND happens_on IS NOT NULL"),
        ),
        Index("ix_user_facts_user_id_pinned", "user_id", postgresql_where=text("is_active AND pinned")),
        # A single-valued subject's current fact (home, job), replaced by a newer one.
        Index(
            "ix_user_facts_user_id_category_active",
            "user_id",
            "category",
            postgresql_where=text("is_active AND category IS NOT NULL"),
        ),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        CheckConstraint("importance >= 0 AND importance <= 1", name="importance_range"),
        CheckConstraint(
            "temporal_relevance IS NULL OR temporal_relevance IN ('past', 'present', 'future', 'timeless')",
            name="temporal_relevance",
        ),
    )


class UserFactTerm(Base):
    """Per-person postings of the facts' search terms: term → facts, with the fact's BM25 term weight.

    Kept by triggers on user_facts (active facts only), so every way a fact is written or forgotten keeps
    them right. Recall reads a bounded slice of each term's postings through the primary key.
    """

    __tablename__ = "user_fact_terms"

    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), primary_key=True)
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    fact_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class UserMemoryStats(Base):
    """How many active facts a person has (for recall's term rarity); kept by the same triggers."""

    __tablename__ = "user_memory_stats"

    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), primary_key=True)
    active_facts: Mapped[int] = mapped_column(Integer, server_default=_ZERO)


class UserEntity(Base):
    """Someone or something in the person's life, by name and role ("Biscuit", "dog"), from the fact that
    named them: recall widens "my dog" to "Biscuit" and back. Forgetting that fact forgets the entity."""

    __tablename__ = "user_entities"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk())
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(50))
    fact_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), index=True
    )
    name_key: Mapped[str] = mapped_column(String(100), Computed("lower(name)", persisted=True))
    # The search terms of the name and the role, as recall compares them with a message's terms.
    terms: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        Computed(
            "tsvector_to_array(to_tsvector('english'::regconfig, name || ' ' || COALESCE(role, '')))",
            persisted=True,
        ),
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("user_id", "name_key"),)


class UserFactEmbedding(Base):
    """A fact's embedding, for relating facts to a message by meaning (pgvector's cosine distance).

    Exists only where the server has pgvector (migration 0008 skips it otherwise). One row per fact; the
    model is kept so that a change of EMBEDDINGS_MODEL ignores, then replaces, the old vectors. No vector
    index over everyone's vectors: recall compares the message with one person's newest vectors, found
    through (user_id, fact_id).
    """

    __tablename__ = "user_fact_embeddings"

    fact_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk())
    model: Mapped[str] = mapped_column(String(200))
    # The vector's size, kept beside it so that finding a person's usable vectors never reads the vectors.
    dimensions: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[list[float]] = mapped_column(Vector())
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("dimensions = vector_dims(embedding)", name="dimensions"),
        Index("ix_user_fact_embeddings_user_id_fact_id", "user_id", "fact_id"),
    )


class Guild(Base):
    __tablename__ = "guilds"

    id: Mapped[int] = bigint_pk()
    discord_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    joined_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=_TRUE)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=_EMPTY_OBJECT)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class GuildMember(Base):
    __tablename__ = "guild_members"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    guild_nickname: Mapped[str | None] = mapped_column(String(255))
    roles: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    joined_guild_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_message_at: Mapped[datetime] = mapped_column(server_default=text("now()"), index=True)
    message_count: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=_TRUE, index=True)
    # Memory reads the conversation in windows: the last message read, and user turns not yet read.
    memory_read_through: Mapped[int | None] = mapped_column(BigInteger)
    memory_unread: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    # Turns a model has not summarised into episodes yet (memory.episodes, when the conversation ends).
    episode_pending: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # When this conversation last said it is an AI, and last reminded a young person to take a break.
    disclosed_at: Mapped[datetime | None] = mapped_column()
    break_reminded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        # Conversations that ended with turns memory has not read yet (read by the scheduled run).
        Index(
            "ix_conversations_memory_pending",
            "last_message_at",
            postgresql_where=text("memory_unread > 0"),
        ),
        # Conversations that ended with turns not summarised into episodes yet.
        Index(
            "ix_conversations_episode_pending",
            "last_message_at",
            postgresql_where=text("episode_pending"),
        ),
        # A person's current conversation in a channel, however many they have had.
        Index(
            "ix_conversations_user_id_channel_id_active",
            "user_id",
            "channel_id",
            "last_message_at",
            postgresql_where=text("is_active"),
        ),
        # The people most recently active in a server (common ground is looked for among them).
        Index("ix_conversations_guild_id_last_message_at", "guild_id", "last_message_at"),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = bigint_pk()
    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    personality_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("personalities.id", ondelete="SET NULL"), index=True
    )
    discord_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The Discord interaction this message answers or came from: makes a redelivered turn idempotent.
    interaction_id: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    has_images: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    image_urls: Mapped[list[Any]] = mapped_column(JSONB, server_default=_EMPTY_ARRAY)
    token_count: Mapped[int | None] = mapped_column(Integer)
    # What the model call behind an assistant message cost; the daily budgets add these up.
    model_prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    model_completion_tokens: Mapped[int | None] = mapped_column(Integer)
    # The concern a turn showed (safety.detect), on both its messages: memory does not learn from them and
    # a public channel's window leaves them out.
    safety_concern: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        UniqueConstraint("interaction_id", "role"),
        Index("ix_messages_created_at", "created_at"),
        # The window (latest turns of a conversation) and the guards (a person's turns and tokens today).
        Index("ix_messages_conversation_id_created_at", "conversation_id", "created_at"),
        Index("ix_messages_user_id_created_at", "user_id", "created_at"),
        CheckConstraint("role IN ('user', 'assistant', 'system')", name="role"),
        CheckConstraint(
            "safety_concern IS NULL OR safety_concern IN ('suicide', 'self_harm', 'harm_others')",
            name="safety_concern",
        ),
        # A person's recent crisis turns (proactive messages are gentle for a day after one).
        Index(
            "ix_messages_user_id_safety",
            "user_id",
            "created_at",
            postgresql_where=text("safety_concern IS NOT NULL"),
        ),
    )


# --------------------------------------------------------------------------------------------------
# Living AI tables (reference/001)
# --------------------------------------------------------------------------------------------------


class BotState(Base):
    """A server's record of the companion (reference/001). Since migration 0010 its mood and counters are
    not written here but in ``mood_shards`` (no row every turn of a server waits on); the columns stay
    for the reference schema and hold what they held then."""

    __tablename__ = "bot_states"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    mood_valence: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    mood_arousal: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    mood_updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    total_messages_sent: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    total_facts_learned: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    total_users_known: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    first_activated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    preferences: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=_EMPTY_OBJECT)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index("ix_bot_states_guild_id", "guild_id", unique=True, postgresql_nulls_not_distinct=True),
        CheckConstraint("mood_valence BETWEEN -1 AND 1", name="valence_range"),
        CheckConstraint("mood_arousal BETWEEN -1 AND 1", name="arousal_range"),
    )


class BotOpinion(Base):
    __tablename__ = "bot_opinions"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    topic: Mapped[str] = mapped_column(String(255), index=True)
    sentiment: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    interest_level: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    discussion_count: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    reasoning: Mapped[str | None] = mapped_column(Text)
    formed_at: Mapped[datetime | None] = mapped_column()
    last_reinforced_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        UniqueConstraint("guild_id", "topic", postgresql_nulls_not_distinct=True),
        CheckConstraint("sentiment BETWEEN -1 AND 1", name="sentiment_range"),
        CheckConstraint("interest_level BETWEEN 0 AND 1", name="interest_range"),
    )


class UserRelationship(Base):
    __tablename__ = "user_relationships"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    relationship_score: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    total_interactions: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    positive_interactions: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    negative_interactions: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    avg_message_length: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    conversation_depth_avg: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    shared_references: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=_EMPTY_OBJECT)
    # Someone else in this server shares an interest or a place with them (set when memory links them).
    common_ground: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    first_interaction_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_interaction_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        UniqueConstraint("user_id", "guild_id", postgresql_nulls_not_distinct=True),
        CheckConstraint("relationship_score BETWEEN 0 AND 100", name="score_range"),
    )


class UserCommunicationStyle(Base):
    __tablename__ = "user_communication_styles"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), unique=True, index=True)
    preferred_length: Mapped[str] = mapped_column(String(20), server_default=text("'medium'"))
    preferred_formality: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    emoji_affinity: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    humor_affinity: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    detail_preference: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    engagement_signals: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=_EMPTY_OBJECT)
    samples_collected: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    confidence: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        CheckConstraint("preferred_length IN ('short', 'medium', 'long')", name="preferred_length"),
    )


class ScheduledEvent(Base):
    __tablename__ = "scheduled_events"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(50))
    trigger_at: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(255))
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=_EMPTY_OBJECT)
    is_recurring: Mapped[bool] = mapped_column(Boolean, server_default=_FALSE)
    recurrence_rule: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'pending'"), index=True)
    triggered_at: Mapped[datetime | None] = mapped_column()
    # When a runner should next look at it: the trigger time, a retry time, or (while "sending") the end
    # of the claiming runner's lease, after which another runner may claim it again.
    due_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index(
            "ix_scheduled_events_due_at",
            "due_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        CheckConstraint(
            "status IN ('pending', 'sending', 'triggered', 'cancelled', 'failed')", name="status"
        ),
    )


class FactAssociation(Base):
    __tablename__ = "fact_associations"

    id: Mapped[int] = bigint_pk()
    fact_id_1: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), index=True
    )
    fact_id_2: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), index=True
    )
    association_type: Mapped[str] = mapped_column(String(50))
    strength: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    discovered_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("fact_id_1", "fact_id_2"),
        CheckConstraint("fact_id_1 <> fact_id_2", name="distinct_facts"),
    )


class MoodShard(Base):
    """A share of a server's mood (``guild_id`` NULL: DMs), written by the turns of the people whose
    ``user_id % SHARDS`` it is, so turns in one server never wait on one row.

    Each holds how far it moves the mood from the baseline, as of ``updated_at``; the mood at any moment
    is the baseline plus every shard's offset decayed to that moment (``living.mood.decayed``'s closed
    form), computed when read. Counters are shared the same way and summed when read.
    """

    __tablename__ = "mood_shards"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    shard: Mapped[int] = mapped_column(Integer)
    valence_offset: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    arousal_offset: Mapped[float] = mapped_column(Float, server_default=_ZERO)
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    messages_sent: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    facts_learned: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    users_known: Mapped[int] = mapped_column(Integer, server_default=_ZERO)

    __table_args__ = (
        UniqueConstraint("guild_id", "shard", postgresql_nulls_not_distinct=True),
        CheckConstraint("valence_offset BETWEEN -2 AND 2", name="valence_offset_range"),
        CheckConstraint("arousal_offset BETWEEN -2 AND 2", name="arousal_offset_range"),
    )


class PersonUsage(Base):
    """The per-person guards' counters: the times of the turns of the last minute (at most a few dozen)
    and today's model tokens. One small row, so a guard never counts a person's history."""

    __tablename__ = "person_usage"

    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), primary_key=True)
    recent_turns: Mapped[list[datetime]] = mapped_column(
        ARRAY(DateTime(timezone=True)), server_default=text("'{}'")
    )
    day: Mapped[date | None] = mapped_column(Date)
    day_tokens: Mapped[int] = mapped_column(BigInteger, server_default=_ZERO)


class ServerUsage(Base):
    """A server's model tokens today, in shards (``user_id % SHARDS``) summed when read: the daily
    server budget without a row every turn of the server waits on."""

    __tablename__ = "server_usage"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    tokens: Mapped[int] = mapped_column(BigInteger, server_default=_ZERO)


class MoodHistory(Base):
    __tablename__ = "mood_history"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    valence: Mapped[float] = mapped_column(Float)
    arousal: Mapped[float] = mapped_column(Float)
    trigger_type: Mapped[str] = mapped_column(String(50))
    trigger_user_id: Mapped[int | None] = mapped_column(BigInteger, _user_fk("SET NULL"), index=True)
    trigger_description: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"), index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


# --------------------------------------------------------------------------------------------------
# Serverless plumbing
# --------------------------------------------------------------------------------------------------


class InteractionReceipt(Base):
    """The reply to one Discord interaction, stored in the same transaction as the command's effects.

    A redelivered SQS record (or a Lambda retry) finds its receipt and re-sends the stored reply instead
    of doing the work again: exactly-once effects, at-least-once delivery.
    """

    __tablename__ = "interaction_receipts"

    interaction_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger, _user_fk(), index=True)
    command: Mapped[str] = mapped_column(String(64))
    reply: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        # Receipts are kept only while a redelivery could need them (the token's life, and some): a
        # person's are dropped when they next write, everyone's by the scheduled run.
        Index("ix_interaction_receipts_user_id_created_at", "user_id", "created_at"),
        Index("ix_interaction_receipts_created_at", "created_at"),
    )


class DiscordPace(Base):
    """The next free slot for a bot-token request to Discord, shared by every proactive runner."""

    __tablename__ = "discord_pace"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column()

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)


class SafetyReferralCount(Base):
    """Crisis referrals per day, kind and language — and nothing that points at a person or a message:
    what an operator reports (``lc safety report``)."""

    __tablename__ = "safety_referral_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    referrals: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    updated_at: Mapped[datetime] = updated_at_column()


class JobLease(Base):
    """A scheduled job's lease: held by one run while it works, renewed as it goes."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    held_until: Mapped[datetime] = mapped_column()


class InteractionClaim(Base):
    """A worker is answering this interaction until ``claimed_until``: a twin delivery of the same record
    to another container waits for the receipt instead of calling the model a second time."""

    __tablename__ = "interaction_claims"

    interaction_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    claimed_until: Mapped[datetime] = mapped_column(index=True)
