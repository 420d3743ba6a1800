"""Closing the loop with the lead: which changes they hear about, and the escalation DM
rewritten in place (within Slack's limits)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.items import ItemKind, ItemStatus, NewItem
from bot.core.lead_updates import Change, Escalation, change_of, changes_since, lead_updates
from bot.core.plan import Kind
from bot.slack.blocks.common import context, section
from bot.slack.blocks.lead_updates import escalation_block_id, settled
from bot.usecases.ports import EscalationEdit
from tests.fakeslack.blockkit import blocks_errors

T0 = datetime(2026, 12, 2, 15, tzinfo=UTC)
ITEM = NewItem(
    team_id="T1",
    kind=ItemKind.PROMISE,
    what="send the deck",
    owner_id="U0MARIA",
    creator_id="U0MARIA",
    due_at=T0 - timedelta(days=1),
    channel_id="C0ACME",
).opened(42, T0 - timedelta(days=2))


def moved(n: int, at: datetime) -> Change:
    return Change(f"moved@{n}", "moved", at, "U0MARIA", due_after=at + timedelta(days=2))


def escalation(n: int, lead: str, sent_at: datetime) -> Escalation:
    return Escalation(n, lead, sent_at, "D0LEAD", f"{n}.000001")


def test_the_changes_since_an_escalation_are_its_moves_hand_offs_and_closing_in_order() -> None:
    handed = Change("handoff@3", "handoff", T0 + timedelta(minutes=5), "U0MARIA", to_owner="U0SAM")
    snoozed = Change("snoozed@4", "snoozed", T0 + timedelta(minutes=6), "U0SAM")
    closed = replace(
        ITEM, status=ItemStatus.DONE, closed_at=T0 + timedelta(minutes=9), closed_by="U0SAM"
    )
    history = [moved(1, T0 - timedelta(hours=1)), handed, snoozed, moved(5, T0 + timedelta(1))]
    found = changes_since(closed, history, T0)
    assert [c.key for c in found] == ["handoff@3", "done", "moved@5"]
    assert found[1] == Change("done", "done", T0 + timedelta(minutes=9), "U0SAM")
    assert changes_since(ITEM, history, T0 + timedelta(days=2)) == []


def test_each_lead_hears_each_change_once_keyed_by_the_change() -> None:
    history = [moved(1, T0 + timedelta(minutes=1)), moved(2, T0 + timedelta(hours=3))]
    sent = [
        escalation(7, "U0LEAD", T0),
        escalation(9, "U0LEAD", T0 + timedelta(hours=2)),  # escalated again after the move
        escalation(11, "U0BOSS", T0 + timedelta(hours=2)),  # a new lead since
    ]
    planned = lead_updates(ITEM, sent, history)
    assert sorted((p.recipient, p.reason) for p in planned) == [
        ("U0BOSS", "lead@moved@2"),
        ("U0LEAD", "lead@moved@1"),
        ("U0LEAD", "lead@moved@2"),
    ]
    assert {p.kind for p in planned} == {Kind.LEAD_UPDATE}
    assert all(p.at == next(c.at for c in history if c.key in p.reason) for p in planned)
    assert change_of(f"42:{planned[0].reason}") in {"moved@1", "moved@2"}


def test_the_escalation_dm_is_rewritten_in_place_and_the_rest_left_as_it_was() -> None:
    other = section("a reminder about #7")
    closing = {**context("Keep them informed"), "block_id": escalation_block_id(5)}
    message = {"text": "SLA: #42 is late", "blocks": [other, section("SLA: #42"), closing]}
    edit = EscalationEdit("D0LEAD", "1.1", 5, ITEM, (moved(1, T0),))
    out = settled(message, edit, "America/New_York")
    assert out["text"] == "SLA: #42 is late"
    assert out["blocks"][:2] == message["blocks"][:2] and len(out["blocks"]) == 3
    assert out["blocks"][2]["block_id"] == "escalation-5"
    assert "*#42* since then: :spiral_calendar_pad: Moved to" in str(out["blocks"][2])
    again = settled(out, edit, "America/New_York")  # idempotent: a retry edits it the same way
    assert again == out


def test_an_old_escalation_dm_gets_the_line_added_and_never_breaks_slacks_limits() -> None:
    many = tuple(moved(n, T0 + timedelta(minutes=n)) for n in range(200))
    edit = EscalationEdit("D0LEAD", "1.1", 5, ITEM, many)
    out = settled({"text": "SLA", "blocks": [section("SLA: #42")]}, edit, "UTC")
    assert len(out["blocks"]) == 2 and blocks_errors(out["blocks"]) == []
    full = {"text": "SLA", "blocks": [section(f"nudge {n}") for n in range(50)]}
    assert settled(full, edit, "UTC")["blocks"] == full["blocks"]
