"""Episodes: what happened in a conversation, summarised when it ends, recalled like a fact.

- conversations.episode_pending: the conversation has turns a model has not summarised yet (set by the
  turn whenever memory will read it with a model, cleared by the summary); the scheduled run finds the
  ended ones through a partial index, as it finds those with unread turns.
- user_facts of type ``episode`` need no schema: a dated line ("On Tuesday 7 May 2024 they went to their
  first pottery class and loved it") with ``happens_on`` and ``source`` = 'episode'.
- personalities' ``facts.similarity_weight``: recall now adds closeness in meaning to the words' score
  instead of fusing their ranks, and the number means the share meaning adds; a personality still at the
  old default (1.0) moves to the new one (0.3, what `lc bench memory` measured best).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 23:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "conversations",
        sa.Column("episode_pending", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_index(
        "ix_conversations_episode_pending",
        "conversations",
        ["last_message_at"],
        postgresql_where=sa.text("episode_pending"),
    )

    op.execute(
        "UPDATE personalities SET settings = jsonb_set(settings, '{facts,similarity_weight}', '0.3'::jsonb) "
        "WHERE settings -> 'facts' -> 'similarity_weight' = '1.0'::jsonb"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE personalities SET settings = jsonb_set(settings, '{facts,similarity_weight}', '1.0'::jsonb) "
        "WHERE settings -> 'facts' -> 'similarity_weight' = '0.3'::jsonb"
    )
    op.drop_index("ix_conversations_episode_pending", table_name="conversations")
    op.drop_column("conversations", "episode_pending")
