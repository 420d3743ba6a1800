"""The right people only: someone of another organisation (Slack Connect) can't own an
item or take one over; only a client channel's owner, the lead or an admin may re-own or
unwatch it, and the previous owner hears of it; what the bot repeats can't ping a crowd or
hide where a link goes. End to end over signed HTTP against the fake Slack."""

from __future__ import annotations

import json

import pytest

from tests.e2e import test_client_messages
from tests.e2e.harness import Bot, text_of
from tests.e2e.test_client_messages import CLIENT
from tests.e2e.test_modal import open_form, submit_form
from tests.e2e.test_nudges import form_on_the_nudge, in_dm_with

watched = test_client_messages.watched  # the fixture: C0CLIENT watched as "Acme" by Maria


def dms_to(bot: Bot, user: str) -> list[str]:
    assert bot.runtime.after_ack.drain(timeout=10)
    return [
        text_of(c.params) for c in bot.fake.calls_to("chat.postMessage") if in_dm_with(c, bot, user)
    ]


@pytest.mark.parametrize(
    "text",
    [f"<@{CLIENT}|pat> send the deck by 4pm", f"reply <@{CLIENT}> to Acme about the invoice"],
)
def test_someone_of_another_organisation_cannot_own_an_item(watched: Bot, text: str) -> None:
    answer = text_of(watched.command(text))
    assert "another organisation" in answer and "/promise @maria" in answer
    assert watched.items() == []


def test_the_form_refuses_an_owner_of_another_organisation(watched: Bot) -> None:
    answer = submit_form(watched, open_form(watched), owner=CLIENT)
    assert "another organisation" in json.loads(answer.body)["errors"]["owner"]
    assert watched.items() == []


def test_a_hand_off_to_someone_of_another_organisation_is_refused(watched: Bot) -> None:
    watched.command("send the deck by 4pm")
    [item] = watched.items()
    answer = text_of(watched.command(f"handoff {item.id} <@{CLIENT}>"))
    assert "another organisation" in answer
    assert watched.items()[0].owner_id == "U0OWNER"
    assert dms_to(watched, CLIENT) == []  # the client never gets the internal note


def test_the_hand_off_form_refuses_someone_of_another_organisation(bot: Bot) -> None:
    bot.fake.add_user(CLIENT, "pat", team_id="T0ACME")
    view = form_on_the_nudge(bot, "nudge_handoff")
    answer = bot.submit_view(
        "U0OWNER", view, {"to": {"value": {"type": "users_select", "selected_user": CLIENT}}}
    )
    assert "another organisation" in json.loads(answer.body)["errors"]["to"]
    assert bot.items()[0].owner_id == "U0OWNER"
    assert dms_to(bot, CLIENT) == []


def owner_of_channel(bot: Bot) -> str | None:
    return bot.runtime.uses.clients.owner_of("T0001", "C0CLIENT")


@pytest.mark.parametrize("text", ["watch Acme owner <@U0OTHER>", "watch Globex", "unwatch"])
def test_a_member_cannot_take_over_or_unwatch_a_client_channel(watched: Bot, text: str) -> None:
    answer = text_of(watched.command(text, user="U0OTHER"))
    assert "<@U0OWNER>'s client channel" in answer and "Nothing changed" in answer
    assert "/promise watch Acme owner @maria" in answer
    assert owner_of_channel(watched) == "U0OWNER"
    assert watched.runtime.uses.clients.watched("T0001", "C0CLIENT").name == "Acme"
    assert dms_to(watched, "U0OWNER") == []


def test_the_lead_may_re_own_a_client_channel_and_the_owner_is_told(watched: Bot) -> None:
    answer = text_of(watched.command("watch Acme owner <@U0HELPER>", user="U0LEAD"))
    assert "owed by <@U0HELPER>" in answer and "I told <@U0OWNER>" in answer
    assert owner_of_channel(watched) == "U0HELPER"
    [told] = dms_to(watched, "U0OWNER")
    assert "<@U0LEAD> made <@U0HELPER> the owner" in told and "<#C0CLIENT>" in told


def test_a_workspace_admin_may_unwatch_and_the_owner_is_told(watched: Bot) -> None:
    watched.fake.add_user("U0ADMIN", "ada", is_admin=True)
    answer = text_of(watched.command("unwatch", user="U0ADMIN"))
    assert "Stopped watching" in answer and "I told <@U0OWNER>" in answer
    assert owner_of_channel(watched) is None
    [told] = dms_to(watched, "U0OWNER")
    assert "<@U0ADMIN> stopped watching" in told


def test_the_owner_changes_their_own_channel_without_telling_themselves(watched: Bot) -> None:
    answer = text_of(watched.command("watch Acme owner <@U0HELPER>", user="U0OWNER"))
    assert "owed by <@U0HELPER>" in answer and "I told" not in answer
    assert text_of(watched.command("unwatch", user="U0HELPER")).startswith(":see_no_evil:")
    assert dms_to(watched, "U0OWNER") == []


HOSTILE = (
    "tell <!CHANNEL> <!here|here> <!group> <!Everyone> and <!subteam^S0DESIGN|@design> "
    "about <https://evil.example|acme.com>"
)


def test_what_the_bot_repeats_pings_no_crowd_and_shows_where_links_go(bot: Bot) -> None:
    answer = text_of(bot.command(HOSTILE + " by 4pm"))
    [item] = bot.items()
    listed = text_of(bot.command("list"))
    bot.command(f"done {item.id}")
    assert bot.runtime.after_ack.drain(timeout=10)
    [thanks] = [m for m in bot.fake.messages("C0CLIENT") if "Delivered" in (m.get("text") or "")]
    for said in (answer, listed, text_of(thanks)):
        assert "<!" not in said.replace("<!date^", "")
        assert "|acme.com>" not in said
        assert "@channel" in said and "@design" in said and "<https://evil.example>" in said
