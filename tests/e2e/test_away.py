"""Away coverage end to end: `/promise away` and away-like Slack statuses record absences;
the working day before, the person gets a DM listing what falls due while they are away,
each item with Hand off; the lead sees it (App Home lines)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.store.models import Absence, Nudge
from tests.e2e.conftest import NY
from tests.e2e.harness import TEAM, Bot, text_of, tick_at
from tests.e2e.test_nudges import click, dms


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def absences(bot: Bot) -> list[Absence]:
    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Absence).order_by(Absence.id)))


def coverage_nudges(bot: Bot) -> list[Nudge]:
    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Nudge).where(Nudge.kind == "coverage").order_by(Nudge.id)))


def coverage_dms(bot: Bot, user: str = "U0OWNER") -> list[dict[str, Any]]:
    return [m for m in dms(bot, user) if "Before you go" in text_of(m)]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(action_id, value) of every button in a message."""
    return [
        (e["action_id"], e.get("value", ""))
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def user_changed(bot: Bot, user: dict[str, Any]) -> None:
    """Slack tells the app a profile changed: a signed `user_change` event, acked at once."""
    bot.send_event({"type": "user_change", "user": user, "event_ts": "1.000001"})
    assert bot.runtime.after_ack.drain(timeout=5)  # the work after the ack is done


def test_away_is_stored_and_the_dm_arrives_the_working_day_before(bot: Bot) -> None:
    bot.command("draft the memo by dec 18 3pm")  # due before the absence
    bot.command("send the revised deck by dec 23 3pm")  # due while away
    bot.command("call Acme back by dec 29 11am")  # due while away
    _memo, deck, call = bot.items()

    answer = text_of(bot.command("away dec 22 to jan 2"))

    assert "You're away" in answer and f"#{deck.id}, #{call.id}" in answer
    assert "2 open items" in answer and "DM" in answer
    [absence] = absences(bot)
    assert (absence.team_id, absence.user_id, absence.source, absence.created_by) == (
        TEAM,
        "U0OWNER",
        "command",
        "U0OWNER",
    )
    assert absence.starts_at == at(12, 22)  # whole days: Dec 22 from its start
    assert absence.ends_at == at(1, 3, year=2027)  # …to the end of Jan 2
    [planned] = coverage_nudges(bot)
    assert planned.due_at == at(12, 21, 10)  # Monday, an hour into the day before

    tick_at(bot, at(12, 21, 9, 54))  # (a nudge due within 5 minutes would join this DM)
    assert coverage_dms(bot) == []
    tick_at(bot, at(12, 21, 10))
    [dm] = coverage_dms(bot)
    shown = text_of(dm)
    assert "send the revised deck" in shown and "call Acme back" in shown
    assert "draft the memo" not in shown
    assert ("nudge_handoff", str(deck.id)) in buttons(dm)
    assert ("nudge_handoff", str(call.id)) in buttons(dm)
    assert dm["metadata"]["event_payload"]["nudges"] == str(planned.id)
    tick_at(bot, at(12, 21, 10, 5))
    assert len(coverage_dms(bot)) == 1  # never twice

    # Hand off from the DM: the existing modal, then the DM says what was done in place.
    click(bot, "U0OWNER", dm, "nudge_handoff", value=str(deck.id))
    [opened] = bot.fake.wait_for("views.open")
    bot.submit_view(
        "U0OWNER",
        opened.params["view"],
        {"to": {"value": {"type": "users_select", "selected_user": "U0HELPER"}}},
    )
    [update] = bot.fake.wait_for("chat.update")
    assert "handed off to <@U0HELPER>" in text_of(update.params)
    assert next(i for i in bot.items() if i.id == deck.id).owner_id == "U0HELPER"


def test_an_absence_starting_tomorrow_set_tonight_is_told_tonight(bot: Bot) -> None:
    bot.command("send the deck by dec 2 3pm")
    bot.clock.set(at(12, 1, 19))
    bot.command("away tomorrow to friday")
    [planned] = coverage_nudges(bot)
    assert planned.due_at == at(12, 1, 19)
    assert tick_at(bot, at(12, 1, 19)).sent >= 1
    assert "send the deck" in text_of(coverage_dms(bot)[0])


def test_no_dm_when_nothing_is_due_while_away(bot: Bot) -> None:
    bot.command("send the deck by dec 18 3pm")
    answer = text_of(bot.command("away dec 22 to jan 2"))
    assert "Nothing of yours is due then" in answer

    tick_at(bot, at(12, 21, 10))

    assert coverage_dms(bot) == []
    [skipped] = coverage_nudges(bot)
    assert skipped.status == "skipped"
    assert skipped.last_error == "nothing of theirs falls due while they're away"


def test_an_item_handed_off_before_the_dm_is_not_listed(bot: Bot) -> None:
    bot.command("send the deck by dec 23 3pm")
    bot.command("away dec 22 to jan 2")
    bot.command(f"handoff {bot.items()[0].id} <@U0HELPER>")
    tick_at(bot, at(12, 21, 10))
    assert coverage_dms(bot) == []
    assert coverage_nudges(bot)[0].status == "skipped"


def test_an_away_status_from_a_user_change_event_is_an_absence(bot: Bot) -> None:
    bot.command("send the deck by dec 3 3pm")
    bot.command("plan the launch by dec 10")  # after the status expires
    back = at(12, 4, 23, 59)
    record = bot.fake.add_user(
        "U0OWNER",
        "maria",
        tz="America/New_York",
        status_text="Vacationing",
        status_emoji=":palm_tree:",
        status_expiration=int(back.timestamp()),
    )
    users_info_before = len(bot.fake.calls_to("users.info"))

    user_changed(bot, bot.fake.user_object("U0OWNER"))

    [absence] = absences(bot)
    assert absence.source == "status"
    assert (absence.starts_at, absence.ends_at) == (at(12, 1, 10), back)
    assert len(bot.fake.calls_to("users.info")) == users_info_before  # the event was enough
    # It starts now, so the DM goes now.
    tick_at(bot, at(12, 1, 10))
    [dm] = coverage_dms(bot)
    assert "send the deck" in text_of(dm) and "plan the launch" not in text_of(dm)

    # Back early: the status is cleared, the absence ends there.
    record.update(status_text="", status_emoji="", status_expiration=0)
    bot.clock.set(at(12, 2, 9, 30))
    user_changed(bot, bot.fake.user_object("U0OWNER"))
    [ended] = absences(bot)
    assert ended.ends_at == at(12, 2, 9, 30)
    assert coverage_nudges(bot)[0].status == "sent"  # and nothing more is planned for it


def test_the_same_status_reported_again_is_not_a_second_dm(bot: Bot) -> None:
    bot.command("send the deck by dec 3 3pm")
    bot.fake.add_user(
        "U0OWNER",
        "maria",
        status_text="",
        status_emoji=":face_with_thermometer:",
        status_expiration=int(at(12, 4, 23, 59).timestamp()),
    )
    user_changed(bot, bot.fake.user_object("U0OWNER"))
    tick_at(bot, at(12, 1, 10))
    bot.clock.set(at(12, 2, 10))
    user_changed(bot, bot.fake.user_object("U0OWNER"))  # e.g. a new profile photo
    tick_at(bot, at(12, 2, 10))
    assert len(coverage_dms(bot)) == 1
    assert len(absences(bot)) == 1 and len(coverage_nudges(bot)) == 1


def test_an_earlier_start_moves_the_waiting_dm(bot: Bot) -> None:
    bot.command("away dec 22 to jan 2")
    assert [n.due_at for n in coverage_nudges(bot)] == [at(12, 21, 10)]
    bot.command("away dec 15 to dec 22")  # merged: now from Dec 15
    [absence] = absences(bot)
    assert absence.starts_at == at(12, 15)
    [moved] = coverage_nudges(bot)
    assert (moved.status, moved.due_at) == ("queued", at(12, 14, 10))


def test_a_status_that_is_not_away_records_nothing(bot: Bot) -> None:
    bot.fake.add_user(
        "U0OWNER",
        "maria",
        status_text="Working remotely",
        status_emoji=":house_with_garden:",
        status_expiration=int(at(12, 4).timestamp()),
    )
    user_changed(bot, bot.fake.user_object("U0OWNER"))
    user_changed(bot, bot.fake.user_object("U0OTHER"))  # no status at all
    assert absences(bot) == []


def test_only_the_lead_may_set_someone_elses_absence(bot: Bot) -> None:
    refused = text_of(bot.command("away <@U0OWNER> dec 22 to jan 2", user="U0OTHER"))
    assert "Only the lead (<@U0LEAD>)" in refused and "/promise away" in refused
    assert absences(bot) == []

    answer = text_of(bot.command("away <@U0OWNER|maria> dec 22 to jan 2", user="U0LEAD"))

    assert "<@U0OWNER> is away" in answer
    [absence] = absences(bot)
    assert (absence.user_id, absence.created_by) == ("U0OWNER", "U0LEAD")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("away dec 22", "with *to*"),
        ("away fri to wed", "must end after it starts"),
        ("away 2026-11-20 to 2026-11-25", "already passed"),
        ("away blursday to fri", "couldn't read 'blursday'"),
        ("away <@U0ROBOT> dec 22 to jan 2", "is a bot"),
    ],
)
def test_bad_away_input_is_explained_and_changes_nothing(bot: Bot, text: str, says: str) -> None:
    answer = text_of(bot.command(text, user="U0LEAD"))
    assert says in answer
    assert "For example: `/promise away @maria dec 22 to jan 2`" in answer
    assert absences(bot) == [] and coverage_nudges(bot) == []


