"""The workplace: settings in force, who may own or configure, each person's calendar."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.usecases.results import Created, OpenSettings, Problem
from bot.usecases.workplace import Workplace
from tests.usecases.data import (
    ADMIN,
    ALEX,
    GONE,
    LEAD,
    LEE,
    MARIA,
    NOBODY,
    NOTZ,
    NOW,
    ROBOT,
    SAM,
    TEAM,
    at,
)
from tests.usecases.stubs import World


def fresh(world: World) -> Workplace:
    """Another replica's workplace: the same store, nothing cached."""
    return Workplace(world.repo.settings, world.workplace.defaults, world.directory)


# -- settings in force


def test_stored_settings_win_over_the_defaults_for_that_workspace_only(world: World) -> None:
    values = {"PROMISE_REMIND_BEFORE": "2h", "PROMISE_TIMEZONE": "Europe/Paris"}

    changes = world.workplace.save(TEAM, values, LEAD, NOW)

    assert {c.field: (c.before, c.after) for c in changes} == {
        "remind_before": (timedelta(hours=1), timedelta(hours=2)),
        "timezone": ("UTC", "Europe/Paris"),
    }
    for workplace in (world.workplace, fresh(world)):
        assert workplace.settings(TEAM).remind_before == timedelta(hours=2)
        assert workplace.policy(TEAM).remind_before == timedelta(hours=2)
        assert workplace.settings("T2").remind_before == timedelta(hours=1)


def test_only_what_differs_from_the_defaults_is_stored(world: World) -> None:
    values = {"PROMISE_REMIND_BEFORE": "60m", "PROMISE_EOD_CUTOFF": "45m"}

    changes = world.workplace.save(TEAM, values, LEAD, NOW)

    assert [c.field for c in changes] == ["eod_cutoff"]
    assert world.workplace.stored(TEAM) == {"PROMISE_EOD_CUTOFF": "45m"}


def test_a_cleared_lead_means_no_escalation(world: World) -> None:
    world.workplace.save(TEAM, {"PROMISE_LEAD": ""}, LEAD, NOW)

    item = world.promise(by="3pm")

    assert world.workplace.lead(TEAM) is None
    assert {n.kind for n in world.rows(item_id=item.id)} == {"before", "missed"}


def test_a_stored_value_no_longer_valid_falls_back_to_its_default_alone(world: World) -> None:
    world.repo.settings.save(
        TEAM, {"PROMISE_TIMEZONE": "Mars/Olympus_Mons", "PROMISE_REMIND_BEFORE": "2h"}, LEAD, NOW
    )

    settings = fresh(world).settings(TEAM)

    assert (settings.timezone, settings.remind_before) == ("UTC", timedelta(hours=2))


def test_typed_values_are_checked_with_an_example(world: World) -> None:
    errors = world.workplace.check({"PROMISE_TIMEZONE": "Nowhere", "PROMISE_REMIND_BEFORE": "2h"})
    assert list(errors) == ["timezone"]
    assert "Europe/London" in errors["timezone"]

    hours = world.workplace.check({"PROMISE_DAY_START": "18:00", "PROMISE_END_OF_DAY": "17:00"})
    assert hours == {"day_start": "The day must start before it ends."}


# -- people


@pytest.mark.parametrize(
    ("user", "why"),
    [(ROBOT, "is a bot"), (GONE, "is a deactivated account"), (NOBODY, "I can't find")],
)
def test_a_bot_a_deactivated_account_or_a_stranger_cannot_own(
    world: World, user: str, why: str
) -> None:
    problem = world.workplace.check_owner(TEAM, user)

    assert problem is not None and why in problem.message
    assert world.workplace.check_person(TEAM, user) == problem.message
    assert world.workplace.check_owner(TEAM, SAM) is None


def test_when_slack_cannot_be_asked_a_mentioned_person_is_trusted(world: World) -> None:
    world.directory.unavailable = True

    result = world.run(MARIA, f"<@{SAM}> send the deck by 3pm")

    assert isinstance(result, Created) and world.item(result.item.id).owner_id == SAM
    assert result.tz == "UTC"  # the workspace's, since Maria's could not be read either


def test_the_calendar_is_in_the_persons_slack_time_zone(world: World) -> None:
    world.workplace.save(TEAM, {"PROMISE_DAY_START": "08:00"}, LEAD, NOW)

    lee = world.workplace.calendar_for(TEAM, LEE)

    assert lee.tz.key == "America/New_York"
    assert lee.start_of_day_on(NOW.date()) == at(13)  # 08:00 in New York
    assert lee.day_start == time(8)


def test_the_calendar_falls_back_to_the_workspace_time_zone(world: World) -> None:
    world.workplace.save(TEAM, {"PROMISE_TIMEZONE": "Asia/Tokyo"}, LEAD, NOW)

    assert world.workplace.calendar_for(TEAM, NOTZ).tz.key == "Asia/Tokyo"  # none in Slack
    assert world.workplace.calendar_for(TEAM, LEE).tz.key == "America/New_York"
    world.directory.unavailable = True
    assert world.workplace.calendar_for(TEAM, LEE).tz.key == "Asia/Tokyo"


def test_a_reminder_is_planned_in_the_owners_working_hours(world: World) -> None:
    """Due at 9:30 in New York: an hour before is 8:30, before Lee's day starts, so the
    reminder waits for 9:00 there (in UTC, 13:30 would already be working time)."""
    item = world.promise(owner=LEE, creator=LEE, by="tomorrow 9:30am")

    before = {n.kind: n.due_at for n in world.rows(item_id=item.id)}["before"]

    assert world.item(item.id).due_at == at(14, 30, day=2)
    assert before == at(14, day=2)  # 09:00 in New York


# -- configuring


@pytest.mark.parametrize("user", [LEAD, ADMIN], ids=["lead", "admin"])
def test_the_lead_or_an_admin_may_open_the_settings(world: World, user: str) -> None:
    result = world.settings.open(world.who(user))

    assert isinstance(result, OpenSettings) and result.current.lead == LEAD


def test_anyone_else_is_told_who_may_and_nothing_is_stored(world: World) -> None:
    result = world.settings.save(world.who(ALEX), {"PROMISE_REMIND_BEFORE": "2h"})

    assert isinstance(result, Problem) and f"the lead (<@{LEAD}>)" in result.message
    assert result.example == "/promise help"
    assert world.workplace.stored(TEAM) == {}
