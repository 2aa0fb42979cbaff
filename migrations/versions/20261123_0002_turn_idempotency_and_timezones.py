"""What the conversation, proactive and living-mind work needs beyond the reference schema.

- messages.personality_id: 003's conversation_history keeps the personality of each message.
- messages.interaction_id, unique with role: a redelivered Discord interaction finds its stored turn.
- users.timezone: reminders, birthdays and quiet hours happen in the person's own time.
- personalities.settings: the living-mind tunables per personality (decay, extraction rate, damping).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("timezone", sa.String(length=64), nullable=True))
    op.add_column(
        "personalities",
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("messages", sa.Column("personality_id", sa.BigInteger(), nullable=True))
    op.add_column("messages", sa.Column("interaction_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_messages_personality_id_personalities"),
        "messages",
        "personalities",
        ["personality_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_messages_personality_id"), "messages", ["personality_id"], unique=False)
    op.create_unique_constraint(
        op.f("uq_messages_interaction_id_role"), "messages", ["interaction_id", "role"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_messages_interaction_id_role"), "messages", type_="unique")
    op.drop_index(op.f("ix_messages_personality_id"), table_name="messages")
    op.drop_constraint(op.f("fk_messages_personality_id_personalities"), "messages", type_="foreignkey")
    op.drop_column("messages", "interaction_id")
    op.drop_column("messages", "personality_id")
    op.drop_column("personalities", "settings")
    op.drop_column("users", "timezone")
