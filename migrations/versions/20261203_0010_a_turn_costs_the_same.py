"""A turn costs the same at a hundred thousand people: counters instead of counting, shards instead of
one row per server, indexes for what a turn looks up.

- person_usage (the times of a person's turns in the last minute, and today's tokens) and server_usage
  (a server's tokens today, in shards): the guards read one small row, not the history of messages.
  They start empty: budgets count from the deploy.
- mood_shards: a server's mood as the baseline plus shares that the turns of different people write
  (user_id % 16), each decayed to the moment it is read; counters the same way. The mood and counters of
  bot_states move into shard 0 of their server; bot_states is no longer written by turns.
- user_relationships.common_ground: set when memory links a person's interest to someone else's in that
  server, so a turn asks one row instead of walking associations.
- Indexes: a person's current conversation in a channel; a server's most recently active people; a
  single-valued fact's current value.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_usage",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "recent_turns",
            postgresql.ARRAY(sa.DateTime(timezone=True)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("day_tokens", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_person_usage_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_person_usage")),
    )
    op.create_table(
        "server_usage",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "shard", name=op.f("pk_server_usage")),
    )
    op.create_table(
        "mood_shards",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("valence_offset", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("arousal_offset", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("messages_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("facts_learned", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("users_known", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "valence_offset BETWEEN -2 AND 2", name=op.f("ck_mood_shards_valence_offset_range")
        ),
        sa.CheckConstraint(
            "arousal_offset BETWEEN -2 AND 2", name=op.f("ck_mood_shards_arousal_offset_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mood_shards")),
        sa.UniqueConstraint(
            "guild_id",
            "shard",
            name=op.f("uq_mood_shards_guild_id_shard"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    # The moods so far, as offsets from the default personality's baseline (seeded by 0003).
    op.execute(
        """
INSERT INTO mood_shards (guild_id, shard, valence_offset, arousal_offset, updated_at, messages_sent,
                         facts_learned, users_known)
SELECT b.guild_id, 0,
       b.mood_valence - COALESCE((SELECT (settings -> 'mood' ->> 'baseline_valence')::float8
                                  FROM personalities WHERE slug = 'bartender'), 0),
       b.mood_arousal - COALESCE((SELECT (settings -> 'mood' ->> 'baseline_arousal')::float8
                                  FROM personalities WHERE slug = 'bartender'), 0),
       b.mood_updated_at, b.total_messages_sent, b.total_facts_learned, b.total_users_known
FROM bot_states b
"""
    )
    op.add_column(
        "user_relationships",
        sa.Column("common_ground", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.execute(
        """
UPDATE user_relationships r SET common_ground = true
WHERE r.guild_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM fact_associations fa
    JOIN user_facts mine ON mine.id IN (fa.fact_id_1, fa.fact_id_2) AND mine.user_id = r.user_id
    JOIN user_facts theirs ON theirs.id IN (fa.fact_id_1, fa.fact_id_2) AND theirs.user_id <> r.user_id
    WHERE mine.is_active AND theirs.is_active
      AND theirs.user_id IN (SELECT c.user_id FROM conversations c WHERE c.guild_id = r.guild_id))
"""
    )
    op.create_index(
        "ix_conversations_user_id_channel_id_active",
        "conversations",
        ["user_id", "channel_id", "last_message_at"],
        postgresql_where=sa.text("is_active"),
    )
    op.create_index(
        "ix_conversations_guild_id_last_message_at", "conversations", ["guild_id", "last_message_at"]
    )
    op.create_index(
        "ix_user_facts_user_id_category_active",
        "user_facts",
        ["user_id", "category"],
        postgresql_where=sa.text("is_active AND category IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_user_facts_user_id_category_active", table_name="user_facts")
    op.drop_index("ix_conversations_guild_id_last_message_at", table_name="conversations")
    op.drop_index("ix_conversations_user_id_channel_id_active", table_name="conversations")
    op.drop_column("user_relationships", "common_ground")
    # Each server's mood as it stands, back into bot_states (the shards' sum, decayed to now).
    op.execute(
        "INSERT INTO bot_states (guild_id) SELECT DISTINCT s.guild_id FROM mood_shards s "
        "WHERE NOT EXISTS (SELECT 1 FROM bot_states b WHERE b.guild_id IS NOT DISTINCT FROM s.guild_id)"
    )
    op.execute(
        """
UPDATE bot_states b SET
    mood_valence = LEAST(1, GREATEST(-1, COALESCE((SELECT (settings -> 'mood' ->> 'baseline_valence')::float8
        FROM personalities WHERE slug = 'bartender'), 0) + s.v)),
    mood_arousal = LEAST(1, GREATEST(-1, COALESCE((SELECT (settings -> 'mood' ->> 'baseline_arousal')::float8
        FROM personalities WHERE slug = 'bartender'), 0) + s.a)),
    mood_updated_at = now(), total_messages_sent = s.m, total_facts_learned = s.f, total_users_known = s.u
FROM (
    SELECT guild_id,
           sum(valence_offset * exp(-0.05 * extract(epoch FROM (now() - updated_at)) / 3600.0)) AS v,
           sum(arousal_offset * exp(-0.05 * extract(epoch FROM (now() - updated_at)) / 3600.0)) AS a,
           sum(messages_sent) AS m, sum(facts_learned) AS f, sum(users_known) AS u
    FROM mood_shards GROUP BY guild_id
) s
WHERE b.guild_id IS NOT DISTINCT FROM s.guild_id
"""
    )
    op.drop_table("mood_shards")
    op.drop_table("server_usage")
    op.drop_table("person_usage")
