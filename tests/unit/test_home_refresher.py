"""HomeWatch and HomeRefresher: cheap to tell, publish only opened Homes, at most once per
interval."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from bot.usecases.home import Home, HomeRefresher, HomeWatch


class FakeHome:
    """Records publishes; `lead` answers like Workplace.lead(team)."""

    def __init__(self, lead: str | None = "U0LEAD") -> None:
        self.lead_id = lead
        self.published: list[tuple[str, str, str | None]] = []
        self.lock = threading.Lock()

    def publish(
        self, team: str, user: str, *, backlog: int | None = None, notice: Any = None
    ) -> bool:
        with self.lock:
            self.published.append((team, user, notice))
        return True

    def lead(self, team: str) -> str | None:
        return self.lead_id


def refresher(home: FakeHome, **kw: Any) -> HomeRefresher:
    return HomeRefresher(HomeWatch(), home, **kw)  # type: ignore[arg-type]


def test_a_home_nobody_opened_is_never_published() -> None:
    home = FakeHome()
    r = refresher(home)
    r.watch.changed("T1", "U0MARIA")
    assert r.flush() == 0 and home.published == []


def test_many_changes_publish_once() -> None:
    home = FakeHome()
    r = refresher(home)
    r.watch.opened("T1", "U0MARIA")
    for _ in range(500):
        r.watch.changed("T1", "U0MARIA")
    assert r.flush() == 1
    assert home.published == [("T1", "U0MARIA", None)]
    assert r.flush() == 0


def test_the_leads_home_follows_any_change_in_their_team_once_opened() -> None:
    home = FakeHome(lead="U0LEAD")
    r = refresher(home)
    r.watch.changed("T1", "U0SAM")
    assert r.flush() == 0  # the lead has not opened their Home
    r.watch.opened("T1", "U0LEAD")
    r.watch.changed("T1", "U0SAM")
    r.watch.changed("T2", "U0SAM")  # another workspace: its own lead (not opened there)
    assert r.flush() == 1 and home.published == [("T1", "U0LEAD", None)]


def test_publishing_now_clears_the_pending_refresh() -> None:
    home = FakeHome()
    r = refresher(home)
    r.watch.opened("T1", "U0MARIA")
    r.watch.changed("T1", "U0MARIA")
    r.publish("T1", "U0MARIA", notice="done")
    assert r.flush() == 0
    assert home.published == [("T1", "U0MARIA", "done")]


def test_the_worker_publishes_at_once_then_at_most_once_per_interval() -> None:
    home = FakeHome(lead=None)
    r = refresher(home, interval=60)
    r.watch.opened("T1", "U0MARIA")
    r.start()
    try:
        r.watch.changed("T1", "U0MARIA")
        deadline = time.monotonic() + 5
        while not home.published and time.monotonic() < deadline:
            time.sleep(0.01)  # the worker is another thread: poll with a deadline
        assert len(home.published) == 1
        for _ in range(20):
            r.watch.changed("T1", "U0MARIA")  # within the interval: held back
    finally:
        r.stop()
    assert len(home.published) == 1
    assert r.flush() == 1  # the held-back change was kept, not lost


def test_changed_is_cheap() -> None:
    r = refresher(FakeHome())
    r.watch.opened("T1", "U0MARIA")
    started = time.perf_counter()
    for _ in range(20_000):
        r.watch.changed("T1", "U0MARIA")
    assert time.perf_counter() - started < 1.0  # ~5 µs each; ingest calls it 200+/s


class Broken:
    """A workplace whose look-ups fail, as when the database is down."""

    sessions = None  # a repo with no database, for the Home's queries

    def calendar_for(self, team: str, user: str) -> Any:
        raise RuntimeError("database is down")


class Screen:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def publish(self, team: str, user: str, data: Any) -> None:
        self.sent.append(data)


def test_a_failure_to_publish_is_logged_never_raised(caplog: pytest.LogCaptureFixture) -> None:
    screen = Screen()
    home = Home(Broken(), Broken(), None, None, screen, None)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        assert home.publish("T1", "U0MARIA") is False
    assert screen.sent == [] and "could not publish the Home tab of U0MARIA" in caplog.text
