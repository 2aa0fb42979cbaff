"""Memory that finds what matters: English full text, per-person postings, subjects, dates, entities.

- user_facts: ``subject`` / ``subject_role`` (who a fact is about: "Biscuit", "dog"), ``happens_on`` (when
  it happens, where the person said so), ``pinned`` (a standing wish about how to be talked to, in every
  prompt), ``superseded_by_id`` (history of updates and contradictions), a
  stored ``content_key`` (the words without case or punctuation) with a unique index over the active
  facts, and ``search_vector`` rebuilt in the English configuration (stemmed, no stop words) with the
  subject (weight B) and the type (C) beside the words (A).
- user_fact_terms: per-person postings (person, term, fact) with the fact's BM25 term weight, kept by
  statement-level triggers on user_facts for active facts, and user_memory_stats (active facts per
  person) beside them. Recall reads a bounded slice of each of the message's terms.
- user_entities: the people and animals in a person's life by name and role, from the fact that named
  them (forgetting the fact forgets them).
- conversations: ``memory_read_through`` / ``memory_unread``: memory reads the exchange in windows;
  history from before this migration counts as read.
- user_fact_embeddings (where pgvector exists): ``user_id``, so one person's vectors are an index range.
- The personalities' ``facts.extraction_rate`` (a 40 % gate) gives way to ``facts.window_turns`` (5).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, fact_content), 'A') || "
    "setweight(to_tsvector('english'::regconfig, "
    "COALESCE(subject, '') || ' ' || COALESCE(subject_role, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, replace(fact_type, '_', ' ')), 'C')"
)
OLD_SEARCH_VECTOR = "to_tsvector('simple'::regconfig, fact_content)"
CONTENT_KEY = "btrim(regexp_replace(lower(fact_content), '[^[:alnum:]]+', ' ', 'g'))"

# BM25 term weight of a fact for each of its terms: tf counts the word's uses (A 1, B 0.5, C 0.3),
# saturating with k1 = 1.2 and normalised for length with b = 0.75 around 8 terms (a typical fact); times
# a prior from the fact's importance (0.6 at 0, 1.4 at 1), so that among facts that match a message
# equally, what lasts ("Biscuit is a greyhound") comes before a passing moment ("Biscuit ate my toast").
TERM_WEIGHTS_FUNCTION = """
CREATE FUNCTION memory_term_weights(v tsvector, importance float8) RETURNS TABLE (term text, weight float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT x.lexeme,
           t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * length(v) / 8.0)) * (0.6 + 0.8 * importance)
    FROM unnest(v) AS x(lexeme, positions, weights)
    CROSS JOIN LATERAL (
        SELECT sum(CASE w WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.5 WHEN 'C' THEN 0.3 ELSE 0.1 END) AS tf
        FROM unnest(x.weights) AS w
    ) t
$$
"""

TRIGGER_FUNCTIONS = (
    """
CREATE FUNCTION user_facts_terms_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_fact_terms (user_id, term, fact_id, weight)
    SELECT n.user_id, w.term, n.id, w.weight
    FROM new_rows n CROSS JOIN LATERAL memory_term_weights(n.search_vector, n.importance) w
    WHERE n.is_active
    ON CONFLICT (user_id, term, fact_id) DO UPDATE SET weight = EXCLUDED.weight;
    INSERT INTO user_memory_stats (user_id, active_facts)
    SELECT user_id, count(*) FROM new_rows WHERE is_active GROUP BY user_id
    ON CONFLICT (user_id) DO UPDATE SET active_facts = user_memory_stats.active_facts + EXCLUDED.active_facts;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION user_facts_terms_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_fact_terms t
    USING old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.is_active AND (NOT n.is_active OR n.search_vector <> o.search_vector OR n.user_id <> o.user_id
                           OR n.importance <> o.importance)
      AND t.user_id = o.user_id AND t.term = ANY (tsvector_to_array(o.search_vector)) AND t.fact_id = o.id;
    INSERT INTO user_fact_terms (user_id, term, fact_id, weight)
    SELECT n.user_id, w.term, n.id, w.weight
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL memory_term_weights(n.search_vector, n.importance) w
    WHERE n.is_active AND (NOT o.is_active OR n.search_vector <> o.search_vector OR n.user_id <> o.user_id
                           OR n.importance <> o.importance)
    ON CONFLICT (user_id, term, fact_id) DO UPDATE SET weight = EXCLUDED.weight;
    INSERT INTO user_memory_stats AS s (user_id, active_facts)
    SELECT d.user_id, sum(d.delta) FROM (
        SELECT n.user_id, 1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.is_active AND NOT (o.is_active AND o.user_id = n.user_id)
        UNION ALL
        SELECT o.user_id, -1 FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.is_active AND NOT (n.is_active AND o.user_id = n.user_id)
    ) d GROUP BY d.user_id HAVING sum(d.delta) <> 0
    ON CONFLICT (user_id) DO UPDATE SET active_facts = greatest(0, s.active_facts + EXCLUDED.active_facts);
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION user_facts_terms_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_fact_terms t
    USING old_rows o
    WHERE o.is_active
      AND t.user_id = o.user_id AND t.term = ANY (tsvector_to_array(o.search_vector)) AND t.fact_id = o.id;
    UPDATE user_memory_stats s SET active_facts = greatest(0, s.active_facts - d.gone)
    FROM (SELECT user_id, count(*) AS gone FROM old_rows WHERE is_active GROUP BY user_id) d
    WHERE s.user_id = d.user_id;
    RETURN NULL;
