"""Scheduling: what the companion will send on its own (reminders, birthdays, follow-ups, check-ins), the
shared pace of sends to Discord, and the lease that keeps one proactive run at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from loyal_companion.db.base import (
    EMPTY_OBJECT,
    FALSE,
    ZERO,
    Base,
    bigint_pk,
    created_at_column,
    updated_at_column,
    user_fk,
)


class ScheduledEvent(Base):
    __tablename__ = "scheduled_events"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(50))
    trigger_at: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(255))
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    is_recurring: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    recurrence_rule: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'pending'"), index=True)
    triggered_at: Mapped[datetime | None] = mapped_column()
    # When a runner should next look at it: the trigger time, a retry time, or (while "sending") the end
    # of the claiming runner's lease, after which another runner may claim it again.
    due_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=ZERO)
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


class DiscordPace(Base):
    """The next free slot for a bot-token request to Discord, shared by every proactive runner."""

    __tablename__ = "discord_pace"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column()

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)


class JobLease(Base):
    """A scheduled job's lease: held by one run while it works, renewed as it goes."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    held_until: Mapped[datetime] = mapped_column()
