"""items closed in a period, per workspace: the digest's and /promise stats' query

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_items_team_status_closed", "items", ["team_id", "status", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_items_team_status_closed", table_name="items")
