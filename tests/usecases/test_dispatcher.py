"""The dispatcher with the real table of nudge kinds and a transcript for Slack: what is DMed
to whom, what is settled without a message, and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.store.models import Nudge
from bot.usecases.dispatch import MAX_ATTEMPTS
from bot.usecases.nudge_kinds import TickResult
from bot.usecases.results import Waiting
from tests.usecases.data import LEAD, MARIA, TEAM, at
from tests.usecases.stubs import World


def row(world: World, kind: str, item_id: int | None = None) -> Nudge:
    [found] = [n for n in world.rows(status=None, item_id=item_id) if n.kind == kind]
    return found


def test_a_due_reminder_is_dmed_to_the_owner_with_the_item(world: World) -> None:
    item = world.promise(by="3pm")

    early = world.tick_at(at(13, 59))
    due = world.tick_at(at(14))

    assert early.sent == 0
    assert due.sent == 1 and (due.skipped, due.failed, due.retried) == (0, 0, 0)
    [dm] = world.transcript.dms()
    assert (dm.team, dm.to, dm.kinds, dm.item_ids) == (TEAM, MARIA, ("before",), (item.id,))
    [view] = dm.detail["views"]
    assert view.item.what == "send the revised deck to Acme" and view.item.due_at == at(15)
    assert dm.detail["tz"] == "UTC"
    sent = row(world, "before", item.id)
    assert (sent.status, sent.channel_id, sent.message_ts) == ("sent", "DUMARIA", "1.000100")
    assert sent.sent_at == at(14)


def test_a_reminder_for_an_item_closed_meanwhile_is_skipped_with_its_reason(
    world: World,
) -> None:
    """Closed where nothing re-planned (another replica, between its close and re-plan)."""
    item = world.promise(by="3pm")
    world.repo.close_item(TEAM, item.id, MARIA, at(13))

    result = world.tick_at(at(14))

    assert (result.sent, result.skipped) == (0, 1)
    assert world.transcript.dms() == []
    skipped = row(world, "before", item.id)
    assert (skipped.status, skipped.last_error) == ("skipped", "the item is done")


def test_a_reminder_that_comes_too_late_is_skipped_and_the_miss_is_sent(world: World) -> None:
    item = world.promise(by="3pm")

    result = world.tick_at(at(15, 2))  # the bot was down from 13:50 to 15:02

    assert (result.sent, result.skipped) == (1, 1)
    [dm] = world.transcript.dms()
    assert (dm.to, dm.kinds, dm.item_ids) == (MARIA, ("missed",), (item.id,))
    late = row(world, "before", item.id)
    assert late.last_error == "the deadline passed before it could be sent"


def test_a_heads_up_says_when_the_lead_will_be_told(world: World) -> None:
    item = world.promise(by="3pm")
    world.tick_at(at(15))
    world.transcript.clear()

    world.tick_at(at(16, 30))

    [dm] = world.transcript.dms(MARIA)
    heads_up = next(v for v in dm.detail["views"] if v.kind == "heads_up")
    escalation = row(world, "escalate", item.id)
    assert heads_up.item.id == item.id
    assert heads_up.escalate_at == escalation.due_at == at(9, day=2)
    assert escalation.status == "queued"


def test_the_escalation_goes_to_the_lead_the_next_morning(world: World) -> None:
    item = world.promise(by="3pm")
    world.tick_at(at(16, 30))
    world.transcript.clear()

    world.tick_at(at(9, day=2))

    [dm] = world.transcript.dms()
    assert (dm.to, dm.kinds, dm.item_ids) == (LEAD, ("escalate",), (item.id,))
    assert dm.detail["views"][0].escalate_at is None  # only heads-ups say when


def test_a_resume_row_ends_the_wait_without_a_message(world: World) -> None:
    item = world.promise(by="3pm")
    waiting = world.promises.wait(world.who(MARIA), item.id, "1pm")
    assert isinstance(waiting, Waiting) and waiting.until == at(13)
    assert {n.kind for n in world.rows(item_id=item.id)} == {"resume"}

    result = world.tick_at(at(13))

    assert world.transcript.dms() == []
    assert (result.sent, result.skipped) == (0, 0)  # never a message: not counted as skipped
    resume = row(world, "resume", item.id)
    assert (resume.status, resume.last_error) == (
        "skipped",
        "the wait ended; the clock runs again",
    )
    # The clock ran again: the deadline moved by the three hours it was paused, and the
    # item's nudges are planned anew for it.
    resumed = world.item(item.id)
    assert (resumed.waiting_since, resumed.due_at) == (None, at(18))
    assert {n.kind: n.due_at for n in world.rows(item_id=item.id)} == {
        "before": at(16, 59),  # the last working minute before the new deadline
        "missed": at(9, day=2),
        "heads_up": at(10, 30, day=2),
        "escalate": at(11, day=2),
    }
    world.tick_at(at(16, 59))
    assert [dm.kinds for dm in world.transcript.dms()] == [("before",)]


def test_the_end_of_day_dm_lists_todays_items_and_queues_tomorrows(world: World) -> None:
    today = world.promise("send the deck", by="5pm")
    world.promise("call Acme back", by="tomorrow 3pm")
    world.tick_at(at(16))  # today's reminder
    world.transcript.clear()

    world.tick_at(at(16, 30))

    [dm] = world.transcript.dms()
    assert (dm.to, dm.kinds, dm.item_ids) == (MARIA, ("eod",), (None,))
    eod = dm.detail["eod"]
    assert [i.id for i in eod.due_today] == [today.id]
    assert (eod.replies, eod.backlog, eod.backlog_more) == ([], [], 0)
    assert [(n.key, n.due_at) for n in world.rows() if n.kind == "eod"] == [
        ("eod@2026-12-02", at(16, 30, day=2))
    ]


def test_nudges_due_together_go_out_as_one_dm(world: World) -> None:
    first = world.promise("send the deck", by="3pm")
    second = world.promise("send the invoice", by="3:03pm")

    result = world.tick_at(at(14, 1))

    assert result.sent == 2
    [dm] = world.transcript.dms()
    assert dm.kinds == ("before", "before")
    assert sorted(dm.item_ids) == sorted([first.id, second.id])  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("transient", "status", "counted"),
    [(False, "failed", "failed"), (True, "queued", "retried")],
    ids=["for good", "for now"],
)
def test_a_dm_slack_refuses_is_recorded(
    world: World, transient: bool, status: str, counted: str
) -> None:
    item = world.promise(by="3pm")
    reason = "ratelimited" if transient else "user_not_found"
    world.transcript.refuse("nudges", reason, transient=transient)

    result = world.tick_at(at(14))

    assert getattr(result, counted) == 1 and result.sent == 0
    refused = row(world, "before", item.id)
    assert (refused.status, refused.last_error) == (status, reason)
    if transient:
        assert refused.claim is None and refused.next_at > at(14)  # backed off, tried again


def test_a_dm_sent_before_a_crash_is_not_sent_twice(world: World) -> None:
    item = world.promise(by="3pm")
    before = row(world, "before", item.id)
    # A dispatcher claimed it at 14:00, posted it, and died before recording that.
    lease = timedelta(minutes=5)
    world.repo.outbox.claim_batch(at(14), at(14) + lease, at(14) + lease, "crashed")
    world.transcript.already_sent[before.id] = ("DUMARIA", "99.000100")

    result = world.tick_at(at(14, 6))

    assert result.sent == 1
    assert world.transcript.dms() == []
    found = row(world, "before", item.id)
    assert (found.status, found.message_ts, found.attempts) == ("sent", "99.000100", 2)


def test_claims_cut_short_by_crashes_dont_count_toward_giving_a_nudge_up(world: World) -> None:
    """Eight failures give a nudge up; seven, after two claims whose processes died, don't."""
    item = world.promise(by="6pm")
    nudge = row(world, "before", item.id)
    lease = timedelta(minutes=5)
    now = nudge.due_at
    for crashed in ("killed-1", "killed-2"):  # each claimed it and died before sending
        assert world.repo.outbox.claim_batch(now, now + lease, now + lease, crashed)
        now += lease + timedelta(seconds=1)

    def fail_once() -> TickResult:
        """Slack refuses it for now; its backoff is skipped (the test's, not the bot's)."""
        world.transcript.refuse("nudges", "ratelimited", transient=True)
        with world.repo.sessions.begin() as s:
            s.execute(update(Nudge).where(Nudge.id == nudge.id).values(next_at=now))
        return world.tick_at(now)

    for _ in range(MAX_ATTEMPTS - 1):
        assert fail_once().retried == 1
    waiting = row(world, "before", item.id)
    assert (waiting.status, waiting.attempts, waiting.failures) == ("queued", 9, 7)

    assert fail_once().failed == 1
    failed = row(world, "before", item.id)
    assert failed.status == "failed"
    assert failed.last_error == f"gave up after {MAX_ATTEMPTS} failed attempts: ratelimited"
    assert world.transcript.dms() == []
