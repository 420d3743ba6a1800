"""Shared fixtures: a database per test (SQLite file or a fresh PostgreSQL database)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.store.db import make_engine, migrate
from tests.requirements import REQUIRE_POSTGRES, missing

PG_SERVER = os.environ.get("PROMISE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin():  # type: ignore[no-untyped-def]
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated database that each PostgreSQL test copies (CREATE DATABASE … TEMPLATE)."""
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:
        # CI sets PROMISE_REQUIRE_POSTGRES=1: a missing server fails the run instead.
        missing(f"PostgreSQL is not reachable at {PG_SERVER}: {e}", env_var=REQUIRE_POSTGRES)
    name = f"promise_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"{PG_SERVER}/{name}")
    migrate(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    name = f"promise_t_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield f"{PG_SERVER}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new, empty SQLite file (the app migrates it when it starts)."""
    return f"sqlite:///{tmp_path / 'promise-bot.db'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies: a copy takes milliseconds, migrating
    over a hundred."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def migrated_sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "migrated.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on each backend, on a database already migrated (a copy of a
    template on both)."""
    if request.param == "sqlite":
        return request.getfixturevalue("migrated_sqlite_url")
    return request.getfixturevalue("pg_url")
