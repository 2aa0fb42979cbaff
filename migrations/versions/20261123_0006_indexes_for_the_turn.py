"""Indexes for the per-turn queries, and a stored full-text vector on facts.

- messages (conversation_id, created_at): the conversation window is an index range, not a sort.
- messages (user_id, created_at): the turns-per-minute and daily-token guards read only today's rows.
- user_facts (user_id, is_active) and user_facts.search_vector: relevant facts ranked by relation to the
  message without re-parsing every fact on every turn.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 01:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_conversation_id_created_at", "messages", ["conversation_id", "created_at"])
    op.create_index("ix_messages_user_id_created_at", "messages", ["user_id", "created_at"])
    op.create_index("ix_user_facts_user_id_is_active", "user_facts", ["user_id", "is_active"])
    op.add_column(
        "user_facts",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('simple'::regconfig, fact_content)", persisted=True),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("user_facts", "search_vector")
    op.drop_index("ix_user_facts_user_id_is_active", table_name="user_facts")
    op.drop_index("ix_messages_user_id_created_at", table_name="messages")
    op.drop_index("ix_messages_conversation_id_created_at", table_name="messages")
