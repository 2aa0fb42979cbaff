"""People and servers: who someone is, their preferences, the servers and members, how well the companion
knows them and how they like to be talked to, and what they may spend.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from loyal_companion.db.base import (
    EMPTY_OBJECT,
    FALSE,
    TRUE,
    ZERO,
    Base,
    bigint_pk,
    created_at_column,
    updated_at_column,
    user_fk,
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = bigint_pk()
    discord_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    discord_username: Mapped[str | None] = mapped_column(String(255))
    discord_display_name: Mapped[str | None] = mapped_column(String(255))
    custom_name: Mapped[str | None] = mapped_column(String(255))
    first_seen_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_seen_at: Mapped[datetime] = mapped_column(server_default=text("now()"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=TRUE)
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
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    preference_key: Mapped[str] = mapped_column(String(100))
    preference_value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("user_id", "preference_key"),)


class Guild(Base):
    __tablename__ = "guilds"

    id: Mapped[int] = bigint_pk()
    discord_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    joined_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=TRUE)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class GuildMember(Base):
    __tablename__ = "guild_members"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    guild_nickname: Mapped[str | None] = mapped_column(String(255))
    roles: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    joined_guild_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)


class UserRelationship(Base):
    __tablename__ = "user_relationships"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    relationship_score: Mapped[float] = mapped_column(Float, server_default=ZERO)
    total_interactions: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    positive_interactions: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    negative_interactions: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    avg_message_length: Mapped[float] = mapped_column(Float, server_default=ZERO)
    conversation_depth_avg: Mapped[float] = mapped_column(Float, server_default=ZERO)
    shared_references: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    # Someone else in this server shares an interest or a place with them (set when memory links them).
    common_ground: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
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
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), unique=True, index=True)
    preferred_length: Mapped[str] = mapped_column(String(20), server_default=text("'medium'"))
    preferred_formality: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    emoji_affinity: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    humor_affinity: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    detail_preference: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    engagement_signals: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    samples_collected: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    confidence: Mapped[float] = mapped_column(Float, server_default=ZERO)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        CheckConstraint("preferred_length IN ('short', 'medium', 'long')", name="preferred_length"),
    )


class PersonUsage(Base):
    """The per-person guards' counters: the times of the turns of the last minute (at most a few dozen)
    and today's model tokens. One small row, so a guard never counts a person's history."""

    __tablename__ = "person_usage"

    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), primary_key=True)
    recent_turns: Mapped[list[datetime]] = mapped_column(
        ARRAY(DateTime(timezone=True)), server_default=text("'{}'")
    )
    day: Mapped[date | None] = mapped_column(Date)
    day_tokens: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)


class GlobalUsage(Base):
    """Everyone's model tokens today, in shards (``user_id % SHARDS``) summed when read: the deployment's
    daily cap (DAILY_TOKENS_ALL) without a row every turn waits on."""

    __tablename__ = "global_usage"

    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    tokens: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)


class ServerUsage(Base):
    """A server's model tokens today, in shards (``user_id % SHARDS``) summed when read: the daily
    server budget without a row every turn of the server waits on."""

    __tablename__ = "server_usage"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    tokens: Mapped[int] = mapped_column(BigInteger, server_default=ZERO)
