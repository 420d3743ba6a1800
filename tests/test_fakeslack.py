"""Tests of the Slack fake itself, driven through the real slack_sdk / slack_bolt clients.

The app's end-to-end tests trust this fake to behave like Slack; these tests pin that
behaviour down (shapes, errors, faults, Socket Mode) so a regression in the fake cannot
silently make the app's tests meaningless.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from tests.fakeslack import FakeSlack, sign, signed_headers

# Slack's worked example from "Verifying requests from Slack".
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class FixedClock:
    """A clock pinned to one instant, so tz offsets are deterministic."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U1", "Alice Owner")
        fake.add_user("U2", "Bob Lead", tz="Europe/London", is_admin=True)
        fake.add_channel("C1", "client-acme")
        fake.add_channel("C2", "client-globex", bot_is_member=False)
        fake.add_channel("G1", "secret-project", is_private=True, bot_is_member=False)
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url)


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> dict[str, Any]:
    return excinfo.value.response.data  # type: ignore[return-value]


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


# --------------------------------------------------------------------------------------
# auth and routing
# --------------------------------------------------------------------------------------


def test_auth_test_has_slacks_shape(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test().data == {
        "ok": True,
        "url": "https://acme.slack.com/",
        "team": "Acme Agency",
        "user": "promise-bot",
        "team_id": "T0001",
        "user_id": "UBOT",
        "bot_id": "B0001",
        "is_enterprise_install": False,
    }
    call = fake.calls_to("auth.test")[0]
    assert call.token == fake.bot_token
    assert call.headers["Authorization"] == f"Bearer {fake.bot_token}"


def test_missing_and_wrong_tokens_are_rejected(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as no_token:
        WebClient(base_url=fake.api_url).auth_test()
    assert api_error(no_token) == {"ok": False, "error": "not_authed"}

    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-nope", base_url=fake.api_url).auth_test()
    assert api_error(wrong)["error"] == "invalid_auth"

    with pytest.raises(SlackApiError) as app_token:
        WebClient(token=fake.app_token, base_url=fake.api_url).chat_postMessage(
            channel="C1", text="hi"
        )
    assert api_error(app_token)["error"] == "not_allowed_token_type"

    with pytest.raises(SlackApiError) as bot_for_socket:
        WebClient(token=fake.bot_token, base_url=fake.api_url).apps_connections_open(
            app_token=fake.bot_token
        )
    assert api_error(bot_for_socket)["error"] == "not_allowed_token_type"


def test_token_may_travel_in_the_form_body(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.api_url)
    assert client.api_call("auth.test", data={"token": fake.bot_token})["ok"] is True
    call = fake.calls_to("auth.test")[0]
    assert call.token == fake.bot_token
    assert "token" not in call.params


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("promises.make")
    assert excinfo.value.response.status_code == 200
    assert api_error(excinfo) == {
        "ok": False,
        "error": "unknown_method",
        "req_method": "promises.make",
    }


# --------------------------------------------------------------------------------------
# directory
# --------------------------------------------------------------------------------------


def test_users_info_shape_and_time_zone() -> None:
    summer = FixedClock(datetime(2024, 7, 1, 12, tzinfo=UTC))
    with FakeSlack(clock=summer) as fake:
        fake.add_user("U1", "Alice Owner", status_text="On leave", status_emoji=":palm_tree:")
        fake.add_user("U9", "Gone User", deleted=True)
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)

        user = client.users_info(user="U1")["user"]
        assert user["id"] == "U1"
        assert user["team_id"] == "T0001"
        assert user["real_name"] == "Alice Owner"
        assert user["tz"] == "America/New_York"
        assert user["tz_offset"] == -4 * 3600  # EDT on 1 July
        assert user["tz_label"] == "Eastern Daylight Time"
        assert user["is_bot"] is False
        assert user["is_restricted"] is False
        assert user["profile"]["display_name"] == "Alice Owner"
        assert user["profile"]["status_text"] == "On leave"
        assert user["profile"]["status_emoji"] == ":palm_tree:"

        summer.at = datetime(2024, 1, 15, 12, tzinfo=UTC)
        assert client.users_info(user="U1")["user"]["tz_offset"] == -5 * 3600

        fake.add_user("U8", "No Zone", tz="")
        no_zone = client.users_info(user="U8")["user"]
        assert no_zone["tz"] is None
        assert no_zone["tz_offset"] == -8 * 3600  # Slack still sends a Pacific offset (PST)

        gone = client.users_info(user="U9")["user"]
        assert gone["deleted"] is True
        assert "tz" not in gone  # Slack omits tz for deactivated accounts

        with pytest.raises(SlackApiError) as excinfo:
            client.users_info(user="U404")
        assert api_error(excinfo) == {"ok": False, "error": "user_not_found"}


def test_external_user_belongs_to_their_own_team(fake: FakeSlack, client: WebClient) -> None:
    fake.add_team("T0CLIENT", "Client Co")
    fake.add_user("UEXT", "Carol Client", team_id="T0CLIENT")
    assert client.users_info(user="UEXT")["user"]["team_id"] == "T0CLIENT"
    assert client.team_info(team="T0CLIENT")["team"]["name"] == "Client Co"
    assert client.team_info()["team"]["id"] == "T0001"


def test_conversations_info_and_join(fake: FakeSlack, client: WebClient) -> None:
    info = client.conversations_info(channel="C1")["channel"]
    assert info["id"] == "C1"
    assert info["name"] == "client-acme"
    assert info["is_member"] is True
    assert info["is_private"] is False

    with pytest.raises(SlackApiError) as hidden:
        client.conversations_info(channel="G1")
    assert api_error(hidden)["error"] == "channel_not_found"

    joined = client.conversations_join(channel="C2")
    assert joined["channel"]["is_member"] is True
    assert "warning" not in joined.data
    again = client.conversations_join(channel="C2")
    assert again["response_metadata"] == {"warnings": ["already_in_channel"]}

    with pytest.raises(SlackApiError) as private:
        client.conversations_join(channel="G1")
    assert api_error(private)["error"] == "method_not_supported_for_channel_type"


def test_conversations_open_gives_a_stable_dm(fake: FakeSlack, client: WebClient) -> None:
    first = client.conversations_open(users="U1")
    assert first.data == {"ok": True, "channel": {"id": fake.dm_channel("U1")}}
    again = client.conversations_open(users="U1", return_im=True)
    assert again["channel"]["id"] == fake.dm_channel("U1")
    assert again["channel"]["is_im"] is True
    assert again["already_open"] is True

    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_open(users="U404")
    assert api_error(excinfo)["error"] == "user_not_found"


# --------------------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------------------


def test_post_message_to_a_user_lands_in_their_dm(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U1", text="Your promise is due in 1 hour")
    dm = fake.dm_channel("U1")
    assert posted["channel"] == dm
    assert posted["message"]["user"] == "UBOT"
    assert posted["message"]["bot_id"] == "B0001"
    assert [m["text"] for m in fake.messages(dm)] == ["Your promise is due in 1 hour"]
    assert fake.messages("U1") == fake.messages(dm)
    assert client.conversations_open(users="U1")["channel"]["id"] == dm


def test_post_message_channel_rules(fake: FakeSlack, client: WebClient) -> None:
    cases = {
        "C404": "channel_not_found",
        "C2": "not_in_channel",  # public, bot not a member
        "G1": "channel_not_found",  # private, bot not a member: invisible
    }
    for channel, error in cases.items():
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel=channel, text="hi")
        assert api_error(excinfo)["error"] == error, channel

    with pytest.raises(SlackApiError) as no_text:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert api_error(no_text)["error"] == "no_text"

    with pytest.raises(SlackApiError) as too_long:
        client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert api_error(too_long)["error"] == "msg_too_long"

    assert client.chat_postMessage(channel="#client-acme", text="by name")["channel"] == "C1"
    assert [m["text"] for m in fake.messages("C1")] == ["by name"]


def test_ts_values_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(5)]
    assert len(set(stamps)) == 5
    assert stamps == sorted(stamps, key=lambda ts: tuple(int(p) for p in ts.split(".")))
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_history_newest_first_with_metadata_only_on_request(
    fake: FakeSlack, client: WebClient
) -> None:
    stamps = []
    for n in range(3):
        posted = client.chat_postMessage(
            channel="C1",
            text=f"promise {n}",
            metadata={"event_type": "promise_made", "event_payload": {"n": n}},
        )
        stamps.append(posted["ts"])

    plain = client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["promise 2", "promise 1", "promise 0"]
    assert all("metadata" not in m for m in plain["messages"])

    full = client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][0]["metadata"] == {
        "event_type": "promise_made",
        "event_payload": {"n": 2},
    }

    page1 = client.conversations_history(channel="C1", limit=2)
    assert page1["has_more"] is True
    page2 = client.conversations_history(
        channel="C1", limit=2, cursor=page1["response_metadata"]["next_cursor"]
    )
    assert [m["ts"] for m in page1["messages"] + page2["messages"]] == stamps[::-1]
    assert page2["has_more"] is False

    window = client.conversations_history(channel="C1", oldest=stamps[0], latest=stamps[2])
    assert [m["ts"] for m in window["messages"]] == [stamps[1]]

    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x", metadata={"event_type": "x"})
    assert api_error(excinfo)["error"] == "invalid_metadata_format"


