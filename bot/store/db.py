"""Engines, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

# Any constant works; it only has to be the same for every replica.
_MIGRATION_LOCK = 7_351_224_001


def make_engine(url: str) -> Engine:
    """An engine tuned per backend: WAL and a busy timeout on SQLite; pre-ping and UTC
    sessions on PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.close()

        return engine
    # Sessions in UTC: psycopg then returns datetime.timezone.utc datetimes, which compare
    # and convert several times faster than a server zone's ZoneInfo (digests read 10,000s).
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"options": "-c timezone=UTC"},
    )


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic set up from the package itself, so migrations run from any directory."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("bot.store") / "migrations"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema up to date; replicas starting together take turns."""
    cfg = alembic_config()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ping(engine: Engine) -> bool:
    """True when the database answers; for /healthz."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
