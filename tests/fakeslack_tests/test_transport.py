"""Transport: token checks, routing by method, body parsing and the response_url endpoint."""

from __future__ import annotations

import re

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.fakeslack import FakeSlack
from tests.fakeslack_tests.helpers import api_error, section


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


def test_response_url_records_payloads(fake: FakeSlack) -> None:
    url = fake.response_url()
    assert re.fullmatch(re.escape(fake.base_url) + r"/commands/T0001/\d+/[0-9a-f]{24}", url)
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
    assert WebhookClient(fake.base_url + "/commands/T0001/1/nope").send(text="x").status_code == 404
    assert len(fake.wait_for_response(url, count=7)) == 7