def test_threads_replies_and_permalinks(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("UEXT", "Carol Client")
    parent = fake.add_message("C1", "Can we get the file by 4pm?", user="UEXT")
    reply = client.chat_postMessage(channel="C1", text="On it", thread_ts=parent["ts"])

    history = client.conversations_history(channel="C1")["messages"]
    assert [m["ts"] for m in history] == [parent["ts"]]
    assert history[0]["reply_count"] == 1

    thread = client.conversations_replies(channel="C1", ts=parent["ts"])["messages"]
    assert [m["text"] for m in thread] == ["Can we get the file by 4pm?", "On it"]

    link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]
    assert link == (
        f"https://acme.slack.com/archives/C1/p{reply['ts'].replace('.', '')}"
        f"?thread_ts={parent['ts']}&cid=C1"
    )
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_replies(channel="C1", ts="1.000000")
    assert api_error(excinfo)["error"] == "thread_not_found"


def test_update_delete_and_reactions(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(
        channel="C1", text="due 4pm", metadata={"event_type": "p", "event_payload": {}}
    )
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="done ✅")
    assert updated["text"] == "done ✅"
    [stored] = fake.messages("C1")
    assert stored["text"] == "done ✅"
    assert stored["metadata"]["event_type"] == "p"  # kept: metadata not passed

    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert api_error(missing)["error"] == "message_not_found"

    fake.add_user("UEXT", "Carol Client")
    theirs = fake.add_message("C1", "client text", user="UEXT")
    with pytest.raises(SlackApiError) as not_ours:
        client.chat_update(channel="C1", ts=theirs["ts"], text="x")
    assert api_error(not_ours)["error"] == "cant_update_message"

    client.reactions_add(channel="C1", timestamp=theirs["ts"], name="eyes")
    with pytest.raises(SlackApiError) as twice:
        client.reactions_add(channel="C1", timestamp=theirs["ts"], name="eyes")
    assert api_error(twice)["error"] == "already_reacted"
    assert fake.messages("C1")[-1]["reactions"] == [{"name": "eyes", "users": ["UBOT"], "count": 1}]

    client.chat_delete(channel="C1", ts=posted["ts"])
    assert [m["ts"] for m in fake.messages("C1")] == [theirs["ts"]]


