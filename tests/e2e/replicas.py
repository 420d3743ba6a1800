"""Replicas of the real bot for the chaos test: two slots of `python -m bot run`, a
signed client for whichever is up, and this test's own database as a restart looks to it."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import PG_SERVER
from tests.e2e.test_durability import BotProcess
from tests.fakeslack import FakeSlack, signed_headers


class Replicas:
    """Two slots, each running one bot process; a killed one is replaced by a new one."""

    def __init__(self, fake: FakeSlack, url: str, workdir: Path) -> None:
        self.fake, self.url, self.workdir = fake, url, workdir
        self.started: list[BotProcess] = []
        self.slots = [self._start(), self._start()]
        self.kills = 0
        self._lock = threading.Lock()

    def _start(self) -> BotProcess:
        bot = BotProcess(f"bot{len(self.started) + 1}", self.fake, self.url, self.workdir)
        self.started.append(bot)
        return bot

    def up(self) -> list[BotProcess]:
        with self._lock:
            return list(self.slots)

    def kill_and_restart(self, slot: int) -> None:
        with self._lock:
            victim = self.slots[slot]
        victim.kill()
        with self._lock:
            self.slots[slot] = self._start()
            self.kills += 1

    def close(self) -> None:
        for bot in self.started:
            bot.close()


def serving(bot: BotProcess) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=1)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def post(bot: BotProcess, body: str, content_type: str, retry: int = 0) -> tuple[int, str]:
    """Send a signed request as Slack does; (status, body), status 0 when nobody answered."""
    headers = {**signed_headers("s", body), "Content-Type": content_type}
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_error"
    conn = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=5)
    try:
        conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    except OSError:
        return 0, ""
    finally:
        conn.close()


class Database:
    """This test's database, as its clients see a server restart."""

    def __init__(self, url: str) -> None:
        self.name = url.rsplit("/", 1)[1]
        self.admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")

    def allow(self, allowed: bool) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {allowed}'))

    def drop_connections(self) -> int:
        with self.admin.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self.name},
                ).all()
            )

    def close(self) -> None:
        self.allow(True)
        self.admin.dispose()
