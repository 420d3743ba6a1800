"""`/promise` with no text opens a form; submitting it records the same promise."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.e2e.conftest import NY
from tests.e2e.harness import Answer, Bot, text_of


def submit_form(
    bot: Bot,
    view: dict[str, Any],
    *,
    user: str = "U0OWNER",
    owner: str = "U0HELPER",
    what: str = "send the deck",
    client: str | None = "Acme",
    day: str = "2026-12-03",
    at: str | None = "14:30",
) -> Answer:
    """`user` submits the new-promise form with these fields."""
    values = {
        "owner": {"value": {"type": "users_select", "selected_user": owner}},
        "what": {"value": {"type": "plain_text_input", "value": what}},
        "client": {"value": {"type": "plain_text_input", "value": client}},
        "date": {"value": {"type": "datepicker", "selected_date": day}},
        "time": {"value": {"type": "timepicker", "selected_time": at}},
    }
    return bot.submit_view(user, view, values, view_id="V0001")


def open_form(bot: Bot) -> dict[str, Any]:
    body, _ = bot.command_body("")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    [call] = bot.fake.wait_for("views.open")
    return call.params["view"]


def test_no_text_opens_the_form_on_the_invokers_today(bot: Bot) -> None:
    view = open_form(bot)
    assert view["callback_id"] == "promise_create"
    assert json.loads(view["private_metadata"]) == {"channel": "C0CLIENT"}
    inputs = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert inputs["owner"]["initial_user"] == "U0OWNER"
    assert inputs["date"]["initial_date"] == "2026-12-01"
    assert set(inputs) == {"owner", "what", "client", "date", "time"}


def test_submitting_the_form_records_the_promise(bot: Bot) -> None:
    view = open_form(bot)
    answer = submit_form(bot, view, what="send <the> deck & notes")
    assert answer.status == 200 and answer.body in ("", "{}")

    [item] = bot.items()
    assert (item.owner_id, item.creator_id, item.client, item.channel_id) == (
        "U0HELPER",
        "U0OWNER",
        "Acme",
        "C0CLIENT",
    )
    assert item.what == "send &lt;the&gt; deck &amp; notes"  # stored Slack-escaped, never as markup
    assert item.due_at == datetime(2026, 12, 3, 14, 30, tzinfo=NY)
    [confirm] = bot.fake.wait_for("chat.postEphemeral")
    assert confirm.params["user"] == "U0OWNER" and confirm.params["channel"] == "C0CLIENT"
    assert f"#{item.id}" in text_of(confirm.params)


def test_a_form_without_time_means_end_of_day(bot: Bot) -> None:
    view = open_form(bot)
    submit_form(bot, view, at=None)
    assert bot.items()[0].due_at == datetime(2026, 12, 3, 17, 0, tzinfo=NY)


def test_a_bad_form_shows_errors_under_the_fields_and_stores_nothing(bot: Bot) -> None:
    view = open_form(bot)
    answer = submit_form(bot, view, what="   ", day="2026-11-20", owner="U0ROBOT")
    assert answer.status == 200
    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"what", "owner", "date"}  # the date is what has passed
    assert bot.items() == []
