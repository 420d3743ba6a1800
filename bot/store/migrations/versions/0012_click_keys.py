"""item events remember the click or form (its intake key) that made them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_events") as batch:
        batch.add_column(sa.Column("request_key", sa.String(80), nullable=True))
    op.create_index(
        "ux_item_events_team_request", "item_events", ["team_id", "request_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_item_events_team_request", table_name="item_events")
    with op.batch_alter_table("item_events") as batch:
        batch.drop_column("request_key")
