"""Forms are held to their command's rules and never lie: a field error for what the
command would refuse (limits measured as stored, once Slack-escaped; control characters
dropped), and what the person is told matches what was stored. End to end over signed
HTTP against the fake Slack, with a frozen clock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import at
from tests.e2e.harness import Answer, Bot, text_of, tick_at
from tests.e2e.test_modal import open_form, submit_form
from tests.e2e.test_nudges import at as nudge_at
from tests.e2e.test_nudges import click, dms, form_on_the_nudge


def errors(answer: Answer) -> dict[str, str]:
    assert answer.status == 200, answer
    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    return dict(body["errors"])


@pytest.mark.parametrize(
    ("day", "says"),
    [("9999-12-31", "more than a year away"), ("2030-01-01", "more than a year away")],
)
def test_the_promise_form_refuses_a_date_the_command_refuses(bot: Bot, day: str, says: str) -> None:
    answer = submit_form(bot, open_form(bot), day=day, at=None)
    assert says in errors(answer)["date"]
    assert bot.items() == []


def test_the_promise_form_measures_its_limits_once_escaped(bot: Bot) -> None:
    answer = submit_form(bot, open_form(bot), what="&" * 101, client="<" * 51)
    found = errors(answer)
    assert "505 characters" in found["what"] and "keep it under 500" in found["what"]
    assert "204 characters" in found["client"]
    assert bot.items() == []
    assert bot.command("send the deck by 4pm")  # the limit is the command's too
    assert "505 characters" in text_of(bot.command("&amp;" * 101 + " by 4pm"))


def test_the_promise_form_drops_control_characters(bot: Bot) -> None:
    answer = submit_form(bot, open_form(bot), what="send\x00 the\x07 deck", client="Ac\x1bme")
    assert answer.status == 200 and answer.body in ("", "{}")
    [item] = bot.items()
    assert (item.what, item.client) == ("send the deck", "Acme")


def test_a_failure_after_the_form_is_acked_closes_it_and_says_so(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("the planner broke after the item was stored")

    monkeypatch.setattr(bot.runtime.planner, "replan", broken)
    answer = submit_form(bot, open_form(bot))
    assert answer.status == 200 and answer.body in ("", "{}")  # no 500: no resubmit, no twin
    [told] = bot.fake.wait_for("chat.postEphemeral")
    assert "can't be sure" in text_of(told.params) and "/promise list" in text_of(told.params)
    assert len(bot.items()) == 1


def more_time(bot: Bot, view: dict[str, Any], when: str, note: str) -> Answer:
    return bot.submit_view(
        "U0OWNER",
        view,
        {
            "when": {"value": {"type": "plain_text_input", "value": when}},
            "note": {"value": {"type": "plain_text_input", "value": note}},
        },
    )


def test_need_more_time_refuses_a_note_too_long_once_escaped(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    answer = more_time(bot, view, "tomorrow 11am", "<&>" * 300)  # 900 typed, 3,900 as posted
    assert "3,900 characters" in errors(answer)["note"]
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.items()[0].due_at == at(1, 16)  # not moved
    assert [m for m in bot.fake.messages("C0CLIENT") if "Update on" in (m.get("text") or "")] == []


def test_need_more_time_posts_the_whole_note_it_accepted(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    note = "Sorry\x00 & thanks. " + "x" * 900
    assert more_time(bot, view, "tomorrow 11am", note).body in ("", "{}")
    assert bot.runtime.after_ack.drain(timeout=10)
    assert bot.items()[0].due_at == at(2, 11)
    [posted] = [m for m in bot.fake.messages("C0CLIENT") if "Update on" in (m.get("text") or "")]
    assert "Sorry &amp; thanks. " + "x" * 900 in text_of(posted)


def test_need_more_time_shows_the_item_as_typed_in_its_note(bot: Bot) -> None:
    bot.command("send the Q&amp;A deck by 4pm")
    tick_at(bot, nudge_at(15))
    click(bot, "U0OWNER", dms(bot, "U0OWNER")[-1], "nudge_more_time")
    [opened] = bot.fake.wait_for("views.open")
    note = next(b for b in opened.params["view"]["blocks"] if b["block_id"] == "note")
    assert "send the Q&A deck" in note["element"]["initial_value"]


def test_need_more_time_refuses_a_picked_date_past_a_year(bot: Bot) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")
    answer = bot.submit_view(
        "U0OWNER",
        view,
        {
            "date": {"value": {"type": "datepicker", "selected_date": "9999-12-31"}},
            "note": {"value": {"type": "plain_text_input", "value": "x"}},
        },
    )
    assert "more than a year away" in errors(answer)["when"]
    assert bot.items()[0].due_at == at(1, 16)


def test_a_failure_after_need_more_time_is_acked_is_reported(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = form_on_the_nudge(bot, "nudge_more_time")

    def broken(*_: Any) -> None:
        raise RuntimeError("Slack's answer could not be read")

    monkeypatch.setattr(bot.runtime.uses.promises, "move", broken)
    assert more_time(bot, view, "tomorrow 11am", "x").body in ("", "{}")
    assert bot.runtime.after_ack.drain(timeout=10)
    assert "can't be sure" in text_of(dms(bot, "U0OWNER")[-1])


def track_form(bot: Bot) -> dict[str, Any]:
    message = {"type": "message", "user": "U0CLIENT", "ts": "1796140000.000100", "text": "hi"}
    shortcut = bot.interaction(
        "message_action",
        "U0OWNER",
        callback_id="track_client_message",
        channel={"id": "C0CLIENT"},
        message=message,
        response_url=bot.fake.response_url(),
    )
    assert bot.interact(shortcut).status == 200
    [opened] = bot.fake.wait_for("views.open")
    return dict(opened.params["view"])


def test_track_refuses_a_deadline_past_a_year(bot: Bot) -> None:
    view = track_form(bot)
    answer = bot.submit_view(
        "U0OWNER",
        view,
        {
            "owner": {"value": {"type": "users_select", "selected_user": "U0OWNER"}},
            "when": {"value": {"type": "plain_text_input", "value": "9999-12-31"}},
        },
    )
    assert "more than a year away" in errors(answer)["when"]
    assert bot.items() == []


def test_settings_drop_control_characters(bot: Bot) -> None:
    body, _ = bot.command_body("settings", user="U0LEAD")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    [opened] = bot.fake.wait_for("views.open")
    view = opened.params["view"]
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        state: dict[str, Any] = {"type": element.get("type")}
        if "initial_value" in element:
            state["value"] = element["initial_value"]
        if "initial_time" in element:
            state["selected_time"] = element["initial_time"]
        if "initial_options" in element:
            state["selected_options"] = element["initial_options"]
        if "initial_user" in element:
            state["selected_user"] = element["initial_user"]
        if block.get("type") == "input":
            values[block["block_id"]] = {"value": state}
    values["timezone"]["value"]["value"] = "Europe/\x00Berlin"
    values["digest_cron"]["value"]["value"] = "0 9 * * mon\x00"
    answer = bot.submit_view("U0LEAD", view, values)
    assert answer.status == 200 and answer.body in ("", "{}"), answer
    assert bot.runtime.after_ack.drain(timeout=10)  # saved after the ack
    stored = bot.runtime.workplace.stored("T0001")
    assert (stored["PROMISE_TIMEZONE"], stored["PROMISE_DIGEST_CRON"]) == (
        "Europe/Berlin",
        "0 9 * * mon",
    )
