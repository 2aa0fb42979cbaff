"""The living mind: the companion's state per server, its opinions, its mood in shards and the history
of how it moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from loyal_companion.db.base import (
    EMPTY_OBJECT,
    ZERO,
    Base,
    bigint_pk,
    created_at_column,
    updated_at_column,
    user_fk,
)


class BotState(Base):
    """A server's record of the companion (reference/001). Since migration 0010 its mood and counters are
    not written here but in ``mood_shards`` (no row every turn of a server waits on); the columns stay
    for the reference schema and hold what they held then."""

    __tablename__ = "bot_states"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    mood_valence: Mapped[float] = mapped_column(Float, server_default=ZERO)
    mood_arousal: Mapped[float] = mapped_column(Float, server_default=ZERO)
    mood_updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    total_messages_sent: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    total_facts_learned: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    total_users_known: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    first_activated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    preferences: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
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
    sentiment: Mapped[float] = mapped_column(Float, server_default=ZERO)
    interest_level: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    discussion_count: Mapped[int] = mapped_column(Integer, server_default=ZERO)
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


class MoodShard(Base):
    """A share of a server's mood (``guild_id`` NULL: DMs), written by the turns of the people whose
    ``user_id % SHARDS`` it is, so turns in one server never wait on one row.

    Each holds how far it moves the mood from the baseline, as of ``updated_at``; the mood at any moment
    is the baseline plus every shard's offset decayed to that moment (``living.mood.kept_sql``), computed
    when read. Counters are shared the same way and summed when read.
    """

    __tablename__ = "mood_shards"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    shard: Mapped[int] = mapped_column(Integer)
    valence_offset: Mapped[float] = mapped_column(Float, server_default=ZERO)
    arousal_offset: Mapped[float] = mapped_column(Float, server_default=ZERO)
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    messages_sent: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    facts_learned: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    users_known: Mapped[int] = mapped_column(Integer, server_default=ZERO)

    __table_args__ = (
        UniqueConstraint("guild_id", "shard", postgresql_nulls_not_distinct=True),
        CheckConstraint("valence_offset BETWEEN -2 AND 2", name="valence_offset_range"),
        CheckConstraint("arousal_offset BETWEEN -2 AND 2", name="arousal_offset_range"),
    )


class MoodHistory(Base):
    __tablename__ = "mood_history"

    id: Mapped[int] = bigint_pk()
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    valence: Mapped[float] = mapped_column(Float)
    arousal: Mapped[float] = mapped_column(Float)
    trigger_type: Mapped[str] = mapped_column(String(50))
    trigger_user_id: Mapped[int | None] = mapped_column(BigInteger, user_fk("SET NULL"), index=True)
    trigger_description: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"), index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
