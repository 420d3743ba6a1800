"""The store's fixture: a migrated Repo on each backend (SQLite file, fresh PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store.db import make_engine, migrate
from bot.store.repo import Repo


@pytest.fixture
def repo(database_url: str) -> Iterator[Repo]:
    """On a database copied from a migrated template (migrating again is a cheap no-op that
    keeps this right for any URL), disposed after the test so its pool lets go of the
    database before PostgreSQL drops it."""
    engine = make_engine(database_url)
    migrate(engine)
    yield Repo(engine)
    engine.dispose()
