"""The use-case tests' world: stub ports, a frozen clock, a real Repo on SQLite (a copy
of the session's migrated template, see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FrozenClock
from bot.config import Defaults
from bot.store.db import make_engine
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


@pytest.fixture
def repo(migrated_sqlite_url: str) -> Iterator[Repo]:
    engine = make_engine(migrated_sqlite_url)
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
