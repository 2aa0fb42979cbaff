"""Hardening: one worker answers an interaction at a time, and receipts are kept only as long as needed.

- interaction_claims: a worker claims an interaction before calling the model; a twin delivery of the same
  record to another container finds the claim and waits for the receipt.
- interaction_receipts: indexes to drop a person's old receipts when they next write, and everyone's in
  the scheduled run (a receipt holds a reply's text: a copy of personal data kept no longer than a
  redelivery could need it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interaction_claims",
        sa.Column("interaction_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_interaction_claims")),
    )
    op.create_index(op.f("ix_interaction_claims_claimed_until"), "interaction_claims", ["claimed_until"])
    op.create_index(
        "ix_interaction_receipts_user_id_created_at", "interaction_receipts", ["user_id", "created_at"]
    )
    op.create_index("ix_interaction_receipts_created_at", "interaction_receipts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_interaction_receipts_created_at", table_name="interaction_receipts")
    op.drop_index("ix_interaction_receipts_user_id_created_at", table_name="interaction_receipts")
    op.drop_index(op.f("ix_interaction_claims_claimed_until"), table_name="interaction_claims")
    op.drop_table("interaction_claims")