END
$$
""",
)

TRIGGERS = (
    "CREATE TRIGGER user_facts_terms_insert AFTER INSERT ON user_facts "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_facts_terms_after_insert()",
    "CREATE TRIGGER user_facts_terms_update AFTER UPDATE ON user_facts "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION user_facts_terms_after_update()",
    "CREATE TRIGGER user_facts_terms_delete AFTER DELETE ON user_facts "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_facts_terms_after_delete()",
)


def upgrade() -> None:
    op.add_column("user_facts", sa.Column("subject", sa.String(length=100), nullable=True))
    op.add_column("user_facts", sa.Column("subject_role", sa.String(length=50), nullable=True))
    op.add_column("user_facts", sa.Column("happens_on", sa.Date(), nullable=True))
    op.add_column(
        "user_facts", sa.Column("pinned", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("user_facts", sa.Column("superseded_by_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_user_facts_superseded_by_id_user_facts"),
        "user_facts",
        "user_facts",
        ["superseded_by_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_user_facts_superseded_by_id"), "user_facts", ["superseded_by_id"])
    op.drop_column("user_facts", "search_vector")
    op.add_column(
        "user_facts",
        sa.Column(
            "search_vector", postgresql.TSVECTOR(), sa.Computed(SEARCH_VECTOR, persisted=True), nullable=False
        ),
    )
    op.add_column(
        "user_facts",
        sa.Column("content_key", sa.Text(), sa.Computed(CONTENT_KEY, persisted=True), nullable=False),
    )
    # Two active copies of one fact (possible before): the newest stays.
    op.execute(
        "UPDATE user_facts f SET is_active = false WHERE f.is_active AND EXISTS ("
        "SELECT 1 FROM user_facts g WHERE g.user_id = f.user_id AND g.is_active "
        "AND g.content_key = f.content_key AND g.id > f.id)"
    )
    op.create_index(
        "ux_user_facts_user_id_content_key",
        "user_facts",
        ["user_id", "content_key"],
        unique=True,
        postgresql_where=sa.text("is_active"),
    )
    op.drop_index("ix_user_facts_user_id_is_active", table_name="user_facts")
    op.create_index(
        "ix_user_facts_user_id_id_active",
        "user_facts",
        ["user_id", "id"],
        postgresql_where=sa.text("is_active"),
    )
    op.create_index(
        "ix_user_facts_user_id_importance_active",
        "user_facts",
        ["user_id", "importance", "id"],
        postgresql_where=sa.text("is_active"),
    )

    op.create_index(
        "ix_user_facts_user_id_subject_active",
        "user_facts",
        ["user_id", sa.text("lower(subject)"), "happens_on"],
        postgresql_where=sa.text("is_active AND happens_on IS NOT NULL"),
    )
    op.create_index(
        "ix_user_facts_user_id_pinned",
        "user_facts",
        ["user_id"],
        postgresql_where=sa.text("is_active AND pinned"),
    )

    op.create_table(
        "user_fact_terms",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("fact_id", sa.BigInteger(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_fact_terms_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "term", "fact_id", name=op.f("pk_user_fact_terms")),
    )
    op.create_table(
        "user_memory_stats",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("active_facts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_memory_stats_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_memory_stats")),
    )
    op.execute(TERM_WEIGHTS_FUNCTION)
    for function in TRIGGER_FUNCTIONS:
        op.execute(function)
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute(
        "INSERT INTO user_fact_terms (user_id, term, fact_id, weight) "
        "SELECT f.user_id, w.term, f.id, w.weight FROM user_facts f "
        "CROSS JOIN LATERAL memory_term_weights(f.search_vector, f.importance) w WHERE f.is_active"
    )
    op.execute(
        "INSERT INTO user_memory_stats (user_id, active_facts) "
        "SELECT user_id, count(*) FROM user_facts WHERE is_active GROUP BY user_id"
    )

    op.create_table(
        "user_entities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=True),
        sa.Column("fact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "name_key", sa.String(length=100), sa.Computed("lower(name)", persisted=True), nullable=False
        ),
        sa.Column(
            "terms",
            postgresql.ARRAY(sa.Text()),
            sa.Computed(
                "tsvector_to_array(to_tsvector('english'::regconfig, name || ' ' || COALESCE(role, '')))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["fact_id"],
            ["user_facts.id"],
            name=op.f("fk_user_entities_fact_id_user_facts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_entities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_entities")),
        sa.UniqueConstraint("user_id", "name_key", name=op.f("uq_user_entities_user_id_name_key")),
    )
    op.create_index(op.f("ix_user_entities_fact_id"), "user_entities", ["fact_id"])
    # The naming facts the earlier offline reading wrote ("Their dog is called Biscuit").
    op.execute(
        "INSERT INTO user_entities (user_id, name, role, fact_id) "
        "SELECT DISTINCT ON (f.user_id, lower(m[2])) f.user_id, m[2], lower(m[1]), f.id "
        "FROM user_facts f CROSS JOIN LATERAL regexp_match(f.fact_content, "
        "'^Their ([a-z]+) is called ([A-Z][a-z]+)$') AS m "
        "WHERE f.is_active AND m IS NOT NULL ORDER BY f.user_id, lower(m[2]), f.id DESC"
    )

    op.add_column("conversations", sa.Column("memory_read_through", sa.BigInteger(), nullable=True))
    op.add_column(
        "conversations", sa.Column("memory_unread", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.create_index(
        "ix_conversations_memory_pending",
        "conversations",
        ["last_message_at"],
        postgresql_where=sa.text("memory_unread > 0"),
    )
    op.execute(
        "UPDATE conversations c SET memory_read_through = m.last_id "
        "FROM (SELECT conversation_id, max(id) AS last_id FROM messages GROUP BY conversation_id) m "
        "WHERE m.conversation_id = c.id"
    )

    op.execute(
        """
