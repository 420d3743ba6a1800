"""Socket Mode: the same app, reached over Slack's websocket envelope protocol."""

from __future__ import annotations

from datetime import datetime

from slack_bolt.adapter.socket_mode import SocketModeHandler

from tests.e2e.conftest import NY
from tests.e2e.harness import Bot, text_of


def test_a_slash_command_over_socket_mode_is_acked_and_answered(bot: Bot) -> None:
    fake = bot.fake
    handler = SocketModeHandler(bot.runtime.app, fake.app_token, web_client=bot.runtime.client)
    handler.connect()
    try:
        fake.socket.wait_connected()
        payload = fake.slash_command(
            "/promise", "send the deck by 4pm", user_id="U0OWNER", channel_id="C0CLIENT"
        )
        ack = fake.socket.send("slash_commands", payload, accepts_response_payload=True)
        assert "envelope_id" in ack
        [answer] = fake.wait_for_response(payload["response_url"])
        [item] = bot.items()
        assert item.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=NY)
        assert f"#{item.id}" in text_of(answer.payload)
        assert fake.calls_to("apps.connections.open")[0].token == fake.app_token
    finally:
        handler.close()
