"""Forms open inside Slack's 3-second window, and say so when Slack closed it anyway."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from tests.e2e.harness import Bot


def test_a_form_opened_too_late_tells_the_person_to_try_again(bot: Bot) -> None:
    body, _ = bot.command_body("")
    form = dict(parse_qsl(body))
    form["trigger_id"] = bot.fake.trigger_id(age=3.5)  # the click was 3.5 s ago
    assert bot.post_signed(urlencode(form), "application/x-www-form-urlencoded").status == 200
    [note] = bot.fake.wait_for("chat.postEphemeral")
    assert note.params["user"] == "U0OWNER" and "try again" in note.params["text"]
    assert [c.response["error"] for c in bot.fake.calls_to("views.open")] == ["expired_trigger_id"]
    assert bot.items() == []


def test_a_form_opened_at_once_is_in_time(bot: Bot) -> None:
    body, _ = bot.command_body("")
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    [opened] = bot.fake.wait_for("views.open")
    assert opened.response["ok"] is True
