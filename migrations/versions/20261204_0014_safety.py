"""Safety: what was said in a crisis is marked, the "I'm an AI" line is timed, referrals are counted.

- messages.safety_concern: the concern a message showed (suicide, self_harm, harm_others) on both messages
  of that turn. Memory does not learn from them, a public channel's window leaves them out, and proactive
  messages in the next 24 hours are gentle (found through ix_messages_user_id_safety).
- conversations.disclosed_at / break_reminded_at: when the conversation last said it is an AI, and when a
  young person was last reminded to take a break (each at least every three hours).
- safety_referral_counts: crisis referrals per day, kind and language, and nothing else (no user, message or
  interaction id): what an operator reports (California from 1 July 2027).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 21:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("safety_concern", sa.String(20), nullable=True))
    op.create_check_constraint(
        "safety_concern",
        "messages",
        "safety_concern IS NULL OR safety_concern IN ('suicide', 'self_harm', 'harm_others')",
    )
    op.create_index(
        "ix_messages_user_id_safety",
        "messages",
        ["user_id", "created_at"],
        postgresql_where=sa.text("safety_concern IS NOT NULL"),
    )
    op.add_column("conversations", sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("conversations", sa.Column("break_reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "safety_referral_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("referrals", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", "language", name=op.f("pk_safety_referral_counts")),
    )


def downgrade() -> None:
    op.drop_table("safety_referral_counts")
    op.drop_column("conversations", "break_reminded_at")
    op.drop_column("conversations", "disclosed_at")
    op.drop_index("ix_messages_user_id_safety", table_name="messages")
    op.drop_constraint("safety_concern", "messages", type_="check")
    op.drop_column("messages", "safety_concern")