def test_ephemeral_messages_are_recorded_not_stored(fake: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="Only you can see this")
    assert answer["ok"] is True
    assert "message_ts" in answer.data
    assert fake.messages("C1") == []
    [call] = fake.ephemerals(user="U1", channel="C1")
    assert call.params["text"] == "Only you can see this"
    assert fake.ephemerals(user="U2") == []

    with pytest.raises(SlackApiError) as unknown:
        client.chat_postEphemeral(channel="C1", user="U404", text="x")
    assert api_error(unknown)["error"] == "user_not_found"

    fake.add_channel("C3", "members-only", members=["U2"])
    with pytest.raises(SlackApiError) as outsider:
        client.chat_postEphemeral(channel="C3", user="U1", text="x")
    assert api_error(outsider)["error"] == "user_not_in_channel"


def test_form_encoded_json_fields_are_decoded_for_inspection(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [section("*hi*")]
    client.api_call(
        "chat.postMessage",
        params={
            "channel": "C1",
            "text": "hi",
            "blocks": '[{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]',
        },
    )
    client.chat_postMessage(channel="C1", text="hi", blocks=blocks)  # sent as JSON
    form_call, json_call = fake.calls_to("chat.postMessage")
    assert "x-www-form-urlencoded" in form_call.headers["Content-Type"]
    assert "application/json" in json_call.headers["Content-Type"]
    assert form_call.params["blocks"] == json_call.params["blocks"] == blocks

    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessage", params={"channel": "C1", "blocks": "[{oops"})
    assert api_error(excinfo)["error"] == "invalid_blocks_format"


# --------------------------------------------------------------------------------------
# Block Kit limits
# --------------------------------------------------------------------------------------


def button(**overrides: Any) -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": "Done"}, "action_id": "a"}
    element.update(overrides)
    return element


def options(n: int, text: str = "opt") -> list[dict[str, Any]]:
    return [{"text": {"type": "plain_text", "text": text}, "value": str(i)} for i in range(n)]


BAD_BLOCKS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "51 blocks": ([section("x")] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
    "section text": (
        [section("x" * 3001)],
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ),
    "empty section text": (
        [section("")],
        "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
    ),
    "11 fields": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
    ),
    "field text": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
        "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
    ),
    "header text": (
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
    ),
    "button text": (
        [{"type": "actions", "elements": [button(text={"type": "plain_text", "text": "b" * 76})]}],
        "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
    ),
    "action_id": (
        [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
        "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
    ),
    "block_id": (
        [section("x", block_id="b" * 256)],
        "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
    ),
    "duplicate block_id": (
        [section("x", block_id="same"), section("y", block_id="same")],
        "duplicate block_id: same [json-pointer:/blocks/1/block_id]",
    ),
    "button value": (
        [{"type": "actions", "elements": [button(value="v" * 2001)]}],
        "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
    ),
    "button url": (
        [{"type": "actions", "elements": [button(url="https://x.io/" + "u" * 3000)]}],
        "must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]",
    ),
    "26 actions": (
        [{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}],
        "no more than 25 items allowed [json-pointer:/blocks/0/elements]",
    ),
    "11 context elements": (
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
    ),
    "101 options": (
        [
            section(
                "pick",
                accessory={"type": "static_select", "action_id": "s", "options": options(101)},
            )
        ],
        "no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]",
    ),
    "option text": (
        [
            section(
                "pick",
                accessory={
                    "type": "static_select",
                    "action_id": "s",
                    "options": options(1, "o" * 76),
                },
            )
        ],
        "must be less than 76 characters [json-pointer:/blocks/0/accessory/options/0/text/text]",
    ),
    "unknown block": (
        [{"type": "sectoin", "text": {"type": "mrkdwn", "text": "typo"}}],
        "unsupported block type: 'sectoin' [json-pointer:/blocks/0/type]",
    ),
}


@pytest.mark.parametrize("case", list(BAD_BLOCKS))
def test_block_kit_violations_are_invalid_blocks(client: WebClient, case: str) -> None:
    blocks, expected = BAD_BLOCKS[case]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    body = api_error(excinfo)
    assert body["error"] == "invalid_blocks"
    assert expected in body["errors"]
    assert f"[ERROR] {expected}" in body["response_metadata"]["messages"]


def test_block_kit_limits_are_inclusive(fake: FakeSlack, client: WebClient) -> None:
    at_limit = [section("x" * 3000, block_id=f"b{i}") for i in range(49)] + [
        {
            "type": "actions",
            "block_id": "act",
            "elements": [button(action_id=f"a{i}", value="v" * 2000) for i in range(25)],
        }
    ]
    client.chat_postMessage(channel="C1", text="fallback", blocks=at_limit)
    assert len(fake.messages("C1")[0]["blocks"]) == 50


def modal(**overrides: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "promise_modal",
        "title": {"type": "plain_text", "text": "New promise"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "what",
                "label": {"type": "plain_text", "text": "What"},
                "element": {"type": "plain_text_input", "action_id": "what"},
            }
        ],
    }
    view.update(overrides)
    return view


BAD_VIEWS: dict[str, tuple[dict[str, Any], str]] = {
    "title": (
        modal(title={"type": "plain_text", "text": "t" * 25}),
        "must be less than 25 characters [json-pointer:/view/title/text]",
    ),
    "submit": (
        modal(submit={"type": "plain_text", "text": "s" * 25}),
        "must be less than 25 characters [json-pointer:/view/submit/text]",
    ),
    "101 blocks": (
        modal(blocks=[section("x")] * 101),
        "no more than 100 items allowed [json-pointer:/view/blocks]",
    ),
    "private_metadata": (
        modal(private_metadata="m" * 3001),
        "must be less than 3001 characters [json-pointer:/view/private_metadata]",
    ),
    "callback_id": (
        modal(callback_id="c" * 256),
        "must be less than 256 characters [json-pointer:/view/callback_id]",
    ),
    "input without submit": (
        modal(submit=None),
        "submit is required when the view has an input block [json-pointer:/view/submit]",
    ),
    "input label": (
        modal(
            blocks=[
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "l" * 2001},
                    "element": {"type": "plain_text_input", "action_id": "x"},
                }
            ]
        ),
        "must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VIEWS))
def test_view_violations_are_invalid_arguments(
    fake: FakeSlack, client: WebClient, case: str
) -> None:
    view, expected = BAD_VIEWS[case]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=fake.trigger_id(), view=view)
    body = api_error(excinfo)
    assert body["error"] == "invalid_arguments"
    assert f"[ERROR] {expected}" in body["response_metadata"]["messages"]


