"""Crash safety, replicas and Slack faults, with real bot processes against the fake Slack.

Each test seeds open items and due nudges through the library, runs `python -m bot run` as
a subprocess on the real clock (PROMISE_TICK=1s, PROMISE_LEASE=3s), kills or restarts it at
the moment that matters, and then checks the fake's record: every nudge id appears in the
metadata of exactly one stored DM to its recipient, and its row ended `sent`, pointing at
that very DM.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TypeVar

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.core.items import NewItem
from bot.core.plan import Kind
from bot.slack.client import retry_handlers
from bot.store.db import make_engine, migrate
from bot.store.models import Nudge
from bot.store.outbox import Want
from bot.store.repo import Repo
from tests.fakeslack import FakeSlack

TEAM = "T0001"
LEASE = timedelta(seconds=3)
T = TypeVar("T")


# -- the bot as a process ------------------------------------------------------------


class BotProcess:
    """`python -m bot run --http` on a free port, its output in a log file."""

    def __init__(self, name: str, fake: FakeSlack, database_url: str, workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "PROMISE_", "DATABASE_URL", "LOG_LEVEL"))
        }
        env = {
            **clean,
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": database_url,
            "PROMISE_TICK": "1s",
            "PROMISE_LEASE": f"{int(LEASE.total_seconds())}s",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self._log: IO[str] = open(self.log_path, "w")  # noqa: SIM115 (closed in close())
        # `--port 0` falls back to PORT/3000 in bot.cli, so replicas get a free port each.
        self.port = free_port()
        port = str(self.port)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--http", "--port", port, "--host", "127.0.0.1"],
            cwd=workdir,  # no stray .env from the repository
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def sent(self) -> int:
        """Nudges this process reported sent (the scheduler logs each tick's counts)."""
        return sum(int(n) for n in re.findall(r"nudges: (\d+) sent", self.log()))

    def kill(self) -> None:
        """SIGKILL: no clean-up, no finally, no atexit."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM, as docker stop or systemd would, and wait for the exit."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        self._log.close()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_channel("C0CLIENT", "acme-project")
    yield fake
    fake.stop()


@pytest.fixture
def start_bot(fake: FakeSlack, tmp_path: Path) -> Iterator[Callable[[str], BotProcess]]:
    """Start bot processes on a database; every one still running is killed at the end."""
    bots: list[BotProcess] = []

    def start(database_url: str) -> BotProcess:
        bot = BotProcess(f"bot{len(bots) + 1}", fake, database_url, tmp_path)
        bots.append(bot)
        return bot

    yield start
    for bot in bots:
        bot.close()


# -- waiting, seeding, counting --------------------------------------------------------


def wait_until(check: Callable[[], T], timeout: float, what: str, *bots: BotProcess) -> T:
    """Poll `check` until it returns something truthy; fail with the bots' logs if it never does.

    The bots are other processes writing to the database: there is no in-process event to
    wait on, so this polls (bounded by `timeout`) instead of sleeping a fixed time.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {b.name}\n{b.tail()}" for b in bots)
            raise AssertionError(f"no {what} within {timeout}s\n{logs}")
        time.sleep(0.05)


@dataclass
class Store:
    engine: Engine
    repo: Repo

    @classmethod
    def open(cls, url: str) -> Store:
        engine = make_engine(url)
        migrate(engine)
        return cls(engine, Repo(engine))

    def seed(self, users: list[str], per_user: int) -> dict[int, str]:
        """Open promises with a `before` nudge each, due a few seconds ago (the deadline is
        two hours away, so they are worth sending); returns {nudge id: recipient}."""
        now = datetime.now(UTC)
        due = now - timedelta(seconds=5)
        items: list[int] = []
        for k in range(per_user):
            for user in users:
                item = self.repo.create_item(
                    NewItem(
                        team_id=TEAM,
                        kind="promise",
                        what=f"send the deck, part {k}",
                        owner_id=user,
                        creator_id=user,
                        due_at=now + timedelta(hours=2),
                        channel_id="C0CLIENT",
                    ),
                    now,
                )
                key = f"{item.id}:before@seeded"
                want = Want(recipient_id=user, kind=Kind.BEFORE, key=key, at=due)
                assert self.repo.outbox.ensure(TEAM, want, now, item_id=item.id)
                items.append(item.id)
        with self.repo.sessions() as s:
            rows = s.execute(
                select(Nudge.id, Nudge.recipient_id).where(Nudge.item_id.in_(items))
            ).all()
        assert len(rows) == len(items)
        return {nudge_id: user for nudge_id, user in rows}

    def rows(self, ids: Iterable[int]) -> dict[int, Nudge]:
        with self.repo.sessions() as s:
            return {n.id: n for n in s.scalars(select(Nudge).where(Nudge.id.in_(list(ids))))}

    def all_final(self, ids: Iterable[int]) -> bool:
        return all(n.status != "queued" for n in self.rows(ids).values())

    def fast_forward_retries(self, ids: Iterable[int]) -> int:
        """Make rows waiting out the dispatcher's backoff (30 s and more) due now, as the
        clock would after that long; rows someone holds a claim on are left alone."""
        with self.repo.sessions.begin() as s:
            result = s.execute(
                update(Nudge)
                .where(
                    Nudge.id.in_(list(ids)),
                    Nudge.status == "queued",
                    Nudge.claim.is_(None),
                )
                .values(next_at=datetime.now(UTC))
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def open_store() -> Iterator[Callable[[str], Store]]:
    stores: list[Store] = []

    def open_(url: str) -> Store:
        stores.append(Store.open(url))
        return stores[-1]

    yield open_
    for store in stores:
        store.close()


def deliveries(fake: FakeSlack, users: set[str]) -> dict[int, list[tuple[str, str]]]:
    """{nudge id: [(recipient, ts) of every stored DM whose metadata names it]}."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user in sorted(users):
        for message in fake.messages(fake.dm_channel(user)):
            meta = message.get("metadata") or {}
            if meta.get("event_type") != "promise_nudge":
                continue
            for nudge_id in str(meta["event_payload"]["nudges"]).split(","):
                found[int(nudge_id)].append((user, message["ts"]))
    return found


def assert_exactly_once(fake: FakeSlack, store: Store, seeded: dict[int, str]) -> None:
    found = deliveries(fake, set(seeded.values()))
    doubled = {i: found[i] for i in seeded if len(found.get(i, [])) > 1}
    missing = sorted(i for i in seeded if not found.get(i))
    strangers = sorted(set(found) - set(seeded))
    assert not doubled, f"nudges delivered more than once: {doubled}"
    assert not missing, f"nudges never delivered: {missing}"
    assert not strangers, f"DMs naming nudges nobody seeded: {strangers}"
    rows = store.rows(seeded)
    for nudge_id, user in seeded.items():
        row = rows[nudge_id]
        [(to, ts)] = found[nudge_id]
        assert to == user, f"nudge {nudge_id} for {user} went to {to}"
        assert row.status == "sent", (nudge_id, row.status, row.last_error)
        assert row.message_ts == ts, f"nudge {nudge_id}: row points at {row.message_ts}, DM is {ts}"
        assert row.channel_id == fake.dm_channel(user)


def add_users(fake: FakeSlack, count: int) -> list[str]:
    users = [f"U0{n:04d}" for n in range(count)]
    for user in users:
        fake.add_user(user, f"person {user}", tz="UTC")
    return users


# -- the tests --------------------------------------------------------------------------


def test_it_delivers_once_after_a_crash_between_claim_and_send(
    fake: FakeSlack,
    sqlite_url: str,
    open_store: Callable[[str], Store],
    start_bot: Callable[[str], BotProcess],
) -> None:
    users = add_users(fake, 2)
    store = open_store(sqlite_url)
    seeded = store.seed(users, per_user=2)
    # The first DM's look-up of its owner's time zone hangs: the bot has claimed everything
    # due, and sent nothing, when it dies.
    fake.slow_next("users.info", seconds=60)
    first = start_bot(sqlite_url)
    wait_until(lambda: fake.held == ["users.info"], 20, "the hanging call", first)
    first.kill()

    held = store.rows(seeded)
    assert all(n.status == "queued" and n.claim and n.attempts == 1 for n in held.values())
    assert deliveries(fake, set(users)) == {}
    lease_ends = max(n.next_at for n in held.values())

    second = start_bot(sqlite_url)
    wait_until(lambda: store.all_final(seeded), 20, "delivery after the restart", second)

    assert_exactly_once(fake, store, seeded)
    rows = store.rows(seeded)
    assert all(n.attempts == 2 for n in rows.values())
    # Taken over only once the dead claimer's lease had run out...
    assert all(n.sent_at and n.sent_at >= lease_ends for n in rows.values())
    # ...and only after the DM history said it had not gone out.
    history = fake.calls_to("conversations.history")
    assert history and all(c.params.get("include_all_metadata") for c in history)


def test_it_does_not_resend_after_a_crash_between_send_and_mark(
    fake: FakeSlack,
    sqlite_url: str,
    open_store: Callable[[str], Store],
    start_bot: Callable[[str], BotProcess],
) -> None:
    users = add_users(fake, 2)
    store = open_store(sqlite_url)
    seeded = store.seed(users, per_user=2)
    # Slack stores the first DM, then the answer never comes back: the bot dies knowing
    # only that it asked.
    fake.slow_next("chat.postMessage", seconds=60, after=True)
    first = start_bot(sqlite_url)
    [posted] = fake.wait_for("chat.postMessage", timeout=20)
    first.kill()

    # Posted to the user ID (Slack opens the DM), or to the DM's own ID once known.
    sent_to = next(u for u in users if posted.params["channel"] in (u, fake.dm_channel(u)))
    posted_ids = {i for i, u in seeded.items() if u == sent_to}
    assert set(deliveries(fake, set(users))) == posted_ids
    assert all(
        n.status == "queued" and n.claim and n.attempts == 1
        for n in store.rows(posted_ids).values()
    ), "the bot died before marking, as intended"

    # And at first the history itself can't be read: the new process must wait until it
    # can rather than post blind.
    fake.fail_next("conversations.history", status=200, error="internal_error", count=len(seeded))
    second = start_bot(sqlite_url)

    def gone_through() -> bool:
        return all(n.status == "sent" or n.claim is None for n in store.rows(seeded).values())

    wait_until(gone_through, 20, "the new process to go through every nudge", second)
    doubled = {i: d for i, d in deliveries(fake, set(users)).items() if len(d) > 1}
    assert not doubled, f"posted again without knowing whether it had been: {doubled}"
    unsure = store.rows(seeded).values()
    assert all(n.status == "queued" and "DM history" in (n.last_error or "") for n in unsure)
    assert store.fast_forward_retries(seeded) == len(seeded)
    wait_until(lambda: store.all_final(seeded), 20, "every nudge to be settled", second)

    assert_exactly_once(fake, store, seeded)  # the stored DM, found in history, is the one
    posts = [c.params["channel"] for c in fake.calls_to("chat.postMessage")]
    to_them = [c for c in posts if c in (sent_to, fake.dm_channel(sent_to))]
    assert len(to_them) == 1  # the new process never posted to them
    assert all(n.attempts == 3 for n in store.rows(seeded).values())
    assert "was already sent before a crash" in second.log()


def test_it_delivers_every_nudge_once_with_two_replicas_on_postgresql(
    fake: FakeSlack,
    pg_url: str,
    open_store: Callable[[str], Store],
    start_bot: Callable[[str], BotProcess],
) -> None:
    users = add_users(fake, 30)
    store = open_store(pg_url)
    # Half the nudges are due as the replicas start. Slack is slow at first, so the one
    # that claims them needs longer than the lease to work through them all, and the
    # other one sees leases run out on rows that are still to be sent.
    fake.slow_next("chat.postMessage", seconds=1, count=5)
    replicas = [start_bot(pg_url), start_bot(pg_url)]
    seeded = store.seed(users, per_user=5)

    def all_claimed() -> bool:
        return all(n.claim or n.status != "queued" for n in store.rows(seeded).values())

    # The other half comes due in waves while both run, each once the last is claimed.
    for per_user in (2, 2, 1):
        wait_until(all_claimed, 30, "the due nudges to be claimed", *replicas)
        seeded |= store.seed(users, per_user=per_user)
    wait_until(lambda: store.all_final(seeded), 30, "all 300 nudges to be settled", *replicas)

    assert len(seeded) == 300
    assert_exactly_once(fake, store, seeded)
    # Each process logs its count when its tick returns, a moment after the last mark.
    wait_until(lambda: sum(b.sent() for b in replicas) >= 300, 10, "both to log", *replicas)
    shares = [bot.sent() for bot in replicas]
    assert sum(shares) == 300, shares
    assert all(shares), f"one replica did all the work: {shares}"


def test_it_delivers_everything_once_slack_recovers_from_429_500_and_slow_answers(
    fake: FakeSlack,
    sqlite_url: str,
    open_store: Callable[[str], Store],
    start_bot: Callable[[str], BotProcess],
) -> None:
    users = add_users(fake, 5)
    store = open_store(sqlite_url)
    seeded = store.seed(users, per_user=3)
    tries = {type(h).__name__: h.max_retry_count + 1 for h in retry_handlers()}
    # More failures than the client retries: the first DM is rate limited through all of
    # slack-sdk's waits (Retry-After: 1), the second meets a 502 from Slack's edge on every
    # try; the first answers are slow too.
    fake.fail_next(
        "chat.postMessage", status=429, retry_after=1, count=tries["RateLimitErrorRetryHandler"]
    )
    fake.fail_next("chat.postMessage", status=502, count=tries["AnyServerErrorRetryHandler"])
    fake.slow_next("chat.postMessage", seconds=0.5, count=2)
    bot = start_bot(sqlite_url)

    def settled_or_waiting() -> bool:
        rows = store.rows(seeded).values()
        return all(n.status == "sent" or (n.claim is None and n.last_error) for n in rows)

    wait_until(settled_or_waiting, 30, "the first round to end", bot)
    rows = store.rows(seeded)
    waiting = {i: n.last_error for i, n in rows.items() if n.status == "queued"}
    assert len(waiting) == 6, rows  # two people's DMs (3 nudges each) failed this round
    errors = sorted(set(waiting.values()), key=lambda e: "ratelimited" not in (e or ""))
    assert len(errors) == 2 and errors[0] == "ratelimited" and "502" in (errors[1] or ""), errors
    assert all(n.status in ("sent", "queued") for n in rows.values())

    # Slack has recovered; rather than sleep through the dispatcher's 30 s backoff, move
    # the retry time to now.
    assert store.fast_forward_retries(seeded) == 6
    wait_until(lambda: store.all_final(seeded), 20, "the retries to go out", bot)

    assert_exactly_once(fake, store, seeded)
    rows = store.rows(seeded)
    assert {i for i, n in rows.items() if n.last_error} == set(waiting)  # the error stays on record
    assert all((rows[i].attempts, rows[i].failures) == (2, 1) for i in waiting)


def test_it_loses_nothing_when_restarted_mid_run_on_sqlite(
    fake: FakeSlack,
    sqlite_url: str,
    open_store: Callable[[str], Store],
    start_bot: Callable[[str], BotProcess],
) -> None:
    users = add_users(fake, 12)
    store = open_store(sqlite_url)
    seeded = store.seed(users, per_user=3)
    fake.slow_next("chat.postMessage", seconds=0.3, count=6)  # a run that takes a while

    first = start_bot(sqlite_url)
    fake.wait_for("chat.postMessage", count=3, timeout=20)
    assert first.terminate() == 0  # SIGTERM in the middle of the run: a clean exit
    # More came due while it was down.
    seeded |= store.seed(users, per_user=2)
    assert not store.all_final(seeded)

    second = start_bot(sqlite_url)
    wait_until(lambda: store.all_final(seeded), 30, "every nudge after the restart", second)
    assert_exactly_once(fake, store, seeded)
