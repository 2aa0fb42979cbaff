"""The personalities and how they are set up (reference/003): personas, system prompts, model
configurations, per-person and per-channel choices.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from loyal_companion.db.base import (
    EMPTY_OBJECT,
    FALSE,
    TRUE,
    Base,
    bigint_pk,
    created_at_column,
    updated_at_column,
    user_fk,
)


class Persona(Base):
    """A description of a person as they want to be seen; reusable, referenced by id."""

    __tablename__ = "personas"

    id: Mapped[int] = bigint_pk()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, user_fk(), index=True)
    is_global: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (Index("ix_personas_is_global", "is_global", postgresql_where=text("is_global = true")),)


class SystemPrompt(Base):
    __tablename__ = "system_prompts"

    id: Mapped[int] = bigint_pk()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
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
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    is_free_default: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
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
    voice_enabled: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    voice_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    image_enabled: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    image_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    memory_enabled: Mapped[bool] = mapped_column(Boolean, server_default=TRUE)
    context_window_size: Mapped[int] = mapped_column(Integer, server_default=text("20"))
    # Tunables of the living mind (decay rate, extraction rate, damping, thresholds) per personality.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class PersonalityOwner(Base):
    __tablename__ = "personality_owners"

    personality_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("personalities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(50), server_default=text("'owner'"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),)


class UserPersonalitySetting(Base):
    __tablename__ = "user_personality_settings"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
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
    auto_respond: Mapped[bool] = mapped_column(Boolean, server_default=TRUE)
    created_by: Mapped[int | None] = mapped_column(BigInteger, user_fk("SET NULL"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (UniqueConstraint("channel_id", "personality_id"),)
