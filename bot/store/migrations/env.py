"""Alembic environment: always runs on the connection handed over by bot.store.db.migrate."""

from alembic import context

from bot.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guard for `alembic` CLI use
    raise RuntimeError("run migrations with `promise-bot migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
