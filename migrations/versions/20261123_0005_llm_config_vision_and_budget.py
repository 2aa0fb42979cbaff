"""LLM configs say whether the model sees images and how many tokens a prompt may use.

Both resolve field by field like the other LLM settings (user x personality, personality, default).
The default config is set to a 6,000-token prompt budget and no vision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("llm_configs", sa.Column("supports_vision", sa.Boolean(), nullable=True))
    op.add_column("llm_configs", sa.Column("context_budget", sa.Integer(), nullable=True))
    op.execute("UPDATE llm_configs SET supports_vision = false, context_budget = 6000 WHERE is_default")


def downgrade() -> None:
    op.drop_column("llm_configs", "context_budget")
    op.drop_column("llm_configs", "supports_vision")
