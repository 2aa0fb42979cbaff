"""Everyone's model tokens today, for a deployment-wide daily cap (DAILY_TOKENS_ALL).

- global_usage: one row per shard (``user_id % SHARDS``, as the server's and the mood's), so two people's
  turns never wait on one row; summed when read (16 rows through the primary key). Starts at zero.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 00:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "global_usage",
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_global_usage")),
    )


def downgrade() -> None:
    op.drop_table("global_usage")
