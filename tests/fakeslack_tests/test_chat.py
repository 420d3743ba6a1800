"""chat.* and reactions.*: posting, channel rules, editing, ephemerals, Block Kit limits."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.fakeslack import FakeSlack
from tests.fakeslack_tests.helpers import api_error, section


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


@pytest.mark.parametrize(
    "block",
    [
        {"type": "section", "text": {"type": "mrkdwn", "text": "hi", "emoji": True}},
        {
            "type": "actions",
            "elements": [{"type": "datepicker", "action_id": "d", "initial_date": "12/01/2026"}],
        },
        {
            "type": "input",
            "label": {"type": "plain_text", "text": "x"},
            "element": {"type": "button", "text": {"type": "plain_text", "text": "b"}},
        },
    ],
)
def test_blocks_slack_sdk_refuses_are_invalid_blocks(
    fake: FakeSlack, client: WebClient, block: dict[str, Any]
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x", blocks=[block])
    assert api_error(excinfo)["error"] == "invalid_blocks"
    # …and the same payload on a response_url gets Slack's 400.
    sent = WebhookClient(fake.response_url()).send(text="x", blocks=[block])
    assert (sent.status_code, sent.body) == (400, "invalid_blocks")


def test_reject_posts_refuses_only_the_messages_that_say_it(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.reject_posts("POISON", error="msg_too_long")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="U1", text="deck", blocks=[section("the POISON one")])
    assert api_error(refused)["error"] == "msg_too_long"
    client.chat_postMessage(channel="U1", text="the deck")
    assert [m["text"] for m in fake.messages(fake.dm_channel("U1"))] == ["the deck"]


def test_chat_update_after_the_edit_window_is_refused(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="nudge")
    fake.edit_window = 3600.0
    assert client.chat_update(channel="C1", ts=posted["ts"], text="still in time")["ok"]
    old = fake.add_message("C1", "an old nudge", user=fake.bot_user_id, ts="1000000000.000100")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts=old["ts"], text="too late")
    assert api_error(excinfo)["error"] == "edit_window_closed"
