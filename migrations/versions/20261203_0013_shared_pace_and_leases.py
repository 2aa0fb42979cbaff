"""One pace for every proactive runner, and a lease so that two runs at once are the exception.

- discord_pace: one row; each bot-token request to Discord takes the next slot from it, so runners in
  separate processes (a retried invocation, a slow run) together keep under Discord's global limit.
- job_leases: the proactive run holds its lease while it works (renewed per batch); a second run that
  finds it held ends at once.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 15:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discord_pace",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_discord_pace_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_pace")),
    )
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_table("discord_pace")
