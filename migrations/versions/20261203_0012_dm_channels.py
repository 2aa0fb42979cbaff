"""A person's DM channel id, remembered: a proactive DM costs one request to Discord, not two.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("dm_channel_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "dm_channel_id")
