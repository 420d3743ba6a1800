"""views.*: Block Kit limits on modals, one view per trigger_id, hashes, Home tabs."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import FakeSlack
from tests.fakeslack_tests.helpers import api_error, section


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


def test_a_trigger_expires_three_seconds_after_the_click(
    fake: FakeSlack, client: WebClient
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    view["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]
    assert client.views_open(trigger_id=fake.trigger_id(age=2.5), view=view)["ok"]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=fake.trigger_id(age=3.5), view=view)
    assert api_error(excinfo)["error"] == "expired_trigger_id"


@pytest.mark.parametrize(
    ("view", "why"),
    [
        (
            {
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
                "submit": {"type": "plain_text", "text": "Go"},
            },
            "home view cannot have submit",
        ),
        ({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}, "blocks"),
    ],
)
def test_views_slack_sdk_refuses_are_refused(
    fake: FakeSlack, client: WebClient, view: dict[str, Any], why: str
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        if view["type"] == "home":
            client.views_publish(user_id="U1", view=view)
        else:
            client.views_open(trigger_id=fake.trigger_id(), view=view)
    assert api_error(excinfo)["error"] == "invalid_arguments"
    assert why in str(api_error(excinfo)["response_metadata"])
