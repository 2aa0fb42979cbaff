"""Conversations: the exchanges and their messages, the receipts and claims that make each interaction
answered once, and the crisis referrals counted per day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
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
    EMPTY_ARRAY,
    FALSE,
    TRUE,
    ZERO,
    Base,
    bigint_pk,
    created_at_column,
    updated_at_column,
    user_fk,
)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_message_at: Mapped[datetime] = mapped_column(server_default=text("now()"), index=True)
    message_count: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=TRUE, index=True)
    # Memory reads the conversation in windows: the last message read, and user turns not yet read.
    memory_read_through: Mapped[int | None] = mapped_column(BigInteger)
    memory_unread: Mapped[int] = mapped_column(Integer, server_default=ZERO)
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
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    personality_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("personalities.id", ondelete="SET NULL"), index=True
    )
    discord_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The Discord interaction this message answers or came from: makes a redelivered turn idempotent.
    interaction_id: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    has_images: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    image_urls: Mapped[list[Any]] = mapped_column(JSONB, server_default=EMPTY_ARRAY)
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


class InteractionReceipt(Base):
    """The reply to one Discord interaction, stored in the same transaction as the command's effects.

    A redelivered SQS record (or a Lambda retry) finds its receipt and re-sends the stored reply instead
    of doing the work again: exactly-once effects, at-least-once delivery.
    """

    __tablename__ = "interaction_receipts"

    interaction_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger, user_fk(), index=True)
    command: Mapped[str] = mapped_column(String(64))
    reply: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        # Receipts are kept only while a redelivery could need them (the token's life, and some): a
        # person's are dropped when they next write, everyone's by the scheduled run.
        Index("ix_interaction_receipts_user_id_created_at", "user_id", "created_at"),
        Index("ix_interaction_receipts_created_at", "created_at"),
    )


class InteractionClaim(Base):
    """A worker is answering this interaction until ``claimed_until``: a twin delivery of the same record
    to another container waits for the receipt instead of calling the model a second time."""

    __tablename__ = "interaction_claims"

    interaction_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    claimed_until: Mapped[datetime] = mapped_column(index=True)


class SafetyReferralCount(Base):
    """Crisis referrals per day, kind and language — and nothing that points at a person or a message:
    what an operator reports (``lc safety report``)."""

    __tablename__ = "safety_referral_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    referrals: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    updated_at: Mapped[datetime] = updated_at_column()
