"""`/promise TEXT`: bad input is a Problem with an example and stores nothing; each verb
reaches its use case."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from bot.core import commands as cmd
from bot.core.stats import StatsReport
from bot.usecases.coverage import AwayCleared, AwaySet
from bot.usecases.results import (
    Cancelled,
    Closed,
    Created,
    HandedOff,
    HelpText,
    Listed,
    Moved,
    OpenForm,
    OpenSettings,
    Problem,
    Unwatched,
    Waiting,
    Watching,
)
from tests.usecases.data import ALEX, CHANNEL, LEAD, MARIA, ROBOT, SAM, TEAM, at
from tests.usecases.stubs import World

MOVE = "/promise move 42 to mon 10am because the client sent new figures"


@pytest.mark.parametrize(
    ("typed", "example"),
    [
        ("send the deck to Acme", cmd.EXAMPLE_CREATE),  # no deadline
        ("send the deck by someday", cmd.EXAMPLE_CREATE),  # a deadline it can't read
        ("@maria send the deck by 3pm", cmd.EXAMPLE_CREATE),  # not a real mention
        (f"<@{ROBOT}> send the deck by 3pm", cmd.EXAMPLE_CREATE),
        ("\x00 by 3pm", cmd.EXAMPLE_CREATE),  # nothing left once control characters go
        ("reply about the invoice", cmd.EXAMPLE_REPLY),
        ("done soon", "/promise done 42 @sam @lee"),
        ("move 1 tomorrow", MOVE),
        ("list everyone", "/promise list @maria"),
        ("settings now", "/promise settings"),
        ("away whenever", cmd.EXAMPLE_AWAY),
    ],
)
def test_bad_input_is_a_problem_with_an_example_and_stores_nothing(
    world: World, typed: str, example: str
) -> None:
    result = world.run(MARIA, typed, CHANNEL)

    assert isinstance(result, Problem), result
    assert result.message and result.example == example
    assert world.repo.count_open(TEAM) == 0
    assert world.rows(status=None) == []
    assert world.transcript.log == []


def test_a_database_error_is_a_problem_not_a_crash(world: World) -> None:
    with world.repo.engine.begin() as conn:
        conn.execute(text("ALTER TABLE items RENAME TO items_elsewhere"))

    result = world.run(MARIA, "send the deck by 3pm", CHANNEL)

    assert isinstance(result, Problem) and "couldn't reach my database" in result.message


def test_no_text_opens_the_form_and_help_names_the_lead(world: World) -> None:
    assert world.run(MARIA, "   ") == OpenForm(today=date(2026, 12, 1), tz="UTC")
    assert world.run(MARIA, "help") == HelpText(lead=LEAD)


def test_an_items_life_through_the_command(world: World) -> None:
    created = world.run(SAM, f"<@{MARIA}> send the deck to Acme by 3pm", CHANNEL)
    assert isinstance(created, Created)
    item = created.item
    assert (item.owner_id, item.creator_id, item.channel_id) == (MARIA, SAM, CHANNEL)

    listed = world.run(MARIA, "list")
    assert isinstance(listed, Listed) and [i.id for i in listed.items] == [item.id]
    assert (listed.total, listed.whose, listed.mine) == (1, MARIA, True)

    moved = world.run(MARIA, f"move {item.id} to tomorrow 4pm because of new figures", CHANNEL)
    assert isinstance(moved, Moved) and moved.note_posted
    assert world.item(item.id).due_at == at(16, day=2)

    waiting = world.run(MARIA, f"wait #{item.id} until tomorrow 10am")
    assert isinstance(waiting, Waiting) and waiting.until == at(10, day=2)

    handed = world.run(MARIA, f"handoff {item.id} <@{ALEX}>")
    assert isinstance(handed, HandedOff) and world.item(item.id).owner_id == ALEX

    closed = world.run(ALEX, f"done {item.id} <@{MARIA}>", CHANNEL)
    assert isinstance(closed, Closed) and world.item(item.id).status == "done"

    assert [s.what for s in world.transcript.log] == ["deadline_moved", "handed_off", "thank_you"]
    assert world.events(item.id) == ["created", "moved", "waiting", "handoff", "done"]


def test_cancel_reaches_the_item(world: World) -> None:
    item = world.promise()

    result = world.run(MARIA, f"cancel {item.id}")

    assert isinstance(result, Cancelled) and world.item(item.id).status == "cancelled"


def test_a_reply_owed_is_due_by_the_end_of_the_working_day(world: World) -> None:
    result = world.run(MARIA, "reply to Acme about the invoice", CHANNEL)

    assert isinstance(result, Created)
    stored = world.item(result.item.id)
    assert (stored.kind, stored.client, stored.what) == ("reply", "Acme", "the invoice")
    assert stored.due_at == at(17)


@pytest.mark.parametrize(("user", "allowed"), [(LEAD, True), (ALEX, False)])
def test_listing_everyones_items_is_for_the_lead(world: World, user: str, allowed: bool) -> None:
    world.promise(owner=SAM)
    world.promise(owner=MARIA)

    result = world.run(user, "list all")

    if allowed:
        assert isinstance(result, Listed) and result.whose is None and result.total == 2
    else:
        assert isinstance(result, Problem) and f"<@{LEAD}>" in result.message


@pytest.mark.parametrize(("user", "allowed"), [(LEAD, True), (ALEX, False)])
def test_settings_open_for_the_lead_only(world: World, user: str, allowed: bool) -> None:
    result = world.run(user, "settings")

    assert isinstance(result, OpenSettings if allowed else Problem)


def test_watching_is_run_in_the_clients_channel(world: World) -> None:
    in_dm = world.run(MARIA, "watch Acme", "D0MARIA")
    assert isinstance(in_dm, Problem) and "client's channel" in in_dm.message

    watching = world.run(MARIA, f"watch Acme clients <@{ALEX}>", CHANNEL)
    assert isinstance(watching, Watching)
    assert (watching.name, watching.owner_id, watching.clients) == ("Acme", MARIA, [ALEX])
    assert world.clients.is_watched(TEAM, CHANNEL)
    assert [n.kind for n in world.rows()] == ["quiet"]  # the quiet-client nudge is planned

    unwatched = world.run(MARIA, "unwatch", CHANNEL)
    assert isinstance(unwatched, Unwatched) and unwatched.was_watched
    assert not world.clients.is_watched(TEAM, CHANNEL)


def test_watching_a_channel_the_bot_is_not_in_joins_it(world: World) -> None:
    world.transcript.add_channel("C0PUBLIC", "acme-public", is_member=False)

    result = world.run(MARIA, "watch Acme", "C0PUBLIC")

    assert isinstance(result, Watching) and result.joined
    assert [(s.what, s.to) for s in world.transcript.log] == [("join", "C0PUBLIC")]


def test_away_is_recorded_and_cleared(world: World) -> None:
    item = world.promise(by="thu 3pm")

    away = world.run(MARIA, "away wed to fri")
    assert isinstance(away, AwaySet)
    assert (away.user_id, away.starts_at) == (MARIA, at(0, day=2))  # from Wednesday on
    assert [i.id for i in away.due] == [item.id]

    cleared = world.run(MARIA, "away off")
    assert isinstance(cleared, AwayCleared) and cleared.count == 1


def test_stats_counts_the_askers_closed_loops(world: World) -> None:
    item = world.promise(by="3pm")
    world.run(MARIA, f"done {item.id}", CHANNEL)

    report = world.run(MARIA, "stats")

    assert isinstance(report, StatsReport) and report.period == "week"
    assert (report.mine.closed, report.team.closed, report.mine.open) == (1, 1, 0)
