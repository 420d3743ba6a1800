"""The chaos test: two replicas on PostgreSQL under mixed traffic while everything fails.

A seeded schedule sends signed `/promise` commands, a client's messages in a watched
channel, teammates' thread replies to them, Done clicks on the nudge DMs that arrived and
`/promise done` for promises made in the channel (each thanked there), each to whichever
replica is up; meanwhile replicas are SIGKILLed at random moments and
restarted (at least ten times), the fake Slack answers bursts of 429 (with Retry-After) and
5xx, and the database "restarts" once. The server is shared with other tests, so the
restart is simulated for this test's own database only, as its clients see a real one:
every backend of that database is terminated and new connections are refused for a
moment (`ALLOW_CONNECTIONS false`), then allowed again. Nudges seeded through the library
come due throughout the run.

A request counts as acked when the client got a 200 that is not the "couldn't save that"
answer (nor the per-person limit's "faster than I can keep up"). One that wasn't acked is sent again as its sender would: an event as Slack
retries it (same event ID), a command or a click as a person does, typed or clicked anew.
Afterwards, once nothing is pending (polled, bounded): every acked command made exactly
one promise, every client message is recorded once, every replied-to message's item is
closed, every clicked or `done` item is done, each `done` posted exactly one thank-you,
every due nudge is named by exactly one DM's Slack
metadata (and no nudge by two), and no intake row or nudge claim is left stuck. Clicks are
stored before their ack like the rest: none is clicked again once acked.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.core.items import NewItem
from bot.core.plan import Kind
from bot.store.models import IntakeRequest, Item, ItemMessage, Nudge
from bot.store.outbox import Want
from tests.e2e.replicas import Database, Replicas, post, serving
from tests.e2e.test_durability import (
    TEAM,
    BotProcess,
    Store,
    add_users,
    deliveries,
    wait_until,
)
from tests.fakeslack import FakeSlack

pytestmark = pytest.mark.chaos

SEED = 20261201
CLIENT = "U0CLIENT"
KILLS = 12
RUN = 24.0  # seconds of traffic and faults
COMMANDS, CLIENT_MESSAGES, REPLIES, CLICKS, DONES = 110, 70, 25, 35, 15
NOT_SAVED = "couldn't save that"
# The per-person limit's answer (bot/slack/fair_use.py): nothing was stored, so not acked;
# the person sends it again a little later (a command retried while replicas are down
# spends the sender's tokens, so the limit does answer here).
TOO_FAST = "faster than I can keep up"
Body = Callable[[int], tuple[str, str]]  # the n-th try → (body, content type)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_channel("C0CLIENT", "acme-project")
    fake.add_user(CLIENT, "pat", team_id="T0ACME", tz="UTC")
    yield fake
    fake.stop()


# -- a client that sends to whichever replica is up ------------------------------


@dataclass
class Tally:
    acked: Counter[str] = field(default_factory=Counter)  # kind → acked requests
    refused: int = 0  # answers that were not an ack (a dead replica, a database outage)
    commands: dict[str, bool] = field(default_factory=dict)  # text sent → acked
    client_ts: list[str] = field(default_factory=list)
    replied_to: list[str] = field(default_factory=list)
    clicked: dict[int, str] = field(default_factory=dict)  # item → user who clicked Done
    closed: dict[int, str] = field(default_factory=dict)  # item → owner: `/promise done` acked


class Sender:
    """Sends each request to a replica that is up until one acks it."""

    def __init__(self, replicas: Replicas, tally: Tally, deadline: float) -> None:
        self.replicas, self.tally, self.deadline = replicas, tally, deadline
        self.rng = random.Random(SEED + 1)

    def once(self, body: str, content_type: str, retry: int = 0) -> BotProcess | None:
        """The replica that acked the request, trying each once (a replay to the second)."""
        bots = self.replicas.up()
        self.rng.shuffle(bots)
        for bot in bots:
            status, answer = post(bot, body, content_type, retry)
            if status == 200 and NOT_SAVED not in answer and TOO_FAST not in answer:
                return bot
            self.tally.refused += 1
        return None

    def until_acked(self, make: Body, kind: str) -> tuple[int, BotProcess]:
        """`make(try)` gives the body for each try; (how many tries it took, who acked)."""
        tries = 0
        while time.monotonic() < self.deadline:
            body, content_type = make(tries)
            if bot := self.once(body, content_type, retry=tries if kind == "event" else 0):
                self.tally.acked[kind] += 1
                return tries + 1, bot
            tries += 1
            time.sleep(0.05)  # polling for a replica to come back
        raise AssertionError(f"no replica acked a {kind} in time")


# -- what the traffic is ----------------------------------------------------------------


def seed_nudges(store: Store, users: list[str], rng: random.Random, count: int) -> set[int]:
    """Promises made outside a channel (Done closes them on the click), each with a
    `before` nudge coming due at a random moment in the first part of the run."""
    now = datetime.now(UTC)
    ids: list[int] = []
    for n in range(count):
        user = users[n % len(users)]
        item = store.repo.create_item(
            NewItem(
                team_id=TEAM,
                kind="promise",
                what=f"call the printer, part {n}",
                owner_id=user,
                creator_id=user,
                due_at=now + timedelta(hours=2),
                channel_id=None,
            ),
            now,
        )
        at = now + timedelta(seconds=rng.uniform(1, RUN * 0.6))
        want = Want(recipient_id=user, kind=Kind.BEFORE, key=f"{item.id}:before@chaos", at=at)
        assert store.repo.outbox.ensure(TEAM, want, now, item_id=item.id)
        ids.append(item.id)
    with store.repo.sessions() as s:
        return set(s.scalars(select(Nudge.id).where(Nudge.item_id.in_(ids))))


def done_buttons(fake: FakeSlack, users: list[str], clicked: dict[int, str]) -> list[Any]:
    """(user, DM, actions block) for each Done button on a nudge DM not clicked yet."""
    found = []
    for user in users:
        for dm in fake.messages(fake.dm_channel(user)):
            for block in dm.get("blocks") or []:
                for e in block.get("elements") or []:
                    if e.get("action_id") == "nudge_done" and int(e["value"]) not in clicked:
                        found.append((user, dm, block))
    return found


def click(fake: FakeSlack, user: str, dm: dict[str, Any], block: dict[str, Any]) -> Body:
    """`user` clicks Done on `dm` (anew each time: a fresh trigger_id and response_url)."""
    return lambda _: (click_body(fake, user, dm, block), "application/x-www-form-urlencoded")


def click_body(fake: FakeSlack, user: str, dm: dict[str, Any], block: dict[str, Any]) -> str:
    [button] = [e for e in block["elements"] if e["action_id"] == "nudge_done"]
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme-agency"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": fake.app_id,
        "token": "legacy",
        "trigger_id": fake.trigger_id(),
        "container": {
            "type": "message",
            "channel_id": fake.dm_channel(user),
            "message_ts": dm["ts"],
        },
        "channel": {"id": fake.dm_channel(user)},
        "message": dm,
        "response_url": fake.response_url(),
        "actions": [
            {
                "action_id": "nudge_done",
                "block_id": block["block_id"],
                "type": "button",
                "value": button["value"],
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(fake: FakeSlack, event: dict[str, Any]) -> str:
    base = {"channel": "C0CLIENT", "channel_type": "channel", "type": "message"}
    return json.dumps(fake.event_callback({**base, **event}))


def chaos(replicas: Replicas, fake: FakeSlack, db: Database, rng: random.Random) -> None:
    """Kills, Slack's bursts and the database restart, at seeded moments of the run."""
    start = time.monotonic()
    plan: list[tuple[float, str]] = [(RUN * 0.45, "db")]
    plan += [(1.5 + k * (RUN - 2) / KILLS + rng.uniform(0, 0.8), "kill") for k in range(KILLS)]
    plan += [(rng.uniform(1, RUN), rng.choice(["429", "5xx"])) for _ in range(8)]
    for at, what in sorted(plan):
        time.sleep(max(0.0, start + at - time.monotonic()))  # the schedule, not a wait
        if what == "kill":
            slot = rng.randrange(2)
            other = replicas.up()[1 - slot]
            # Never both down for long: the victim goes once the other one serves.
            wait_until(lambda o=other: serving(o), 30, "the other replica to serve", other)
            replicas.kill_and_restart(slot)
        elif what == "429":
            method = rng.choice(["chat.postMessage", "users.info", "conversations.history"])
            fake.fail_next(method, status=429, retry_after=1, count=rng.randint(2, 4))
        elif what == "5xx":
            method = rng.choice(["chat.postMessage", "chat.update", "users.info"])
            fake.fail_next(method, status=rng.choice([500, 502, 503]), count=rng.randint(2, 4))
        else:
            db.allow(False)
            db.drop_connections()
            time.sleep(1.5)  # the server is "down" this long
            db.allow(True)