DO $$
BEGIN
    IF to_regclass('user_fact_embeddings') IS NULL THEN
        RETURN;
    END IF;
    ALTER TABLE user_fact_embeddings ADD COLUMN user_id BIGINT;
    UPDATE user_fact_embeddings e SET user_id = f.user_id FROM user_facts f WHERE f.id = e.fact_id;
    ALTER TABLE user_fact_embeddings ALTER COLUMN user_id SET NOT NULL;
    ALTER TABLE user_fact_embeddings ADD CONSTRAINT fk_user_fact_embeddings_user_id_users
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
    CREATE INDEX ix_user_fact_embeddings_user_id_fact_id ON user_fact_embeddings (user_id, fact_id);
END
$$
"""
    )

    op.execute(
        "UPDATE personalities SET settings = jsonb_set(settings #- '{facts,extraction_rate}', "
        "'{facts,window_turns}', '5'::jsonb) WHERE settings ? 'facts'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE personalities SET settings = jsonb_set(settings #- '{facts,window_turns}', "
        "'{facts,extraction_rate}', '0.4'::jsonb) WHERE settings ? 'facts'"
    )
    op.execute(
        """
DO $$
BEGIN
    IF to_regclass('user_fact_embeddings') IS NULL THEN
        RETURN;
    END IF;
    DROP INDEX ix_user_fact_embeddings_user_id_fact_id;
    ALTER TABLE user_fact_embeddings DROP COLUMN user_id;
END
$$
"""
    )
    op.drop_index("ix_conversations_memory_pending", table_name="conversations")
    op.drop_column("conversations", "memory_unread")
    op.drop_column("conversations", "memory_read_through")
    op.drop_index(op.f("ix_user_entities_fact_id"), table_name="user_entities")
    op.drop_table("user_entities")
    op.execute("DROP TRIGGER user_facts_terms_delete ON user_facts")
    op.execute("DROP TRIGGER user_facts_terms_update ON user_facts")
    op.execute("DROP TRIGGER user_facts_terms_insert ON user_facts")
    op.execute("DROP FUNCTION user_facts_terms_after_delete()")
    op.execute("DROP FUNCTION user_facts_terms_after_update()")
    op.execute("DROP FUNCTION user_facts_terms_after_insert()")
    op.execute("DROP FUNCTION memory_term_weights(tsvector, float8)")
    op.drop_table("user_memory_stats")
    op.drop_table("user_fact_terms")
    op.drop_index("ix_user_facts_user_id_pinned", table_name="user_facts")
    op.drop_index("ix_user_facts_user_id_subject_active", table_name="user_facts")
    op.drop_index("ix_user_facts_user_id_importance_active", table_name="user_facts")
    op.drop_index("ix_user_facts_user_id_id_active", table_name="user_facts")
    op.create_index("ix_user_facts_user_id_is_active", "user_facts", ["user_id", "is_active"])
    op.drop_index("ux_user_facts_user_id_content_key", table_name="user_facts")
    op.drop_column("user_facts", "content_key")
    op.drop_column("user_facts", "search_vector")
    op.add_column(
        "user_facts",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(OLD_SEARCH_VECTOR, persisted=True),
            nullable=False,
        ),
    )
    op.drop_index(op.f("ix_user_facts_superseded_by_id"), table_name="user_facts")
    op.drop_constraint(op.f("fk_user_facts_superseded_by_id_user_facts"), "user_facts", type_="foreignkey")
    op.drop_column("user_facts", "superseded_by_id")
    op.drop_column("user_facts", "pinned")
    op.drop_column("user_facts", "happens_on")
    op.drop_column("user_facts", "subject_role")
    op.drop_column("user_facts", "subject")
