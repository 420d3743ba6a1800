"""client channels and recorded client messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("message_ts", sa.String(32), nullable=True))
        batch.add_column(sa.Column("thread_ts", sa.String(32), nullable=True))
        batch.add_column(sa.Column("client_user_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            "ux_items_team_channel_message", ["team_id", "channel_id", "message_ts"], unique=True
        )
    op.create_table(
        "client_channels",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("clients", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_client_channels_team_channel", "client_channels", ["team_id", "channel_id"], unique=True
    )


def downgrade() -> None:
    op.drop_table("client_channels")
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ux_items_team_channel_message")
        batch.drop_column("first_reply_at")
        batch.drop_column("client_user_id")
        batch.drop_column("thread_ts")
        batch.drop_column("message_ts")
