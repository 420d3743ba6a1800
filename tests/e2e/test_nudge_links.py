"""Every nudge about an item says where it lives (the channel) and, for a client's message,
links the message itself: reminders, missed, heads-up, escalation, end-of-day rows."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select

from bot.store.models import Nudge
from tests.e2e.conftest import START
from tests.e2e.harness import Bot, text_of, tick_at
from tests.fakeslack import signed_headers

CLIENT = "U0CLIENT"
KINDS = ("before", "missed", "heads_up", "escalate", "eod")
TS = f"{int(START.timestamp())}.000100"


def every_nudge_of(bot: Bot, item_id: int) -> dict[str, dict[str, Any]]:
    """Tick through each of the item's nudges in order; each kind → the DM that carried it."""
    seen: dict[str, dict[str, Any]] = {}
    while True:
        with bot.runtime.repo.sessions() as s:
            queued = s.scalars(
                select(Nudge)
                .where(
                    Nudge.status == "queued",
                    or_(Nudge.item_id == item_id, Nudge.kind == "eod"),
                    Nudge.kind.in_(KINDS),
                )
                .order_by(Nudge.due_at)
            ).first()
        if queued is None or queued.kind in seen:
            break
        tick_at(bot, queued.due_at)
        with bot.runtime.repo.sessions() as s:
            sent = s.get_one(Nudge, queued.id)
        assert sent.status == "sent", (sent.kind, sent.last_error)
        channel = bot.fake.dm_channel(sent.recipient_id)
        seen[sent.kind] = next(m for m in bot.fake.messages(channel) if m["ts"] == sent.message_ts)
    return seen


def test_every_nudge_about_a_promise_names_its_channel(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    seen = every_nudge_of(bot, bot.items()[0].id)
    assert set(seen) == set(KINDS)
    for kind, dm in seen.items():
        assert "in <#C0CLIENT>" in text_of(dm), kind


def test_every_nudge_about_a_client_message_links_the_message(bot: Bot) -> None:
    bot.fake.add_user(CLIENT, "pat", team_id="T0ACME", tz="Europe/Paris")
    assert "Watching" in text_of(bot.command("watch Acme", user="U0OWNER"))
    text = "Can you send the signed contract?"
    bot.fake.add_message("C0CLIENT", text, user=CLIENT, ts=TS)
    says(bot, CLIENT, "T0ACME", text, TS)
    [item] = [i for i in bot.items() if i.kind == "reply"]
    seen = every_nudge_of(bot, item.id)
    permalink = f"https://{bot.fake.team_domain}.slack.com/archives/C0CLIENT/p{TS.replace('.', '')}"
    assert {"missed", "heads_up", "escalate", "eod"} <= set(seen)
    for kind, dm in seen.items():
        shown = text_of(dm)
        assert "in <#C0CLIENT>" in shown and f"<{permalink}|see the message>" in shown, kind
    # a teammate answers in the thread: the lead's line links the message too
    says(bot, "U0HELPER", "T0001", "Here it is", f"{int(START.timestamp()) + 9}.000001", TS)
    tick_at(bot, bot.clock.now())
    line = text_of(bot.fake.messages(bot.fake.dm_channel("U0LEAD"))[-1])
    assert "Answered by <@U0HELPER>" in line and f"<{permalink}|see the message>" in line


def says(bot: Bot, user: str, team: str, text: str, ts: str, thread_ts: str | None = None) -> None:
    """`user` (of `team`) writes in the client channel; the event is handled after its ack."""
    event = {
        "type": "message",
        "channel": "C0CLIENT",
        "channel_type": "channel",
        "user": user,
        "user_team": team,
        "text": text,
        "ts": ts,
        **({"thread_ts": thread_ts} if thread_ts else {}),
    }
    raw = json.dumps(bot.fake.event_callback(event))
    headers = {**signed_headers("e2e-signing-secret", raw), "Content-Type": "application/json"}
    assert bot.request("POST", "/slack/events", raw, headers).status == 200
    assert bot.runtime.after_ack.drain(timeout=10)