def test_views_open_update_and_publish(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.trigger_id()
    opened = client.views_open(trigger_id=trigger, view=modal(private_metadata="p1"))["view"]
    assert opened["id"].startswith("V")
    assert opened["type"] == "modal"
    assert opened["private_metadata"] == "p1"
    assert opened["state"] == {"values": {}}

    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id=trigger, view=modal())
    assert api_error(reused)["error"] == "invalid_arguments"

    updated = client.views_update(view_id=opened["id"], view=modal(private_metadata="p2"))
    assert updated["view"]["id"] == opened["id"]
    assert fake.view(opened["id"])["private_metadata"] == "p2"  # type: ignore[index]
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], view=modal(), hash=opened["hash"])
    assert api_error(stale)["error"] == "hash_conflict"

    home = {"type": "home", "blocks": [section(f"item {i}") for i in range(100)]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert fake.home_view("U1")["id"] == published["id"]  # type: ignore[index]
    with pytest.raises(SlackApiError) as too_big:
        client.views_publish(user_id="U1", view={**home, "blocks": home["blocks"] * 2})
    assert api_error(too_big)["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]


# --------------------------------------------------------------------------------------
# faults
# --------------------------------------------------------------------------------------


def test_rate_limit_is_retried_after_retry_after(fake: FakeSlack) -> None:
    client = WebClient(
        token=fake.bot_token,
        base_url=fake.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="nudge")["ok"] is True
    assert time.monotonic() - started >= 1.0  # the client honoured Retry-After
    first, second = fake.calls_to("chat.postMessage")
    assert (first.status, first.error) == (429, "ratelimited")
    assert (second.status, second.ok) == (200, True)
    assert len(fake.messages("C1")) == 1  # the rate-limited attempt changed nothing


def test_rate_limit_without_retry_handler_raises(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="nudge")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"
    assert api_error(excinfo)["error"] == "ratelimited"
    assert fake.messages("C1") == []
    assert client.chat_postMessage(channel="C1", text="nudge")["ok"] is True  # count=1


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_with_server_error_handler(fake: FakeSlack, status: int) -> None:
    retrying = WebClient(
        token=fake.bot_token,
        base_url=fake.api_url,
        retry_handlers=[
            ServerErrorRetryHandler(
                max_retry_count=1,
                interval_calculator=FixedValueRetryIntervalCalculator(fixed_internal=0.01),
            )
        ],
    )
    fake.fail_next("users.info", status=status)
    assert retrying.users_info(user="U1")["user"]["id"] == "U1"
    assert [c.status for c in fake.calls_to("users.info")] == [status, 200]

    fake.fail_next("users.info", status=status)
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(token=fake.bot_token, base_url=fake.api_url).users_info(user="U1")
    assert excinfo.value.response.status_code == status
    assert excinfo.value.response["ok"] is False


def test_fail_next_with_a_slack_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next(status=200, error="account_inactive", count=2)  # any method
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C1", text="x")
        assert api_error(excinfo) == {"ok": False, "error": "account_inactive"}
    assert fake.messages("C1") == []
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True

    fake.fail_next("chat.update", status=200, error="channel_not_found")
    assert client.auth_test()["ok"] is True  # other methods are unaffected
    with pytest.raises(SlackApiError):
        client.chat_update(channel="C1", ts="1.000000", text="x")


def test_slow_answer_times_the_client_out_but_still_takes_effect(fake: FakeSlack) -> None:
    impatient = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=0.2)  # type: ignore[arg-type]
    fake.slow_next("chat.postMessage", seconds=0.6)
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C1", text="did it post?")
    # Like Slack, the server finished the work although the client gave up waiting.
    [call] = fake.wait_for("chat.postMessage")
    assert call.ok
    assert [m["text"] for m in fake.messages("C1")] == ["did it post?"]


def test_wait_for_blocks_until_the_call_arrives(fake: FakeSlack, client: WebClient) -> None:
    poster = threading.Thread(
        target=lambda: client.chat_postMessage(channel="C1", text="later"), daemon=True
    )
    poster.start()
    [call] = fake.wait_for("chat.postMessage", where=lambda c: c.params.get("text") == "later")
    assert call.ok
    poster.join(timeout=5)


def test_wait_for_timeout_explains_what_happened(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(
        AssertionError, match=r"(?s)chat\.postMessage.*saw 0.*auth\.test -> HTTP 200"
    ):
        fake.wait_for("chat.postMessage", timeout=0.05)


# --------------------------------------------------------------------------------------
# response_url and file uploads
# --------------------------------------------------------------------------------------


def test_response_url_records_payloads(fake: FakeSlack) -> None:
    url = fake.response_url()
    assert url.startswith(fake.base_url + "/respond/")
    assert url != fake.response_url()

    sent = WebhookClient(url).send(text="Promise saved", response_type="ephemeral")
    assert (sent.status_code, sent.body) == (200, "ok")
    [response] = fake.wait_for_response(url)
    assert response.payload == {"text": "Promise saved", "response_type": "ephemeral"}

    fake.fail_response_urls(404)
    assert WebhookClient(url).send(text="again").status_code == 404
    fake.fail_response_urls(None)
    assert WebhookClient(url).send(text="again").status_code == 200

    for _ in range(3):
        WebhookClient(url).send(text="more")
    assert WebhookClient(url).send(text="sixth").status_code == 404  # 5 uses, like Slack
    assert WebhookClient(fake.base_url + "/respond/nope").send(text="x").status_code == 404
    assert len(fake.wait_for_response(url, count=7)) == 7


def test_files_upload_v2_stores_bytes_and_shares(fake: FakeSlack, client: WebClient) -> None:
    result = client.files_upload_v2(
        channel="C1", content="a,b\n1,2\n", filename="digest.csv", title="Digest"
    )
    file_id = result["file"]["id"]
    assert fake.upload(file_id)["content"] == b"a,b\n1,2\n"  # type: ignore[index]
    [shared] = fake.messages("C1")
    assert shared["files"][0]["id"] == file_id
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_reset_forgets_the_record_but_keeps_the_directory(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="C1", text="x")
    fake.reset()
    assert fake.calls == []
    assert fake.messages("C1") == []
    assert client.users_info(user="U1")["user"]["id"] == "U1"


# --------------------------------------------------------------------------------------
# signing
# --------------------------------------------------------------------------------------


class _AtDocTimestamp:
    def now(self) -> float:
        return float(DOC_TIMESTAMP)


def test_signer_matches_slacks_documented_example() -> None:
    assert sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE
    assert sign(DOC_SECRET, int(DOC_TIMESTAMP), DOC_BODY.encode()) == DOC_SIGNATURE
    verifier = SignatureVerifier(DOC_SECRET, clock=_AtDocTimestamp())  # type: ignore[arg-type]
    assert verifier.is_valid(DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE)


def test_signed_headers_are_accepted_by_slack_sdk() -> None:
    body = '{"type":"event_callback","event":{"type":"app_mention"}}'
    headers = signed_headers("s3cret", body)
    assert set(headers) == {"X-Slack-Request-Timestamp", "X-Slack-Signature"}
    assert abs(int(headers["X-Slack-Request-Timestamp"]) - time.time()) < 5
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + " ", headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)


# --------------------------------------------------------------------------------------
# Socket Mode
# --------------------------------------------------------------------------------------


def test_apps_connections_open_issues_single_use_urls(fake: FakeSlack) -> None:
    app_client = WebClient(token=fake.app_token, base_url=fake.api_url)
    url = app_client.apps_connections_open(app_token=fake.app_token)["url"]
    assert url.startswith(f"ws://127.0.0.1:{fake.socket.port}/link/?ticket=")
    with ws_connect(url) as ws:
        hello = ws.recv(timeout=5)
        assert '"type": "hello"' in hello
        assert '"app_id": "A0001"' in hello
        fake.socket.wait_connected()
    with pytest.raises(InvalidStatus), ws_connect(url):
        pass


def test_socket_mode_round_trip_with_bolt(fake: FakeSlack) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.api_url)
    app = App(client=client, signing_secret="unused-in-socket-mode")

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], say: Any) -> None:
        say(f"Noted, <@{event['user']}>")

    @app.command("/promise")
    def on_promise(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack(f"Recording: {command['text']}")
        respond("Saved")

    handler = SocketModeHandler(app, fake.app_token)
    handler.connect()
    try:
        fake.socket.wait_connected()
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> remember the 4pm file",
            "ts": "1700000000.000100",
            "channel": "C1",
            "event_ts": "1700000000.000100",
        }
        ack = fake.socket.send("events_api", fake.event_callback(event))
        assert ack["envelope_id"] == fake.socket.sent[-1]["envelope_id"]
        [posted] = fake.wait_for("chat.postMessage")
        assert posted.params["text"] == "Noted, <@U1>"

        command = fake.slash_command("/promise", "file by 4pm", user_id="U1", channel_id="C1")
        ack = fake.socket.send("slash_commands", command, accepts_response_payload=True)
        assert ack["payload"] == {"text": "Recording: file by 4pm"}
        [response] = fake.wait_for_response(command["response_url"])
        assert response.payload["text"] == "Saved"

        # Slack asks clients to reconnect now and then; Bolt must follow and keep working.
        fake.socket.disconnect("refresh_requested")
        fake.socket.wait_connected(count=2)
        ack = fake.socket.send("events_api", fake.event_callback(event))
        assert "envelope_id" in ack
        fake.wait_for("chat.postMessage", count=2)
    finally:
        handler.close()
