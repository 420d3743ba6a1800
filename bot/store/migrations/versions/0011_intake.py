"""the intake: requests stored before their ack; items remember the command that made them

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "intake",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim", sa.String(32), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ux_intake_team_key", "intake", ["team_id", "key"], unique=True)
    op.create_index("ix_intake_done_lease", "intake", ["done_at", "lease_until"])
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("request_key", sa.String(80), nullable=True))
    op.create_index("ux_items_team_request", "items", ["team_id", "request_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_items_team_request", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("request_key")
    op.drop_index("ix_intake_done_lease", table_name="intake")
    op.drop_index("ux_intake_team_key", table_name="intake")
    op.drop_table("intake")
