"""Socket Mode: single-use connection URLs and a full round trip with Bolt."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from tests.fakeslack import FakeSlack


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
