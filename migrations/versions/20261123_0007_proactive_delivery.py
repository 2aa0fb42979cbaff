"""Proactive delivery: a due time, attempts and the last error on scheduled events.

due_at is when a runner should next look at an event: its trigger time, a retry time, or, while the
event is "sending", the end of the claiming runner's lease (an expired lease makes it claimable again).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 01:55:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "scheduled_events",
        sa.Column("due_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.execute("UPDATE scheduled_events SET due_at = trigger_at")
    op.add_column(
        "scheduled_events", sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.add_column("scheduled_events", sa.Column("last_error", sa.Text(), nullable=True))
    op.create_index(
        "ix_scheduled_events_due_at",
        "scheduled_events",
        ["due_at"],
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )
    op.create_check_constraint(
        op.f("ck_scheduled_events_status"),
        "scheduled_events",
        "status IN ('pending', 'sending', 'triggered', 'cancelled', 'failed')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_scheduled_events_status"), "scheduled_events", type_="check")
    op.drop_index("ix_scheduled_events_due_at", table_name="scheduled_events")
    op.drop_column("scheduled_events", "last_error")
    op.drop_column("scheduled_events", "attempts")
    op.drop_column("scheduled_events", "due_at")
