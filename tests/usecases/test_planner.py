"""The planner: the outbox holds exactly the nudges bot.core.plan wants for each item, one
end-of-day row per person, and whoever shows items is told what changed."""

from __future__ import annotations

from datetime import timedelta

from bot.core import commands as cmd
from bot.core.plan import ItemState, plan_item
from bot.store.models import Item
from bot.usecases.planner import Planner
from bot.usecases.results import Closed, Snoozed
from tests.usecases.data import ALEX, LEAD, MARIA, NOW, SAM, TEAM, at
from tests.usecases.stubs import World


def planned(world: World, item: Item) -> set[tuple[str, str, str, object]]:
    """(recipient, kind, key, at) of what bot.core.plan plans for the item as stored, now."""
    item = world.item(item.id)
    state = ItemState(
        kind=item.kind,
        status=item.status,
        owner_id=item.owner_id,
        due_at=item.due_at,
        created_at=item.created_at,
        closed_at=item.closed_at,
        snoozed_until=item.snoozed_until,
    )
    wp = world.workplace
    plans = plan_item(
        state,
        wp.policy(TEAM),
        world.clock.now(),
        wp.calendar_for(TEAM, item.owner_id),
        LEAD,
        wp.calendar_for(TEAM, LEAD),
    )
    return {(p.recipient, p.kind, f"{item.id}:{p.reason}", p.at) for p in plans}


def queued(world: World, item: Item) -> set[tuple[str, str, str, object]]:
    return {(n.recipient_id, n.kind, n.key, n.due_at) for n in world.rows(item_id=item.id)}


def test_an_items_queued_nudges_are_exactly_its_plan(world: World) -> None:
    item = world.promise(by="3pm")

    assert queued(world, item) == planned(world, item)
    assert queued(world, item) == {
        (MARIA, "before", f"{item.id}:before@2026-12-01T15:00:00+00:00", at(14)),
        (MARIA, "missed", f"{item.id}:missed@2026-12-01T15:00:00+00:00", at(15)),
        (MARIA, "heads_up", f"{item.id}:heads_up@2026-12-01T15:00:00+00:00", at(16, 30)),
        (LEAD, "escalate", f"{item.id}:escalate@2026-12-01T15:00:00+00:00", at(9, day=2)),
    }


def test_a_move_replaces_the_old_deadlines_nudges_with_the_new_ones(world: World) -> None:
    item = world.promise(by="3pm")
    old = queued(world, item)
    world.clock.set(at(11))

    world.promises.move(world.who(MARIA), item.id, "tomorrow 4pm", None)

    assert queued(world, item) == planned(world, item)
    assert not queued(world, item) & old
    cancelled = {(n.recipient_id, n.kind, n.key, n.due_at) for n in world.rows(status="cancelled")}
    assert cancelled == old


def test_closing_cancels_what_was_queued_and_plans_the_follow_up(world: World) -> None:
    item = world.promise(by="3pm")
    before = {n.key for n in world.rows(item_id=item.id)}
    world.clock.set(at(14, 30))

    assert isinstance(world.promises.close(world.who(MARIA), item.id), Closed)

    [follow_up] = world.rows(item_id=item.id)
    assert (follow_up.kind, follow_up.recipient_id) == ("follow_up", MARIA)
    assert follow_up.due_at == at(14, 30, day=3)  # two working days after the close
    assert queued(world, item) == planned(world, item)
    assert {n.key for n in world.rows(status="cancelled", item_id=item.id)} == before


def test_a_snooze_replaces_the_reminder_before_the_deadline(world: World) -> None:
    item = world.promise(by="3pm")

    result = world.promises.snooze(world.who(MARIA), item.id, "1h")

    assert isinstance(result, Snoozed) and result.until == NOW + timedelta(hours=1)
    kinds = {n.kind: n for n in world.rows(item_id=item.id)}
    assert "before" not in kinds
    assert kinds["snoozed"].due_at == at(11) and kinds["snoozed"].recipient_id == MARIA


def test_the_end_of_day_row_is_queued_once_per_person(world: World) -> None:
    world.promise(by="3pm")
    world.promise(by="tomorrow 3pm")
    world.promise(owner=SAM, by="4pm")
    # Another replica (its own planner, nothing remembered) plans the same people again.
    replica = Planner(world.repo, world.workplace, world.clock)
    replica.ensure_eod(TEAM, MARIA)
    replica.ensure_eod(TEAM, SAM)

    eod = [(n.recipient_id, n.key, n.due_at, n.item_id) for n in world.rows() if n.kind == "eod"]

    assert sorted(eod) == [
        (MARIA, "eod@2026-12-01", at(16, 30), None),
        (SAM, "eod@2026-12-01", at(16, 30), None),  # London is on UTC in December
    ]


def test_someone_who_owns_nothing_open_gets_no_end_of_day_row(world: World) -> None:
    item = world.promise(owner=SAM, creator=MARIA)

    world.planner.ensure_eod(TEAM, MARIA)  # made it, but does not own it
    world.planner.ensure_eod(TEAM, ALEX)

    assert [n.recipient_id for n in world.rows() if n.kind == "eod"] == [SAM]
    assert world.item(item.id).owner_id == SAM


def test_change_listeners_are_told_whose_items_changed(world: World) -> None:
    item = world.promise(owner=MARIA, creator=SAM)
    assert world.listener.changes == [(TEAM, MARIA)]

    world.promises.hand_off(world.who(SAM), item.id, ALEX)
    world.promises.cancel(world.who(LEAD), cmd.Cancel(item.id))

    assert world.listener.changes == [
        (TEAM, MARIA),
        (TEAM, ALEX),  # the new owner's items …
        (TEAM, MARIA),  # … and the previous owner's
        (TEAM, ALEX),
    ]


def test_a_settings_change_replans_every_open_item(world: World) -> None:
    first = world.promise(by="3pm")
    second = world.promise(by="tomorrow 3pm")
    world.promises.cancel(world.who(MARIA), cmd.Cancel(second.id))

    saved = world.settings.save(world.who(LEAD), {"PROMISE_REMIND_BEFORE": "2h"})
    count = world.settings.replan_workspace(TEAM)

    assert count == 1  # the cancelled one stays as it is
    assert [c.field for c in saved.changes] == ["remind_before"]  # type: ignore[union-attr]
    before = {n.kind: n.due_at for n in world.rows(item_id=first.id)}["before"]
    assert before == at(13)
    assert queued(world, first) == planned(world, first)
    assert world.rows(item_id=second.id) == []
