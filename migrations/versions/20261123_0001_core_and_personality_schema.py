"""Core tables of reference/001 and personality configuration tables of reference/003.

Reviewed by hand after autogenerate: users.global_persona_id and personas.owner_id point at each other,
so the users -> personas key is added once both tables exist.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:43:54.410008+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_opinions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("sentiment", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("interest_level", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("discussion_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=True),
        sa.Column("formed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_reinforced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("interest_level BETWEEN 0 AND 1", name=op.f("ck_bot_opinions_interest_range")),
        sa.CheckConstraint("sentiment BETWEEN -1 AND 1", name=op.f("ck_bot_opinions_sentiment_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_opinions")),
        sa.UniqueConstraint(
            "guild_id",
            "topic",
            name=op.f("uq_bot_opinions_guild_id_topic"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_bot_opinions_guild_id"), "bot_opinions", ["guild_id"], unique=False)
    op.create_index(op.f("ix_bot_opinions_topic"), "bot_opinions", ["topic"], unique=False)
    op.create_table(
        "bot_states",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("mood_valence", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("mood_arousal", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "mood_updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("total_messages_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_facts_learned", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_users_known", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "first_activated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "preferences",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("mood_arousal BETWEEN -1 AND 1", name=op.f("ck_bot_states_arousal_range")),
        sa.CheckConstraint("mood_valence BETWEEN -1 AND 1", name=op.f("ck_bot_states_valence_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_states")),
    )
    op.create_index(
        "ix_bot_states_guild_id", "bot_states", ["guild_id"], unique=True, postgresql_nulls_not_distinct=True
    )
    op.create_table(
        "guilds",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("discord_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guilds")),
    )
    op.create_index(op.f("ix_guilds_discord_id"), "guilds", ["discord_id"], unique=True)
    op.create_table(
        "llm_configs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("temperature", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("top_p", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("top_k", sa.Integer(), nullable=True),
        sa.Column("frequency_penalty", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("presence_penalty", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("repetition_penalty", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("max_tokens", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_free_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_configs")),
    )
    op.create_index(
        "ix_llm_configs_is_default",
        "llm_configs",
        ["is_default"],
        unique=True,
        postgresql_where=sa.text("is_default = true"),
    )
    op.create_index("ix_llm_configs_is_free_default", "llm_configs", ["is_free_default"], unique=False)
    op.create_table(
        "system_prompts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_prompts")),
    )
    op.create_index(
        "ix_system_prompts_is_default",
        "system_prompts",
        ["is_default"],
        unique=True,
        postgresql_where=sa.text("is_default = true"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("discord_id", sa.BigInteger(), nullable=False),
        sa.Column("discord_username", sa.String(length=255), nullable=True),
        sa.Column("discord_display_name", sa.String(length=255), nullable=True),
        sa.Column("custom_name", sa.String(length=255), nullable=True),
        sa.Column(
            "first_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("global_persona_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_discord_id"), "users", ["discord_id"], unique=True)
    op.create_index(op.f("ix_users_global_persona_id"), "users", ["global_persona_id"], unique=False)
    op.create_index(op.f("ix_users_last_seen_at"), "users", ["last_seen_at"], unique=False)
    op.create_table(
        "conversations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "last_message_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("message_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_conversations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_channel_id"), "conversations", ["channel_id"], unique=False)
    op.create_index(op.f("ix_conversations_is_active"), "conversations", ["is_active"], unique=False)
    op.create_index(
        op.f("ix_conversations_last_message_at"), "conversations", ["last_message_at"], unique=False
    )
    op.create_index(op.f("ix_conversations_user_id"), "conversations", ["user_id"], unique=False)
    op.create_table(
        "guild_members",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_nickname", sa.String(length=255), nullable=True),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("joined_guild_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_guild_members_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_guild_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guild_members")),
        sa.UniqueConstraint("guild_id", "user_id", name=op.f("uq_guild_members_guild_id_user_id")),
    )
    op.create_index(op.f("ix_guild_members_guild_id"), "guild_members", ["guild_id"], unique=False)
    op.create_index(op.f("ix_guild_members_user_id"), "guild_members", ["user_id"], unique=False)
    op.create_table(
        "mood_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("valence", sa.Float(), nullable=False),
        sa.Column("arousal", sa.Float(), nullable=False),
        sa.Column("trigger_type", sa.String(length=50), nullable=False),
        sa.Column("trigger_user_id", sa.BigInteger(), nullable=True),
        sa.Column("trigger_description", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["trigger_user_id"],
            ["users.id"],
            name=op.f("fk_mood_history_trigger_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mood_history")),
    )
    op.create_index(op.f("ix_mood_history_guild_id"), "mood_history", ["guild_id"], unique=False)
    op.create_index(op.f("ix_mood_history_recorded_at"), "mood_history", ["recorded_at"], unique=False)
    op.create_index(
        op.f("ix_mood_history_trigger_user_id"), "mood_history", ["trigger_user_id"], unique=False
    )
    op.create_table(
        "personalities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("system_prompt_id", sa.BigInteger(), nullable=True),
        sa.Column("llm_config_id", sa.BigInteger(), nullable=True),
        sa.Column("voice_enabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("voice_settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("image_enabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("image_settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("memory_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("context_window_size", sa.Integer(), server_default=sa.text("20"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["llm_config_id"],
            ["llm_configs.id"],
            name=op.f("fk_personalities_llm_config_id_llm_configs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["system_prompt_id"],
            ["system_prompts.id"],
            name=op.f("fk_personalities_system_prompt_id_system_prompts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personalities")),
    )
    op.create_index(op.f("ix_personalities_llm_config_id"), "personalities", ["llm_config_id"], unique=False)
    op.create_index(op.f("ix_personalities_slug"), "personalities", ["slug"], unique=True)
    op.create_index(
        op.f("ix_personalities_system_prompt_id"), "personalities", ["system_prompt_id"], unique=False
    )
    op.create_table(
        "personas",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("is_global", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_personas_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
    )
    op.create_index(
        "ix_personas_is_global",
        "personas",
        ["is_global"],
        unique=False,
        postgresql_where=sa.text("is_global = true"),
    )
    op.create_index(op.f("ix_personas_owner_id"), "personas", ["owner_id"], unique=False)
    op.create_table(
        "scheduled_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("trigger_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column(
            "context",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("is_recurring", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("recurrence_rule", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scheduled_events_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_events")),
    )
    op.create_index(op.f("ix_scheduled_events_status"), "scheduled_events", ["status"], unique=False)
    op.create_index(op.f("ix_scheduled_events_trigger_at"), "scheduled_events", ["trigger_at"], unique=False)
    op.create_index(op.f("ix_scheduled_events_user_id"), "scheduled_events", ["user_id"], unique=False)
    op.create_table(
        "user_communication_styles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "preferred_length", sa.String(length=20), server_default=sa.text("'medium'"), nullable=False
        ),
        sa.Column("preferred_formality", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("emoji_affinity", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("humor_affinity", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("detail_preference", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column(
            "engagement_signals",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("samples_collected", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("confidence", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "preferred_length IN ('short', 'medium', 'long')",
            name=op.f("ck_user_communication_styles_preferred_length"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_communication_styles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_communication_styles")),
    )
    op.create_index(
        op.f("ix_user_communication_styles_user_id"), "user_communication_styles", ["user_id"], unique=True
    )
    op.create_table(
        "user_facts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("fact_type", sa.String(length=50), nullable=False),
        sa.Column("fact_content", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), server_default=sa.text("1.0"), nullable=False),
        sa.Column("source", sa.String(length=50), server_default=sa.text("'conversation'"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_referenced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("importance", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("temporal_relevance", sa.String(length=20), nullable=True),
        sa.Column("expiry_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extracted_from_message_id", sa.BigInteger(), nullable=True),
        sa.Column("extraction_context", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "temporal_relevance IS NULL OR temporal_relevance IN ('past', 'present', 'future', 'timeless')",
            name=op.f("ck_user_facts_temporal_relevance"),
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name=op.f("ck_user_facts_confidence_range")
        ),
        sa.CheckConstraint(
            "importance >= 0 AND importance <= 1", name=op.f("ck_user_facts_importance_range")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_facts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_facts")),
    )
    op.create_index(op.f("ix_user_facts_fact_type"), "user_facts", ["fact_type"], unique=False)
    op.create_index(op.f("ix_user_facts_is_active"), "user_facts", ["is_active"], unique=False)
    op.create_index(op.f("ix_user_facts_user_id"), "user_facts", ["user_id"], unique=False)
    op.create_table(
        "user_preferences",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("preference_key", sa.String(length=100), nullable=False),
        sa.Column("preference_value", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_preferences")),
        sa.UniqueConstraint(
            "user_id", "preference_key", name=op.f("uq_user_preferences_user_id_preference_key")
        ),
    )
    op.create_index(op.f("ix_user_preferences_user_id"), "user_preferences", ["user_id"], unique=False)
    op.create_table(
        "user_relationships",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("relationship_score", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_interactions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("positive_interactions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("negative_interactions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("avg_message_length", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("conversation_depth_avg", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "shared_references",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "first_interaction_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "last_interaction_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "relationship_score BETWEEN 0 AND 100", name=op.f("ck_user_relationships_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_relationships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_relationships")),
        sa.UniqueConstraint(
            "user_id",
            "guild_id",
            name=op.f("uq_user_relationships_user_id_guild_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_user_relationships_guild_id"), "user_relationships", ["guild_id"], unique=False)
    op.create_index(op.f("ix_user_relationships_user_id"), "user_relationships", ["user_id"], unique=False)
    op.create_table(
        "activated_channels",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("personality_id", sa.BigInteger(), nullable=False),
        sa.Column("auto_respond", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_activated_channels_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["personality_id"],
            ["personalities.id"],
            name=op.f("fk_activated_channels_personality_id_personalities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activated_channels")),
        sa.UniqueConstraint(
            "channel_id", "personality_id", name=op.f("uq_activated_channels_channel_id_personality_id")
        ),
    )
    op.create_index(
        op.f("ix_activated_channels_channel_id"), "activated_channels", ["channel_id"], unique=False
    )
    op.create_index(
        op.f("ix_activated_channels_created_by"), "activated_channels", ["created_by"], unique=False
    )
    op.create_index(
        op.f("ix_activated_channels_personality_id"), "activated_channels", ["personality_id"], unique=False
    )
    op.create_table(
        "fact_associations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("fact_id_1", sa.BigInteger(), nullable=False),
        sa.Column("fact_id_2", sa.BigInteger(), nullable=False),
        sa.Column("association_type", sa.String(length=50), nullable=False),
        sa.Column("strength", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column(
            "discovered_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("fact_id_1 <> fact_id_2", name=op.f("ck_fact_associations_distinct_facts")),
        sa.ForeignKeyConstraint(
            ["fact_id_1"],
            ["user_facts.id"],
            name=op.f("fk_fact_associations_fact_id_1_user_facts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fact_id_2"],
            ["user_facts.id"],
            name=op.f("fk_fact_associations_fact_id_2_user_facts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_associations")),
        sa.UniqueConstraint("fact_id_1", "fact_id_2", name=op.f("uq_fact_associations_fact_id_1_fact_id_2")),
    )
    op.create_index(op.f("ix_fact_associations_fact_id_1"), "fact_associations", ["fact_id_1"], unique=False)
    op.create_index(op.f("ix_fact_associations_fact_id_2"), "fact_associations", ["fact_id_2"], unique=False)
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("discord_message_id", sa.BigInteger(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("has_images", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "image_urls",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("token_count", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('user', 'assistant', 'system')", name=op.f("ck_messages_role")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_messages_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(op.f("ix_messages_conversation_id"), "messages", ["conversation_id"], unique=False)
    op.create_index("ix_messages_created_at", "messages", ["created_at"], unique=False)
    op.create_index(op.f("ix_messages_user_id"), "messages", ["user_id"], unique=False)
    op.create_table(
        "personality_owners",
        sa.Column("personality_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=50), server_default=sa.text("'owner'"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'editor', 'viewer')", name=op.f("ck_personality_owners_role")),
        sa.ForeignKeyConstraint(
            ["personality_id"],
            ["personalities.id"],
            name=op.f("fk_personality_owners_personality_id_personalities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_personality_owners_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("personality_id", "user_id", name=op.f("pk_personality_owners")),
    )
    op.create_index(
        op.f("ix_personality_owners_personality_id"), "personality_owners", ["personality_id"], unique=False
    )
    op.create_index(op.f("ix_personality_owners_user_id"), "personality_owners", ["user_id"], unique=False)
    op.create_table(
        "user_personality_settings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("personality_id", sa.BigInteger(), nullable=False),
        sa.Column("persona_id", sa.BigInteger(), nullable=True),
        sa.Column("llm_config_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["llm_config_id"],
            ["llm_configs.id"],
            name=op.f("fk_user_personality_settings_llm_config_id_llm_configs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["personas.id"],
            name=op.f("fk_user_personality_settings_persona_id_personas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["personality_id"],
            ["personalities.id"],
            name=op.f("fk_user_personality_settings_personality_id_personalities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_personality_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_personality_settings")),
        sa.UniqueConstraint(
            "user_id", "personality_id", name=op.f("uq_user_personality_settings_user_id_personality_id")
        ),
    )
    op.create_index(
        op.f("ix_user_personality_settings_llm_config_id"),
        "user_personality_settings",
        ["llm_config_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_user_personality_settings_persona_id"),
        "user_personality_settings",
        ["persona_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_user_personality_settings_personality_id"),
        "user_personality_settings",
        ["personality_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_user_personality_settings_user_id"), "user_personality_settings", ["user_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_users_global_persona_id_personas"),
        "users",
        "personas",
        ["global_persona_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_users_global_persona_id_personas"), "users", type_="foreignkey")
    op.drop_index(op.f("ix_user_personality_settings_user_id"), table_name="user_personality_settings")
    op.drop_index(op.f("ix_user_personality_settings_personality_id"), table_name="user_personality_settings")
    op.drop_index(op.f("ix_user_personality_settings_persona_id"), table_name="user_personality_settings")
    op.drop_index(op.f("ix_user_personality_settings_llm_config_id"), table_name="user_personality_settings")
    op.drop_table("user_personality_settings")
    op.drop_index(op.f("ix_personality_owners_user_id"), table_name="personality_owners")
    op.drop_index(op.f("ix_personality_owners_personality_id"), table_name="personality_owners")
    op.drop_table("personality_owners")
    op.drop_index(op.f("ix_messages_user_id"), table_name="messages")
    op.drop_index("ix_messages_created_at", table_name="messages")
    op.drop_index(op.f("ix_messages_conversation_id"), table_name="messages")
    op.drop_table("messages")
    op.drop_index(op.f("ix_fact_associations_fact_id_2"), table_name="fact_associations")
    op.drop_index(op.f("ix_fact_associations_fact_id_1"), table_name="fact_associations")
    op.drop_table("fact_associations")
    op.drop_index(op.f("ix_activated_channels_personality_id"), table_name="activated_channels")
    op.drop_index(op.f("ix_activated_channels_created_by"), table_name="activated_channels")
    op.drop_index(op.f("ix_activated_channels_channel_id"), table_name="activated_channels")
    op.drop_table("activated_channels")
    op.drop_index(op.f("ix_user_relationships_user_id"), table_name="user_relationships")
    op.drop_index(op.f("ix_user_relationships_guild_id"), table_name="user_relationships")
    op.drop_table("user_relationships")
    op.drop_index(op.f("ix_user_preferences_user_id"), table_name="user_preferences")
    op.drop_table("user_preferences")
    op.drop_index(op.f("ix_user_facts_user_id"), table_name="user_facts")
    op.drop_index(op.f("ix_user_facts_is_active"), table_name="user_facts")
    op.drop_index(op.f("ix_user_facts_fact_type"), table_name="user_facts")
    op.drop_table("user_facts")
    op.drop_index(op.f("ix_user_communication_styles_user_id"), table_name="user_communication_styles")
    op.drop_table("user_communication_styles")
    op.drop_index(op.f("ix_scheduled_events_user_id"), table_name="scheduled_events")
    op.drop_index(op.f("ix_scheduled_events_trigger_at"), table_name="scheduled_events")
    op.drop_index(op.f("ix_scheduled_events_status"), table_name="scheduled_events")
    op.drop_table("scheduled_events")
    op.drop_index(op.f("ix_personas_owner_id"), table_name="personas")
    op.drop_index(
        "ix_personas_is_global", table_name="personas", postgresql_where=sa.text("is_global = true")
    )
    op.drop_table("personas")
    op.drop_index(op.f("ix_personalities_system_prompt_id"), table_name="personalities")
    op.drop_index(op.f("ix_personalities_slug"), table_name="personalities")
    op.drop_index(op.f("ix_personalities_llm_config_id"), table_name="personalities")
    op.drop_table("personalities")
    op.drop_index(op.f("ix_mood_history_trigger_user_id"), table_name="mood_history")
    op.drop_index(op.f("ix_mood_history_recorded_at"), table_name="mood_history")
    op.drop_index(op.f("ix_mood_history_guild_id"), table_name="mood_history")
    op.drop_table("mood_history")
    op.drop_index(op.f("ix_guild_members_user_id"), table_name="guild_members")
    op.drop_index(op.f("ix_guild_members_guild_id"), table_name="guild_members")
    op.drop_table("guild_members")
    op.drop_index(op.f("ix_conversations_user_id"), table_name="conversations")
    op.drop_index(op.f("ix_conversations_last_message_at"), table_name="conversations")
    op.drop_index(op.f("ix_conversations_is_active"), table_name="conversations")
    op.drop_index(op.f("ix_conversations_channel_id"), table_name="conversations")
    op.drop_table("conversations")
    op.drop_index(op.f("ix_users_last_seen_at"), table_name="users")
    op.drop_index(op.f("ix_users_global_persona_id"), table_name="users")
    op.drop_index(op.f("ix_users_discord_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(
        "ix_system_prompts_is_default",
        table_name="system_prompts",
        postgresql_where=sa.text("is_default = true"),
    )
    op.drop_table("system_prompts")
    op.drop_index("ix_llm_configs_is_free_default", table_name="llm_configs")
    op.drop_index(
        "ix_llm_configs_is_default", table_name="llm_configs", postgresql_where=sa.text("is_default = true")
    )
    op.drop_table("llm_configs")
    op.drop_index(op.f("ix_guilds_discord_id"), table_name="guilds")
    op.drop_table("guilds")
    op.drop_index("ix_bot_states_guild_id", table_name="bot_states", postgresql_nulls_not_distinct=True)
    op.drop_table("bot_states")
    op.drop_index(op.f("ix_bot_opinions_topic"), table_name="bot_opinions")
    op.drop_index(op.f("ix_bot_opinions_guild_id"), table_name="bot_opinions")
    op.drop_table("bot_opinions")