def test_overlapping_absences_merge_and_away_off_clears_them(bot: Bot) -> None:
    bot.command("send the deck by dec 23 3pm")
    bot.command("away dec 22 to dec 24")
    merged = text_of(bot.command("away dec 23 to jan 2"))
    assert "merged" in merged
    [absence] = absences(bot)
    assert (absence.starts_at, absence.ends_at) == (at(12, 22), at(1, 3, year=2027))
    assert [n.status for n in coverage_nudges(bot)] == ["queued"]

    cleared = text_of(bot.command("away off"))

    assert "Cleared" in cleared
    assert absences(bot) == []
    assert [n.status for n in coverage_nudges(bot)] == ["cancelled"]
    tick_at(bot, at(12, 21, 10))
    assert coverage_dms(bot) == []


def test_the_lead_sees_who_is_away_and_what_is_due_then(bot: Bot) -> None:
    bot.command("send the deck by dec 23 3pm")
    bot.command("call Acme back by dec 29 11am")
    deck, call = bot.items()
    bot.command("away dec 22 to jan 2")
    bot.command("away dec 7 to dec 8", user="U0HELPER")

    lines = bot.runtime.uses.coverage.for_lead(TEAM, bot.clock.now())

    assert len(lines) == 2
    helper, owner = lines  # soonest first
    assert helper.startswith("<@U0HELPER> is away") and "nothing of theirs" in helper
    assert owner.startswith("<@U0OWNER> is away <!date^")
    assert f"with 2 open items due then (#{deck.id}, #{call.id})" in owner
    mine = bot.runtime.uses.coverage.for_person(TEAM, "U0OWNER", bot.clock.now())
    assert len(mine) == 1 and "You're away" in mine[0] and f"#{deck.id}" in mine[0]


def test_it_works_on_postgresql(make_bot, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(pg_url, PROMISE_LEAD="U0LEAD")
    bot.command("send the deck by dec 23 3pm")
    bot.command("away dec 22 to dec 24")
    bot.command("away dec 24 to jan 2")  # touches the first: one absence
    [absence] = absences(bot)
    assert absence.ends_at.astimezone(UTC) == at(1, 3, year=2027).astimezone(UTC)
    tick_at(bot, at(12, 21, 10))
    assert "send the deck" in text_of(coverage_dms(bot)[0])
