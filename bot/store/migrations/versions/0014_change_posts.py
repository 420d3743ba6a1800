"""item events remember the post that follows them (a thank-you, a note, a hand-off DM)

Owed from the change's own transaction until Slack answers: a request processed again
after a crash in between posts it then, once (see bot/usecases/change_posts.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_events") as batch:
        batch.add_column(sa.Column("post", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_events") as batch:
        batch.drop_column("post")