# -- the test ---------------------------------------------------------------------------


def test_nothing_acked_is_lost_or_doubled_through_kills_slack_faults_and_a_db_restart(
    fake: FakeSlack, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    users = add_users(fake, 8)
    store = Store.open(pg_url)
    store.repo.channels.watch(
        TEAM, "C0CLIENT", "acme-project", users[0], ["Acme"], datetime.now(UTC)
    )
    seeded = seed_nudges(store, users, rng, count=60)
    # The first nudge DMs meet a burst of each for sure: a person's due nudges go in one DM,
    # so most DMs go out early, and a random burst may wait on a method nobody calls again.
    fake.fail_next("chat.postMessage", status=503, count=2)
    fake.fail_next("chat.postMessage", status=429, retry_after=1, count=2)
    db = Database(pg_url)
    replicas = Replicas(fake, pg_url, tmp_path)
    try:
        for bot in replicas.up():
            wait_until(lambda b=bot: serving(b), 30, "the replicas to serve", bot)
        tally = Tally()
        sender = Sender(replicas, tally, deadline=time.monotonic() + RUN + 60)
        troubles = threading.Thread(target=chaos, args=(replicas, fake, db, rng), daemon=True)
        troubles.start()
        drive(fake, store, users, sender, tally, rng)
        troubles.join(timeout=60)
        assert not troubles.is_alive(), "the chaos schedule never ended"
        settle(fake, store, users, sender, tally, replicas, seeded)
        for bot in replicas.up():
            wait_until(lambda b=bot: serving(b), 30, "the replicas to serve", bot)
            assert bot.terminate() == 0, bot.tail()
        lost, doubled = check(fake, store, users, tally, seeded)
        # The faults did happen: Slack failed calls, the database outage reached the bots.
        statuses = {c.status for c in fake.calls}
        assert 429 in statuses and statuses & {500, 502, 503}, statuses
        assert any("OperationalError" in b.log() for b in replicas.started)
    finally:
        replicas.close()
        db.close()
        store.close()

    requests = sum(tally.acked.values())
    figure = (
        f"chaos: {replicas.kills} kills survived, {requests} requests, {len(seeded)} nudges, "
        f"lost {lost}, doubled {doubled}"
    )
    with capsys.disabled():
        print(f"\n{figure} ({tally.refused} refused and sent again)")
    assert replicas.kills >= 10
    assert (lost, doubled) == (0, 0), figure


def drive(
    fake: FakeSlack,
    store: Store,
    users: list[str],
    sender: Sender,
    tally: Tally,
    rng: random.Random,
) -> None:
    """The traffic, paced over the run; clicks and replies come in its later part."""
    early = ["command"] * (COMMANDS // 2) + ["client"] * CLIENT_MESSAGES
    late = ["command"] * (COMMANDS - COMMANDS // 2) + ["reply"] * REPLIES + ["click"] * CLICKS
    late += ["done"] * DONES
    rng.shuffle(early)
    rng.shuffle(late)
    schedule = early + late
    start, base = time.monotonic(), int(time.time())
    for n, kind in enumerate(schedule):
        time.sleep(max(0.0, start + n * RUN / len(schedule) - time.monotonic()))  # pacing
        if kind == "command":
            send_command(fake, users[n % len(users)], n, sender, tally)
        elif kind == "client":
            ts = f"{base}.{len(tally.client_ts):06d}"
            what = f"can we get an update on part {len(tally.client_ts)}?"
            fake.add_message("C0CLIENT", what, user=CLIENT, ts=ts)
            body = event_body(fake, {"user": CLIENT, "user_team": "T0ACME", "text": what, "ts": ts})
            sender.until_acked(lambda _, b=body: (b, "application/json"), "event")
            tally.client_ts.append(ts)
        elif kind == "reply":
            recorded = set(recorded_ts(store)) - set(tally.replied_to)
            if not recorded:
                continue
            parent = sorted(recorded)[rng.randrange(len(recorded))]
            ts = f"{base + 1000}.{len(tally.replied_to):06d}"
            event = {
                "user": users[1],
                "user_team": TEAM,
                "text": "On it!",
                "ts": ts,
                "thread_ts": parent,
            }
            body = event_body(fake, event)
            sender.until_acked(lambda _, b=body: (b, "application/json"), "event")
            tally.replied_to.append(parent)
        elif kind == "done":
            close_one(fake, store, sender, tally, rng)
        else:
            buttons = done_buttons(fake, users, tally.clicked)
            if not buttons:
                continue
            user, dm, block = buttons[rng.randrange(len(buttons))]
            sender.until_acked(click(fake, user, dm, block), "click")
            item_id = int(block["elements"][0]["value"])
            tally.clicked[item_id] = user


def send_command(fake: FakeSlack, user: str, n: int, sender: Sender, tally: Tally) -> None:
    """A person types the command; one that errored they type again (a new request)."""

    def typed(attempt: int) -> tuple[str, str]:
        what = f"send report {n} try {attempt}"
        tally.commands[what] = False
        form = fake.slash_command(
            "/promise", f"{what} by tomorrow 4pm", user_id=user, channel_id="C0CLIENT"
        )
        return urlencode(form), "application/x-www-form-urlencoded"

    tries, _ = sender.until_acked(typed, "command")
    tally.commands[f"send report {n} try {tries - 1}"] = True


def close_one(
    fake: FakeSlack, store: Store, sender: Sender, tally: Tally, rng: random.Random
) -> None:
    """The owner of a promise made in the channel closes it: `/promise done ID` (typed anew
    when not acked), which thanks everyone in the channel."""
    try:
        with store.repo.sessions() as s:
            rows = s.execute(
                select(Item.id, Item.owner_id).where(
                    Item.kind == "promise", Item.status == "open", Item.channel_id == "C0CLIENT"
                )
            ).all()
    except Exception:  # the database is "restarting"
        return
    rows = [r for r in rows if r.id not in tally.closed]
    if not rows:
        return
    item_id, owner = rows[rng.randrange(len(rows))]

    def typed(_: int) -> tuple[str, str]:
        form = fake.slash_command(
            "/promise", f"done {item_id}", user_id=owner, channel_id="C0CLIENT"
        )
        return urlencode(form), "application/x-www-form-urlencoded"

    sender.until_acked(typed, "done")
    tally.closed[item_id] = owner


def thank_yous(fake: FakeSlack) -> Counter[int]:
    """The thank-yous in the channel, by the promise they name ("Promise #12")."""
    said = Counter[int]()
    for m in fake.messages("C0CLIENT"):
        if (m.get("metadata") or {}).get("event_type") == "promise_change":
            said[int(re.findall(r"Promise #(\d+)", json.dumps(m["blocks"]))[0])] += 1
    return said


def recorded_ts(store: Store) -> list[str]:
    """Client messages recorded so far (a teammate answers what they can see)."""
    try:
        with store.repo.sessions() as s:
            return list(s.scalars(select(ItemMessage.ts)))
    except Exception:  # the database is "restarting"
        return []


# -- afterwards -------------------------------------------------------------------------


def pending(store: Store, seeded: set[int]) -> bool:
    """Something is still to be done: an intake row undone, a seeded nudge unsettled."""
    try:
        store.fast_forward_retries(seeded)  # Slack's 429s/5xx put rows behind a 30 s backoff
        with store.repo.sessions() as s:
            undone = s.scalar(select(func.count()).where(IntakeRequest.done_at.is_(None)))
        return bool(undone) or not store.all_final(seeded)
    except Exception:
        return True


def settle(
    fake: FakeSlack,
    store: Store,
    users: list[str],
    sender: Sender,
    tally: Tally,
    replicas: Replicas,
    seeded: set[int],
) -> None:
    """Wait until nothing is pending (an acked click included: it is an intake row)."""
    wait_until(lambda: not pending(store, seeded), 60, "nothing pending", *replicas.up())
    clicked = set(tally.clicked)
    wait_until(lambda: not open_items(store, clicked), 30, "clicks done", *replicas.up())


def open_items(store: Store, ids: set[int]) -> list[int]:
    with store.repo.sessions() as s:
        return list(s.scalars(select(Item.id).where(Item.id.in_(ids), Item.status == "open")))


def check(
    fake: FakeSlack, store: Store, users: list[str], tally: Tally, seeded: set[int]
) -> tuple[int, int]:
    """Assert everything acked was done exactly once; returns (lost, doubled)."""
    now = datetime.now(UTC)
    with store.repo.sessions() as s:
        items = list(s.scalars(select(Item)))
        messages = Counter(s.scalars(select(ItemMessage.ts)))
        by_ts = dict(s.execute(select(ItemMessage.ts, ItemMessage.item_id)).all())
        nudges = {n.id: n for n in s.scalars(select(Nudge))}
        undone = s.scalar(select(func.count()).where(IntakeRequest.done_at.is_(None)))
    promised = Counter(
        m.group(1) for i in items if (m := re.search(r"(send report \d+ try \d+)", i.what))
    )
    status = {i.id: i.status for i in items}
    lost: list[str] = []
    doubled: list[str] = []
    for what, acked in tally.commands.items():
        if promised[what] > 1:
            doubled.append(what)
        elif acked and not promised[what]:
            lost.append(what)
    lost += [ts for ts in tally.client_ts if not messages[ts]]
    doubled += [ts for ts in tally.client_ts if messages[ts] > 1]
    lost += [f"reply to {p}" for p in tally.replied_to if status[by_ts[p]] == "open"]
    lost += [f"click on #{i}" for i in tally.clicked if status[i] != "done"]
    lost += [f"done #{i}" for i in tally.closed if status[i] != "done"]
    thanked = thank_yous(fake)
    lost += [f"thank-you for #{i}" for i in tally.closed if not thanked[i]]
    doubled += [f"thank-you for #{i}" for i, n in thanked.items() if n > 1]
    found = deliveries(fake, set(users))
    lost += [f"nudge {i}" for i in seeded if not found.get(i)]
    doubled += [f"nudge {i}" for i, dms in found.items() if len(dms) > 1]
    assert not (set(found) - set(nudges)), "a DM names a nudge that does not exist"
    for i in seeded & set(found):
        [(_, ts)] = found[i]
        assert nudges[i].status == "sent" and nudges[i].message_ts == ts, (i, nudges[i].status)
    assert not lost, f"lost: {lost}"
    assert not doubled, f"doubled: {doubled}"
    assert not undone, "intake rows never done"
    # A queued row whose claim's lease ran out is held by a process that died (sent rows
    # keep the claim that sent them).
    stuck = [n.id for n in nudges.values() if n.status == "queued" and n.claim and n.next_at < now]
    assert not stuck, f"nudges claimed by nobody alive: {stuck}"
    # Enough clicks to mean something; on a loaded machine the DMs come later, so fewer.
    assert len(tally.clicked) >= CLICKS // 4, "too few nudge DMs arrived to click"
    assert len(tally.replied_to) >= REPLIES // 2
    assert len(tally.closed) >= DONES // 2
    return len(lost), len(doubled)
