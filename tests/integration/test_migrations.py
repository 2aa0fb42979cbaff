"""The schema as alembic builds it, checked against the reference documents and the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from loyal_companion.db import (
    migrate,
    models,  # noqa: F401  (every table on the metadata)
)
from loyal_companion.db.base import Base
from loyal_companion.db.engine import create_db_engine

# Every table and column that reference/001 and reference/003 name (003 adapted as ARCHITECTURE §4:
# its conversation_history is conversations + messages, its users columns join 001's users).
REFERENCE_COLUMNS: dict[str, set[str]] = {
    "users": {
        "id",
        "discord_id",
        "discord_username",
        "discord_display_name",
        "custom_name",
        "first_seen_at",
        "last_seen_at",
        "is_active",
        "created_at",
        "updated_at",
        "global_persona_id",
    },
    "user_preferences": {"id", "user_id", "preference_key", "preference_value", "created_at", "updated_at"},
    "user_facts": {
        "id",
        "user_id",
        "fact_type",
        "fact_content",
        "confidence",
        "source",
        "is_active",
        "learned_at",
        "last_referenced_at",
        "category",
        "importance",
        "temporal_relevance",
        "expiry_date",
        "extracted_from_message_id",
        "extraction_context",
        "created_at",
        "updated_at",
    },
    "guilds": {"id", "discord_id", "name", "joined_at", "is_active", "settings", "created_at", "updated_at"},
    "guild_members": {
        "id",
        "guild_id",
        "user_id",
        "guild_nickname",
        "roles",
        "joined_guild_at",
        "created_at",
        "updated_at",
    },
    "conversations": {
        "id",
        "user_id",
        "guild_id",
        "channel_id",
        "started_at",
        "last_message_at",
        "message_count",
        "is_active",
        "created_at",
        "updated_at",
    },
    "messages": {
        "id",
        "conversation_id",
        "user_id",
        "discord_message_id",
        "role",
        "content",
        "has_images",
        "image_urls",
        "token_count",
        "created_at",
        "updated_at",
        "personality_id",
    },
    "bot_states": {
        "id",
        "guild_id",
        "mood_valence",
        "mood_arousal",
        "mood_updated_at",
        "total_messages_sent",
        "total_facts_learned",
        "total_users_known",
        "first_activated_at",
        "preferences",
        "created_at",
        "updated_at",
    },
    "bot_opinions": {
        "id",
        "guild_id",
        "topic",
        "sentiment",
        "interest_level",
        "discussion_count",
        "reasoning",
        "formed_at",
        "last_reinforced_at",
        "created_at",
        "updated_at",
    },
    "user_relationships": {
        "id",
        "user_id",
        "guild_id",
        "relationship_score",
        "total_interactions",
        "positive_interactions",
        "negative_interactions",
        "avg_message_length",
        "conversation_depth_avg",
        "shared_references",
        "first_interaction_at",
        "last_interaction_at",
        "created_at",
        "updated_at",
    },
    "user_communication_styles": {
        "id",
        "user_id",
        "preferred_length",
        "preferred_formality",
        "emoji_affinity",
        "humor_affinity",
        "detail_preference",
        "engagement_signals",
        "samples_collected",
        "confidence",
        "created_at",
        "updated_at",
    },
    "scheduled_events": {
        "id",
        "user_id",
        "guild_id",
        "channel_id",
        "event_type",
        "trigger_at",
        "title",
        "context",
        "is_recurring",
        "recurrence_rule",
        "status",
        "triggered_at",
        "created_at",
        "updated_at",
    },
    "fact_associations": {
        "id",
        "fact_id_1",
        "fact_id_2",
        "association_type",
        "strength",
        "discovered_at",
        "created_at",
    },
    "mood_history": {
        "id",
        "guild_id",
        "valence",
        "arousal",
        "trigger_type",
        "trigger_user_id",
        "trigger_description",
        "recorded_at",
        "created_at",
        "updated_at",
    },
    "personas": {"id", "name", "description", "content", "owner_id", "is_global", "created_at", "updated_at"},
    "system_prompts": {"id", "name", "description", "content", "is_default", "created_at", "updated_at"},
    "llm_configs": {
        "id",
        "name",
        "description",
        "model",
        "temperature",
        "top_p",
        "top_k",
        "frequency_penalty",
        "presence_penalty",
        "repetition_penalty",
        "max_tokens",
        "is_default",
        "is_free_default",
        "created_at",
        "updated_at",
    },
    "personalities": {
        "id",
        "name",
        "display_name",
        "slug",
        "avatar_url",
        "system_prompt_id",
        "llm_config_id",
        "voice_enabled",
        "voice_settings",
        "image_enabled",
        "image_settings",
        "memory_enabled",
        "context_window_size",
        "created_at",
        "updated_at",
    },
    "personality_owners": {"personality_id", "user_id", "role", "created_at"},
    "user_personality_settings": {
        "id",
        "user_id",
        "personality_id",
        "persona_id",
        "llm_config_id",
        "created_at",
        "updated_at",
    },
    "activated_channels": {"id", "channel_id", "personality_id", "auto_respond", "created_by", "created_at"},
}

# The indexes reference/001 lists by name.
REFERENCE_INDEXES = {
    ("users", "ix_users_discord_id"),
    ("users", "ix_users_last_seen_at"),
    ("user_preferences", "ix_user_preferences_user_id"),
    ("user_facts", "ix_user_facts_user_id"),
    ("user_facts", "ix_user_facts_fact_type"),
    ("user_facts", "ix_user_facts_is_active"),
    ("guilds", "ix_guilds_discord_id"),
    ("guild_members", "ix_guild_members_guild_id"),
    ("guild_members", "ix_guild_members_user_id"),
    ("conversations", "ix_conversations_user_id"),
    ("conversations", "ix_conversations_channel_id"),
    ("conversations", "ix_conversations_last_message_at"),
    ("conversations", "ix_conversations_is_active"),
    ("messages", "ix_messages_conversation_id"),
    ("messages", "ix_messages_user_id"),
    ("messages", "ix_messages_created_at"),
    ("bot_states", "ix_bot_states_guild_id"),
    ("bot_opinions", "ix_bot_opinions_guild_id"),
    ("bot_opinions", "ix_bot_opinions_topic"),
    ("user_relationships", "ix_user_relationships_user_id"),
    ("user_relationships", "ix_user_relationships_guild_id"),
    ("user_communication_styles", "ix_user_communication_styles_user_id"),
    ("scheduled_events", "ix_scheduled_events_user_id"),
    ("scheduled_events", "ix_scheduled_events_trigger_at"),
    ("scheduled_events", "ix_scheduled_events_status"),
    ("fact_associations", "ix_fact_associations_fact_id_1"),
    ("fact_associations", "ix_fact_associations_fact_id_2"),
    ("mood_history", "ix_mood_history_guild_id"),
    ("mood_history", "ix_mood_history_recorded_at"),
}


def test_upgrade_downgrade_round_trip(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()
    migrate.downgrade(empty_database_url, "base")
    assert migrate.current_revision(empty_database_url) is None
    engine = create_db_engine(empty_database_url, pooled=False)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()


def test_every_step_downgrades_and_upgrades_again(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    for target in ("0002", "0001", "base"):
        migrate.downgrade(empty_database_url, target)
    for target in ("0001", "0002", "head"):
        migrate.upgrade(empty_database_url, target)


def test_every_reference_table_and_column_exists(database_url: str) -> None:
    engine = create_db_engine(database_url, pooled=False)
    try:
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        assert set(REFERENCE_COLUMNS) <= tables
        for table, columns in REFERENCE_COLUMNS.items():
            present = {c["name"] for c in inspector.get_columns(table)}
            assert columns <= present, f"{table} lacks {columns - present}"
        indexes = {(t, ix["name"]) for t in tables for ix in inspector.get_indexes(t)}
        assert REFERENCE_INDEXES <= indexes, REFERENCE_INDEXES - indexes
    finally:
        engine.dispose()


def test_every_foreign_key_is_indexed(database_url: str) -> None:
    engine = create_db_engine(database_url, pooled=False)
    try:
        inspector = inspect(engine)
        for table in inspector.get_table_names():
            leading = {tuple(ix["column_names"][:1]) for ix in inspector.get_indexes(table)}
            pk = inspector.get_pk_constraint(table)["constrained_columns"]
            leading.add(tuple(pk[:1]))
            for uq in inspector.get_unique_constraints(table):
                leading.add(tuple(uq["column_names"][:1]))
            for fk in inspector.get_foreign_keys(table):
                assert tuple(fk["constrained_columns"][:1]) in leading, f"{table}.{fk['constrained_columns']}"
    finally:
        engine.dispose()


def test_timestamps_are_timezone_aware(database_url: str) -> None:
    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            naive = conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"
                )
            ).all()
        assert naive == []
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_offline_sql_creates_every_table() -> None:
    sql = migrate.upgrade_sql()
    for table in REFERENCE_COLUMNS:
        assert f"CREATE TABLE {table} (" in sql
    assert "INSERT INTO personalities" in sql
    # Fact embeddings only where pgvector exists: decided by the server, so the offline SQL carries it too.
    assert "CREATE EXTENSION IF NOT EXISTS vector" in sql and "user_fact_embeddings" in sql


def test_a_personality_at_the_old_weight_of_meaning_moves_to_the_new_one(empty_database_url: str) -> None:
    """0015: meaning now adds to the words' score, so the Bartender's 1.0 (a rank fusion's) becomes 0.3."""

    def weight() -> object:
        engine = create_db_engine(empty_database_url, pooled=False)
        try:
            with engine.connect() as conn:
                return conn.execute(
                    text(
                        "SELECT settings -> 'facts' -> 'similarity_weight' FROM personalities "
                        "WHERE name = 'Bartender'"
                    )
                ).scalar()
        finally:
            engine.dispose()

    migrate.upgrade(empty_database_url, "0014")
    assert weight() == 1.0
    migrate.upgrade(empty_database_url)
    assert weight() == 0.3
    migrate.downgrade(empty_database_url, "0014")
    assert weight() == 1.0
