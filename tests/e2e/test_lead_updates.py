"""Closing the loop with the lead: once an item's escalation went to them, what becomes of it
is written into that DM in place, and they get one short line (batched with their others)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.store.models import Nudge
from tests.e2e.conftest import NY
from tests.e2e.harness import Bot, text_of, tick_at
from tests.fakeslack import Call


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NY)


def rows(bot: Bot, kind: str) -> list[Nudge]:
    from sqlalchemy import select

    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Nudge).where(Nudge.kind == kind).order_by(Nudge.id)))


def lead_dms(bot: Bot) -> list[dict[str, Any]]:
    return bot.fake.messages(bot.fake.dm_channel("U0LEAD"))


def escalate(bot: Bot, what: str = "send the deck by 4pm") -> tuple[int, dict[str, Any]]:
    """Maria promises `what` (due today 4pm) and lets it slip: every nudge goes out until the
    lead is told (tomorrow 10:00). Returns the item's ID and the lead's escalation DM."""
    bot.command(what)
    item_id = bot.items()[-1].id
    for row in sorted(
        (n for n in rows_of_item(bot, item_id) if n.status == "queued"), key=lambda n: n.due_at
    ):
        tick_at(bot, row.due_at)
        if row.kind == "escalate":
            break
    escalation = next(n for n in rows_of_item(bot, item_id) if n.kind == "escalate")
    assert escalation.status == "sent"
    [dm] = [m for m in lead_dms(bot) if m["ts"] == escalation.message_ts]
    assert "late by" in text_of(dm) and "since then" not in text_of(dm)
    return item_id, dm


def rows_of_item(bot: Bot, item_id: int) -> list[Nudge]:
    from sqlalchemy import select

    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Nudge).where(Nudge.item_id == item_id).order_by(Nudge.id)))


def edits_of(bot: Bot, dm: dict[str, Any]) -> list[Call]:
    """The chat.update calls that rewrote the lead's escalation DM `dm`, in order."""
    return [
        c
        for c in bot.fake.calls_to("chat.update")
        if c.params["channel"] == bot.fake.dm_channel("U0LEAD") and c.params["ts"] == dm["ts"]
    ]


def only_new_line(bot: Bot, before: int) -> dict[str, Any]:
    """The one DM the lead got since they had `before`."""
    [line] = lead_dms(bot)[before:]
    return line


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("done {id}", ":white_check_mark: Delivered by <@U0OWNER>"),
        ("move {id} to fri 3pm because the figures changed", ":spiral_calendar_pad: Moved to"),
        ("handoff {id} <@U0HELPER|sam>", ":handshake: Handed to <@U0HELPER> by <@U0OWNER>"),
        ("cancel {id}", ":heavy_multiplication_x: Cancelled by <@U0OWNER>"),
    ],
    ids=["delivered", "moved", "handed-off", "cancelled"],
)
def test_each_change_edits_the_escalation_in_place_and_tells_the_lead(
    bot: Bot, command: str, words: str
) -> None:
    item_id, dm = escalate(bot)
    before = len(lead_dms(bot))
    bot.clock.set(at(10, 20))
    bot.command(command.format(id=item_id))
    tick_at(bot, at(10, 20))
    [edit] = edits_of(bot, dm)
    assert words in text_of(edit.params) and f"*#{item_id}* since then" in text_of(edit.params)
    assert "late by" in text_of(edit.params)  # the escalation itself is still there
    stored = next(m for m in lead_dms(bot) if m["ts"] == dm["ts"])
    assert words in text_of(stored) and stored["metadata"] == dm["metadata"]
    line = only_new_line(bot, before)
    assert words in text_of(line) and f"*#{item_id}*" in text_of(line)
    assert "<#C0CLIENT>" in text_of(line)
    assert tick_at(bot, at(11)).sent == 0  # never twice
    assert [n.status for n in rows(bot, "lead_update")] == ["sent"]


def test_changes_close_together_reach_the_lead_as_one_dm(bot: Bot) -> None:
    item_id, dm = escalate(bot)
    before = len(lead_dms(bot))
    bot.clock.set(at(10, 20))
    bot.command(f"handoff {item_id} <@U0HELPER|sam>")
    bot.clock.set(at(10, 22))
    bot.command(f"done {item_id}", user="U0HELPER")
    tick_at(bot, at(10, 22))
    line = only_new_line(bot, before)
    assert "Handed to <@U0HELPER>" in text_of(line)
    assert "Delivered by <@U0HELPER>" in text_of(line)
    # the escalation DM says both, in the order they happened
    shown = text_of(edits_of(bot, dm)[-1].params)
    assert shown.index("Handed to") < shown.index("Delivered by")


def test_a_change_before_the_escalation_tells_the_lead_nothing(bot: Bot) -> None:
    bot.command("send the deck by 4pm")
    item_id = bot.items()[0].id
    tick_at(bot, at(16, day=1))  # missed
    bot.clock.set(at(9, 30))
    bot.command(f"done {item_id}")
    for hour in (10, 11, 12):
        tick_at(bot, at(hour))
    assert lead_dms(bot) == [] and rows(bot, "lead_update") == []
    assert bot.fake.calls_to("chat.update") == []


def test_a_later_change_that_tells_the_lead_nothing_new_queues_nothing(bot: Bot) -> None:
    item_id, _ = escalate(bot)
    bot.clock.set(at(10, 20))
    bot.command(f"move {item_id} to fri 3pm because the figures changed")
    tick_at(bot, at(10, 20))
    bot.command(f"wait {item_id}")  # re-planned again: the move is not queued a second time
    tick_at(bot, at(10, 30))
    assert [n.status for n in rows(bot, "lead_update")] == ["sent"]


@pytest.mark.parametrize(
    "error", ["edit_window_closed", "cant_update_message", "message_not_found"]
)
def test_when_the_escalation_cannot_be_edited_the_line_still_goes(bot: Bot, error: str) -> None:
    item_id, dm = escalate(bot)
    before = len(lead_dms(bot))
    bot.clock.set(at(10, 20))
    bot.command(f"done {item_id}")
    bot.fake.fail_next("chat.update", status=200, error=error)
    tick_at(bot, at(10, 20))
    assert len(bot.fake.calls_to("chat.update")) == 1  # tried once, refused, not retried
    stored = next(m for m in lead_dms(bot) if m["ts"] == dm["ts"])
    assert "since then" not in text_of(stored)
    assert "Delivered by <@U0OWNER>" in text_of(only_new_line(bot, before))
    assert [n.status for n in rows(bot, "lead_update")] == ["sent"]


def test_an_escalation_dm_deleted_since_leaves_the_line_going(bot: Bot) -> None:
    item_id, dm = escalate(bot)
    slack = WebClient(token=bot.fake.bot_token, base_url=bot.fake.api_url)
    slack.chat_delete(channel=bot.fake.dm_channel("U0LEAD"), ts=dm["ts"])
    bot.clock.set(at(10, 20))
    bot.command(f"cancel {item_id}")
    tick_at(bot, at(10, 20))
    assert bot.fake.calls_to("chat.update") == []  # nothing left to edit
    [line] = lead_dms(bot)
    assert "Cancelled by <@U0OWNER>" in text_of(line)
