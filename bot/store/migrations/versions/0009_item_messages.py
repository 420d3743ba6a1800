"""the client messages an item is made of: the first and each folded into it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "item_messages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ux_item_messages_team_channel_ts",
        "item_messages",
        ["team_id", "channel_id", "ts"],
        unique=True,
    )
    op.create_index(
        "ix_item_messages_team_channel_thread",
        "item_messages",
        ["team_id", "channel_id", "thread_ts"],
    )
    op.create_index("ix_item_messages_item", "item_messages", ["item_id", "position"])
    # Items recorded before: their own message, as the first (what folded into them before
    # stays in their text; only their first message is known).
    op.execute(
        "INSERT INTO item_messages (team_id, item_id, channel_id, ts, thread_ts, text, position)"
        " SELECT team_id, id, channel_id, message_ts, thread_ts, what, 0 FROM items"
        " WHERE message_ts IS NOT NULL AND channel_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_item_messages_item", table_name="item_messages")
    op.drop_index("ix_item_messages_team_channel_thread", table_name="item_messages")
    op.drop_index("ux_item_messages_team_channel_ts", table_name="item_messages")
    op.drop_table("item_messages")
