"""The use-case tests' world: stub ports, a frozen clock, a real Repo on SQLite.

Each test gets a copy of one SQLite database migrated once per session (a file copy takes
a few milliseconds; migrating takes over a hundred), like the PostgreSQL template in
tests/conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.config import Defaults
from bot.store.db import make_engine, migrate
from bot.store.repo import Repo
from tests.usecases.data import (
    ADMIN,
    ALEX,
    CHANNEL,
    GONE,
    LEAD,
    LEE,
    MARIA,
    NOTZ,
    NOW,
    ROBOT,
    SAM,
    TEAM,
)
from tests.usecases.stubs import StubDirectory, Transcript, World, build_world


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def repo(sqlite_template: Path, tmp_path: Path) -> Iterator[Repo]:
    path = tmp_path / "promise-bot.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Repo(engine)
    engine.dispose()


@pytest.fixture
def defaults() -> Defaults:
    """The environment's workspace defaults; a module may override this fixture."""
    return Defaults(timezone="UTC", lead=LEAD)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def directory() -> StubDirectory:
    d = StubDirectory()
    for user in (MARIA, LEAD, ALEX):
        d.add(user, "UTC")
    d.add(SAM, "Europe/London")
    d.add(LEE, "America/New_York")
    d.add(NOTZ, None)
    d.add(ADMIN, "UTC", is_admin=True)
    d.add(ROBOT, None, is_bot=True)
    d.add(GONE, "UTC", deleted=True)
    return d


@pytest.fixture
def transcript() -> Transcript:
    t = Transcript()
    t.add_channel(CHANNEL, "acme-project")
    return t


@pytest.fixture
def world(
    repo: Repo,
    clock: FrozenClock,
    directory: StubDirectory,
    transcript: Transcript,
    defaults: Defaults,
) -> World:
    return build_world(repo, clock, directory, transcript, defaults, team=TEAM)
