"""Receipts for exactly-once command effects, and model usage for the daily budgets.

- interaction_receipts: the stored reply of each handled interaction (redeliveries re-send it).
- messages.model_prompt_tokens / model_completion_tokens: usage of the model call behind a reply.
- ix_conversations_guild_id: the per-server budget sums a server's turns of the day.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interaction_receipts",
        sa.Column("interaction_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("command", sa.String(length=64), nullable=False),
        sa.Column("reply", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_interaction_receipts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_interaction_receipts")),
    )
    op.create_index(
        op.f("ix_interaction_receipts_user_id"), "interaction_receipts", ["user_id"], unique=False
    )
    op.add_column("messages", sa.Column("model_prompt_tokens", sa.Integer(), nullable=True))
    op.add_column("messages", sa.Column("model_completion_tokens", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_conversations_guild_id"), "conversations", ["guild_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_conversations_guild_id"), table_name="conversations")
    op.drop_column("messages", "model_completion_tokens")
    op.drop_column("messages", "model_prompt_tokens")
    op.drop_index(op.f("ix_interaction_receipts_user_id"), table_name="interaction_receipts")
    op.drop_table("interaction_receipts")
