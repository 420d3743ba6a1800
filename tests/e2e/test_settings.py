"""`/promise settings`: a modal for the lead or a workspace admin; what it stores wins over
the environment's defaults and re-plans open items."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.store.models import IntakeRequest, Nudge, WorkspaceSettings
from tests.e2e.conftest import NY, START
from tests.e2e.harness import TEAM, Bot, text_of, tick_at
from tests.fakeslack import FakeSlack


def open_settings(bot: Bot, user: str) -> dict[str, Any]:
    body, _ = bot.command_body("settings", user=user)
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    [call] = bot.fake.wait_for("views.open")
    return call.params["view"]


def state_of(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The view's state as Slack would submit it: each input's initial value, then `changes`
    (block ID → the value as the element type holds it)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind, bid = element["type"], block["block_id"]
        initial = {
            "timepicker": ("selected_time", element.get("initial_time")),
            "checkboxes": ("selected_options", element.get("initial_options", [])),
            "plain_text_input": ("value", element.get("initial_value")),
            "users_select": ("selected_user", element.get("initial_user")),
            "conversations_select": ("selected_conversation", element.get("initial_conversation")),
        }[kind]
        key, value = initial
        if bid in changes:
            value = changes[bid]
            if kind == "checkboxes":
                value = [o for o in element["options"] if o["value"] in value]
        values[bid] = {"value": {"type": kind, key: value}}
    return values


def submit(bot: Bot, view: dict[str, Any], user: str, **changes: Any) -> Any:
    """Submit the form; a valid one is saved and applied after the ack: wait for that."""
    answer = bot.submit_view(user, view, state_of(view, **changes), view_id="V0SET")
    assert bot.runtime.after_ack.drain(timeout=10)
    return answer


def stored(bot: Bot) -> dict[str, str]:
    with bot.runtime.repo.sessions() as s:
        row = s.get(WorkspaceSettings, TEAM)
        return json.loads(row.values) if row else {}


def queued(bot: Bot, kind: str) -> list[Nudge]:
    with bot.runtime.repo.sessions() as s:
        return list(s.scalars(select(Nudge).where(Nudge.kind == kind, Nudge.status == "queued")))


def test_someone_else_is_refused_and_no_form_opens(bot: Bot) -> None:
    answer = bot.command("settings", user="U0OWNER")
    assert "Only the lead (<@U0LEAD>) or a workspace admin" in text_of(answer)
    assert bot.fake.calls_to("views.open") == []


def test_the_form_shows_what_is_in_force(bot: Bot) -> None:
    view = open_settings(bot, "U0LEAD")
    assert view["callback_id"] == "workspace_settings"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["end_of_day"]["initial_time"] == "17:00"
    assert inputs["day_start"]["initial_time"] == "09:00"
    assert [o["value"] for o in inputs["workdays"]["initial_options"]] == [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    ]
    assert inputs["lead"]["initial_user"] == "U0LEAD"
    assert inputs["reply_within"]["initial_value"] == "end of day"
    assert inputs["escalate_after"]["initial_value"] == "2h"
    assert set(inputs) >= {"holidays", "timezone", "digest_channel", "digest_cron"}


def test_a_workspace_admin_may_change_them_too(
    slack: FakeSlack, make_bot: Callable[..., Bot]
) -> None:
    slack.add_user("U0ADMIN", "ada", is_admin=True)
    bot = make_bot()  # no lead at all
    view = open_settings(bot, "U0ADMIN")
    assert submit(bot, view, "U0ADMIN", lead="U0LEAD").status == 200
    assert stored(bot) == {"PROMISE_LEAD": "U0LEAD"}
    assert bot.runtime.workplace.settings(TEAM).lead == "U0LEAD"


def test_saving_changes_later_plans_and_re_plans_open_items(bot: Bot) -> None:
    bot.command("send the deck by friday")  # due Friday at 17:00, EOD DM today at 16:30
    [eod] = queued(bot, "eod")
    assert eod.due_at == datetime(2026, 12, 1, 16, 30, tzinfo=NY)

    view = open_settings(bot, "U0LEAD")
    answer = submit(bot, view, "U0LEAD", end_of_day="18:00", escalate_after="1h")
    assert answer.status == 200 and answer.body in ("", "{}")

    assert stored(bot) == {"PROMISE_END_OF_DAY": "18:00", "PROMISE_ESCALATE_AFTER": "1h"}
    [confirm] = bot.fake.wait_for(
        "chat.postEphemeral", where=lambda c: "saved" in text_of(c.params)
    )
    said = text_of(confirm.params)
    assert "end of day: 17:00 → 18:00" in said and "re-planned the nudges of 1 open item" in said
    # The end-of-day DM moved with the end of day; nothing else of its kind stayed queued.
    [eod] = queued(bot, "eod")
    assert eod.due_at == datetime(2026, 12, 1, 17, 30, tzinfo=NY)
    # A new promise "by EOD" now means 18:00.
    bot.command("call the client back by EOD")
    assert bot.items()[-1].due_at == datetime(2026, 12, 1, 18, 0, tzinfo=NY)
    assert bot.runtime.workplace.settings(TEAM).end_of_day == time(18)


def test_bad_values_show_under_their_fields_and_change_nothing(bot: Bot) -> None:
    view = open_settings(bot, "U0LEAD")
    answer = submit(
        bot,
        view,
        "U0LEAD",
        timezone="Mars/Olympus",
        escalate_after="soon",
        digest_cron="every friday",
        workdays=[],
    )
    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"timezone", "escalate_after", "digest_cron", "workdays"}
    assert "For example: 2h" in body["errors"]["escalate_after"]
    assert body["errors"]["workdays"] == "Pick at least one working day."
    assert stored(bot) == {}


def test_the_day_must_start_before_it_ends(bot: Bot) -> None:
    view = open_settings(bot, "U0LEAD")
    body = json.loads(submit(bot, view, "U0LEAD", day_start="18:00").body)
    assert body["errors"] == {"day_start": "The day must start before it ends."}
    assert stored(bot) == {}


def test_a_workspace_can_switch_off_what_the_environment_set(bot: Bot) -> None:
    view = open_settings(bot, "U0LEAD")
    submit(bot, view, "U0LEAD", lead=None, reply_within="4h")
    assert stored(bot) == {"PROMISE_LEAD": "", "PROMISE_REPLY_WITHIN": "4h"}
    settings = bot.runtime.workplace.settings(TEAM)
    assert settings.lead is None and settings.reply_within is not None
    # With no lead any more, the former lead is an ordinary member: no form for them.
    answer = bot.command("settings", user="U0LEAD")
    assert "workspace admin" in text_of(answer)


def test_settings_belong_to_one_workspace(bot: Bot) -> None:
    view = open_settings(bot, "U0LEAD")
    submit(bot, view, "U0LEAD", end_of_day="18:30")
    assert bot.runtime.workplace.settings(TEAM).end_of_day == time(18, 30)
    assert bot.runtime.workplace.settings("T0OTHER").end_of_day == time(17)


def test_settings_take_nothing_after_the_word(bot: Bot) -> None:
    answer = bot.command("settings end of day 18:00", user="U0LEAD")
    assert "`/promise settings`" in text_of(answer)
    assert bot.fake.calls_to("views.open") == []


def test_a_digest_channel_and_schedule_set_in_the_form_are_planned_at_once(bot: Bot) -> None:
    from datetime import UTC

    view = open_settings(bot, "U0LEAD")
    submit(
        bot,
        view,
        "U0LEAD",
        digest_channel="C0CLIENT",
        digest_cron="0 12 * * *",
        timezone="Europe/Berlin",
    )
    bot.fake.wait_for("chat.postEphemeral", where=lambda c: "saved" in text_of(c.params))
    [digest] = queued(bot, "digest")
    assert digest.recipient_id == "C0CLIENT"
    # Tuesday 10:00 in New York is 16:00 in Berlin: the next noon there is Wednesday's.
    assert digest.due_at == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


def test_a_waiting_coverage_dm_moves_with_the_working_day(bot: Bot) -> None:
    bot.command("send the deck by dec 23")
    bot.command("away dec 22 to dec 24")
    [dm] = queued(bot, "coverage")
    assert dm.due_at == datetime(2026, 12, 21, 10, 0, tzinfo=NY)  # an hour into Monday
    view = open_settings(bot, "U0LEAD")
    submit(bot, view, "U0LEAD", day_start="08:00")
    bot.fake.wait_for("chat.postEphemeral", where=lambda c: "saved" in text_of(c.params))
    [dm] = queued(bot, "coverage")
    assert dm.due_at == datetime(2026, 12, 21, 9, 0, tzinfo=NY)


def test_a_save_cut_off_before_its_re_plan_is_re_planned_after_a_restart(bot: Bot) -> None:
    """Acked means stored: the form is in the intake, and one processed again (its
    process died after the save, before the re-plan) still re-plans the workspace."""
    bot.command("send the deck by friday")
    view = open_settings(bot, "U0LEAD")
    submit(bot, view, "U0LEAD", end_of_day="18:00")
    assert stored(bot) == {"PROMISE_END_OF_DAY": "18:00"}
    # As the first run left it: saved, the end-of-day DM still at the old time, undone.
    with bot.runtime.repo.sessions.begin() as s:
        s.execute(
            update(Nudge)
            .where(Nudge.kind == "eod")
            .values(due_at=datetime(2026, 12, 1, 16, 30, tzinfo=NY))
        )
        s.execute(
            update(IntakeRequest).where(IntakeRequest.kind == "interaction").values(done_at=None)
        )

    tick_at(bot, START + bot.runtime.settings.lease + timedelta(seconds=1))
    assert bot.runtime.after_ack.drain(timeout=10)

    [eod] = queued(bot, "eod")
    assert eod.due_at == datetime(2026, 12, 1, 17, 30, tzinfo=NY)
    assert stored(bot) == {"PROMISE_END_OF_DAY": "18:00"}
    confirmations = [
        c for c in bot.fake.calls_to("chat.postEphemeral") if "saved" in text_of(c.params)
    ]
    assert len(confirmations) == 2  # told again, truly: saved, and nothing left to change
    assert "Settings saved. Nothing changed." in text_of(confirmations[-1].params)
