"""The noise benchmark's player: the real app (`tests/e2e/harness.py`'s Bot: Bolt over signed
HTTP) against the in-process fake Slack, with a frozen clock moved step by step and the
dispatcher ticked at each step. Clients and teammates write message events, promises are
made with `/promise` and ended by the buttons on their nudges (Done, Need more time, Hand
off: the forms submitted as views) or by commands when no nudge came. Every DM the fake
receives is handed to the Judge at the clock's time.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks import noise_world as world
from benchmarks.noise_measure import Dm, ItemState, Judge, Truth, listed_items
from benchmarks.noise_phrases import ACKS
from benchmarks.noise_world import Channel, Person, Promise, Step
from bot.clock import FrozenClock
from tests.e2e.harness import Bot, text_of
from tests.fakeslack import FakeSlack

START = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # Monday 7 December 2026, before Kolkata wakes
TEAM_ID = "T0001"


def ts_of(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


@dataclass(order=True)
class _Queued:
    at: datetime
    seq: int
    step: Step = field(compare=False)


class Sim:
    """The app, the fake Slack and the frozen clock, playing a script step by step."""

    def __init__(
        self,
        database_url: str,
        *,
        seed: int = 1,
        team: list[Person] | None = None,
        lead: Person | None = None,
        channels: list[Channel] | None = None,
        start: datetime = START,
    ) -> None:
        self.team = team or world.TEAM
        self.lead = lead or world.LEAD
        self.channels = channels or world.CHANNELS
        self.start = start
        self.clock = FrozenClock(start)
        self.fake = FakeSlack(clock=self.clock).start()
        for p in [*self.team, self.lead]:
            self.fake.add_user(p.uid, p.name, tz=p.tz)
        for ch in self.channels:
            self.fake.add_channel(ch.id, ch.name, is_ext_shared=True)
            for c in ch.clients:
                self.fake.add_user(c.uid, c.name, tz=c.tz, team_id=ch.client_team)
        self.bot = Bot(self.fake, database_url, self.clock, {"PROMISE_LEAD": self.lead.uid})
        self.rng = random.Random(seed + 1)
        self.truth = Truth()
        self.judge = Judge(self.truth)
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._calls_seen = 0
        self._item_of: dict[tuple[str, str], int] = {}  # (channel, client message ts) → item
        self._messages: dict[str, list[tuple[str, str | None]]] = {}  # channel → (ts, thread)
        self.refused: list[str] = []  # commands the app did not take (should stay empty)

    def close(self) -> None:
        self.bot.close()
        self.fake.stop()

    # -- the loop

    def watch_channels(self) -> None:
        for ch in self.channels:
            answer = self.bot.command(
                f"watch {ch.client} owner <@{ch.owner.uid}>", user=ch.owner.uid, channel=ch.id
            )
            assert "Watching" in text_of(answer), text_of(answer)

    def add(self, step: Step) -> None:
        at = max(step.at, self.clock.now() + timedelta(seconds=1))
        heapq.heappush(self._queue, _Queued(at, next(self._seq), step))

    def run(self, steps: list[Step], until: datetime, every: timedelta) -> None:
        for step in steps:
            self.add(step)
        now = self.clock.now()
        while now < until:
            now = min(now + every, until)
            while self._queue and self._queue[0].at < now:
                queued = heapq.heappop(self._queue)
                self.clock.set(queued.at)
                getattr(self, f"_do_{queued.step.what}")(queued.step)
                self.bot.runtime.after_ack.drain(timeout=10)
                self.observe()
            self.clock.set(now)
            self.bot.runtime.dispatcher.tick()
            self.observe()

    # -- what Slack received

    def observe(self) -> None:
        """Judge the DMs that arrived since the last look, at the clock's time."""
        calls = self.fake.calls
        new, self._calls_seen = calls[self._calls_seen :], len(calls)
        dms = []
        for c in new:
            channel = (c.response or {}).get("channel", "")
            if c.method == "chat.postMessage" and c.ok and channel.startswith("D"):
                dms.append((channel, (c.response or {}).get("message") or {}))
        if not dms:
            return
        from sqlalchemy import select

        from bot.store.models import Item, Nudge

        now = self.clock.now()
        parsed = []
        for channel, message in dms:
            meta = message.get("metadata") or {}
            ids = [
                int(n)
                for n in str((meta.get("event_payload") or {}).get("nudges", "")).split(",")
                if n.strip().isdigit()
            ]
            parsed.append((channel, message, ids))
        with self.bot.runtime.repo.sessions() as s:
            nudge_ids = [i for _, _, ids in parsed for i in ids]
            nudges = {n.id: n for n in s.scalars(select(Nudge).where(Nudge.id.in_(nudge_ids)))}
            wanted = {n.item_id for n in nudges.values() if n.item_id is not None}
            for _, message, _ in parsed:
                wanted |= listed_items(message)
            items = {
                i.id: ItemState(i.id, i.kind, i.status, i.due_at, i.owner_id, i.message_ts)
                for i in s.scalars(select(Item).where(Item.id.in_(wanted)))
            }
        for channel, message, ids in parsed:
            dm = Dm(
                at=now,
                to="U" + channel[1:],
                text=text_of(message),
                nudges=[(i, nudges[i].kind, nudges[i].item_id) for i in ids if i in nudges],
                listed=listed_items(message),
            )
            self.judge.judge(dm, items)

    # -- clients and teammates

    def _items_here(self, channel: str) -> dict[int, tuple[str, str | None]]:
        from sqlalchemy import select

        from bot.store.models import Item

        with self.bot.runtime.repo.sessions() as s:
            rows = s.execute(
                select(Item.id, Item.what, Item.message_ts).where(
                    Item.channel_id == channel, Item.kind == "reply"
                )
            )
            return {r.id: (r.what, r.message_ts) for r in rows}

    def _event(self, event: dict[str, Any]) -> None:
        self.bot.send_event({"channel_type": "channel", **event})
        self.bot.runtime.after_ack.drain(timeout=10)

    def _do_client(self, step: Step) -> None:
        ch: Channel = step.args["channel"]  # type: ignore[assignment]
        who: Person = step.args["user"]  # type: ignore[assignment]
        text = str(step.args["text"])
        thread_at = step.args.get("thread")
        thread = ts_of(thread_at) if isinstance(thread_at, datetime) else None
        ts = ts_of(step.at)
        self.fake.add_message(ch.id, text, user=who.uid, ts=ts, thread_ts=thread)
        before = self._items_here(ch.id)
        event = {"type": "message", "channel": ch.id, "user": who.uid, "text": text, "ts": ts}
        event["user_team"] = ch.client_team
        if thread:
            event["thread_ts"] = thread
        self._event(event)
        after = self._items_here(ch.id)
        created = [i for i, (_, m) in after.items() if i not in before and m == ts]
        grown = [i for i, (w, _) in after.items() if i in before and before[i][0] != w]
        item = (created or grown or [None])[0]
        if item is not None:
            self._item_of[(ch.id, ts)] = item
        self._messages.setdefault(ch.id, []).append((ts, thread))
        if step.args["ack"]:
            self.truth.acks_sent += 1
            if created:
                self.truth.ack_items[created[0]] = text
        else:
            self.truth.requests_sent += 1

    def _answered(self, channel: str, ts: str) -> None:
        item = self._item_of.get((channel, ts))
        if item is not None and item not in self.truth.answered_at:
            self.truth.answered_at[item] = self.clock.now()

    def _do_teammate(self, step: Step) -> None:
        ch: Channel = step.args["channel"]  # type: ignore[assignment]
        who: Person = step.args["user"]  # type: ignore[assignment]
        parts: list[datetime] = step.args["parts"]  # type: ignore[assignment]
        how = step.args["how"]
        thread = None if how == "channel" else ts_of(parts[-1 if how == "thread_last" else 0])
        ts = ts_of(step.at)
        event = {"type": "message", "channel": ch.id, "user": who.uid, "user_team": TEAM_ID}
        event |= {"text": str(step.args["text"]), "ts": ts}
        if thread:
            event["thread_ts"] = thread
        self._event(event)
        # The ground truth: what this reply answers (the product's own definition of one).
        for m_ts, m_thread in self._messages.get(ch.id, []):
            here = (m_thread == thread or m_ts == thread) if thread else m_thread is None
            if here and float(m_ts) < float(ts):
                self._answered(ch.id, m_ts)

    def _do_react(self, step: Step) -> None:
        ch: Channel = step.args["channel"]  # type: ignore[assignment]
        who: Person = step.args["user"]  # type: ignore[assignment]
        parts: list[datetime] = step.args["parts"]  # type: ignore[assignment]
        target = ts_of(parts[0])
        self._event(
            {
                "type": "reaction_added",
                "user": who.uid,
                "reaction": "white_check_mark",
                "item": {"type": "message", "channel": ch.id, "ts": target},
            }
        )
        self._answered(ch.id, target)

    # -- promises

    def _command(self, text: str, user: str, channel: str) -> str:
        answer = text_of(self.bot.command(text, user=user, channel=channel))
        return answer

    def _item(self, item_id: int) -> Any:
        from bot.store.models import Item

        with self.bot.runtime.repo.sessions() as s:
            item = s.get(Item, item_id)
            return (
                None
                if item is None
                else ItemState(
                    item.id, item.kind, item.status, item.due_at, item.owner_id, item.message_ts
                )
            )

    def _do_promise(self, step: Step) -> None:
        p: Promise = step.args["p"]  # type: ignore[assignment]
        who = f"<@{p.owner.uid}> " if p.owner is not p.maker else ""
        text = f"{who}{p.what} by {p.when}"
        answer = self._command(text, p.maker.uid, p.channel.id)
        found = re.search(r"#(\d+)", answer)
        if not found:
            self.refused.append(f"/promise {text}: {answer[:120]}")
            return
        p.item_id = int(found.group(1))
        self._plan_fate(p)

    def _window(self, owner: Person, due: datetime) -> float:
        return owner.working_minutes(self.clock.now(), due)

    def _deliver_on_time(self, p: Promise, due: datetime) -> None:
        now, owner = self.clock.now(), p.owner
        room = self._window(owner, due)
        at = owner.add_working(now, p.u * room) if room >= 10 else now + (due - now) * p.u
        self.add(Step(min(at, due - timedelta(minutes=1)), "deliver", {"p": p}))

    def _plan_fate(self, p: Promise) -> None:
        assert p.item_id is not None
        item = self._item(p.item_id)
        due, owner, now = item.due_at, p.owner, self.clock.now()
        room = self._window(owner, due)
        if p.fate == "on_time":
            self._deliver_on_time(p, due)
        elif p.fate in ("renegotiate", "hand_off", "cancel"):
            if room >= 20:
                share = {"renegotiate": 1 - self.rng.uniform(5, min(45, room / 2)) / room}
                at = owner.add_working(now, room * share.get(p.fate, p.u * 0.6))
            else:
                at = now + (due - now) / 2
            self.add(
                Step(
                    at, {"renegotiate": "move", "hand_off": "handoff"}.get(p.fate, p.fate), {"p": p}
                )
            )
        elif p.fate == "late":
            self.add(Step(owner.add_working(due, self.rng.uniform(10, 100)), "deliver", {"p": p}))
        else:  # very late: past the grace, the lead hears
            self.add(Step(owner.add_working(due, self.rng.uniform(150, 500)), "deliver", {"p": p}))

    def _item_block(self, message: dict[str, Any], item_id: int) -> dict[str, Any] | None:
        """The message's actions block for the item (block ID `item-ID-NUDGE`), if any."""
        for block in message.get("blocks") or []:
            block_id = str(block.get("block_id", ""))
            if block.get("type") == "actions" and block_id.startswith(f"item-{item_id}-"):
                return block
        return None

    def _nudge_with(self, user: str, item_id: int, action: str) -> dict[str, Any] | None:
        """The latest DM to `user` carrying the `action` button for the item, if any."""
        for message in reversed(self.fake.messages(self.fake.dm_channel(user))):
            block = self._item_block(message, item_id)
            if block and any(e.get("action_id") == action for e in block["elements"]):
                return message
        return None

    def _click_form(self, user: str, item_id: int, action: str, values: dict[str, Any]) -> bool:
        """Click `action` on the latest nudge about the item and submit the form it opens;
        False when there is no such nudge or no form opened."""
        message = self._nudge_with(user, item_id, action)
        if message is None:
            return False
        block = self._item_block(message, item_id)
        assert block is not None
        opened = len(self.fake.calls_to("views.open"))
        dm = self.fake.dm_channel(user)
        self.bot.click(
            user,
            block,
            action,
            container={"type": "message", "channel_id": dm, "message_ts": message["ts"]},
            channel={"id": dm},
            message=message,
            response_url=self.fake.response_url(),
        )
        self.bot.runtime.after_ack.drain(timeout=10)
        views = self.fake.calls_to("views.open")
        if len(views) == opened:
            return False
        answer = self.bot.submit_view(user, views[-1].params["view"], values)
        assert answer.status == 200, answer
        self.bot.runtime.after_ack.drain(timeout=10)
        return True

    def _open(self, p: Promise) -> Any:
        item = self._item(p.item_id) if p.item_id is not None else None
        return item if item is not None and item.status == "open" else None

    def _do_deliver(self, step: Step) -> None:
        p: Promise = step.args["p"]  # type: ignore[assignment]
        if self._open(p) is None:
            return
        user = p.owner.uid
        if not self._click_form(user, p.item_id, "nudge_done", {}):  # type: ignore[arg-type]
            self._command(f"done {p.item_id}", user, p.channel.id)
        if self.rng.random() < 0.3:  # the client thanks them for it, in the channel
            client = self.rng.choice(p.channel.clients)
            at = client.add_working(self.clock.now(), self.rng.uniform(3, 60))
            self.add(
                Step(
                    at,
                    "client",
                    {
                        "channel": p.channel,
                        "user": client,
                        "text": self.rng.choice(ACKS),
                        "ack": True,
                        "thread": None,
                    },
                )
            )

    def _do_move(self, step: Step) -> None:
        p: Promise = step.args["p"]  # type: ignore[assignment]
        if self._open(p) is None:
            return
        note = "Quick update: we need a little more time to get this right."
        values = {
            "when": {"value": {"type": "plain_text_input", "value": p.later}},
            "note": {"value": {"type": "plain_text_input", "value": note}},
        }
        if not self._click_form(p.owner.uid, p.item_id, "nudge_more_time", values):  # type: ignore[arg-type]
            self._command(
                f"move {p.item_id} to {p.later} because {note}", p.owner.uid, p.channel.id
            )
        item = self._open(p)
        if item is not None:
            self._deliver_on_time(p, item.due_at)

    def _do_handoff(self, step: Step) -> None:
        p: Promise = step.args["p"]  # type: ignore[assignment]
        if self._open(p) is None or p.to is None:
            return
        values = {"to": {"value": {"type": "users_select", "selected_user": p.to.uid}}}
        if not self._click_form(p.owner.uid, p.item_id, "nudge_handoff", values):  # type: ignore[arg-type]
            self._command(f"handoff {p.item_id} <@{p.to.uid}>", p.owner.uid, p.channel.id)
        item = self._open(p)
        if item is not None and item.owner_id == p.to.uid:
            p.owner = p.to
            self._deliver_on_time(p, item.due_at)

    def _do_cancel(self, step: Step) -> None:
        p: Promise = step.args["p"]  # type: ignore[assignment]
        if self._open(p) is not None:
            self._command(f"cancel {p.item_id}", p.owner.uid, p.channel.id)
