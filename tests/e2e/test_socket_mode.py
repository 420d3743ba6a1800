"""Socket Mode: the same app, reached over Slack's websocket envelope protocol."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.slack.health import GRACE
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


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a change happening in another thread (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_healthz_fails_once_socket_mode_is_down_past_its_grace(bot: Bot) -> None:
    fake = bot.fake
    # Checked every half second (Bolt's default is 10 s), so the test notices the drop soon.
    handler = SocketModeHandler(
        bot.runtime.app, fake.app_token, web_client=bot.runtime.client, ping_interval=0.5
    )
    handler.connect()
    seconds = [1000.0]
    health = bot.runtime.health
    health.monotonic = lambda: seconds[0]
    health.watch_socket(handler.client.is_connected)
    try:
        fake.socket.wait_connected()
        assert bot.request("GET", "/healthz").status == 200
        fake.socket.stop()  # Slack unreachable: the connection drops, reconnecting fails
        _until(lambda: not handler.client.is_connected())
        assert bot.request("GET", "/healthz").status == 200  # a short gap is normal
        seconds[0] += GRACE - 1
        assert bot.request("GET", "/healthz").status == 200
        seconds[0] += 2
        down = bot.request("GET", "/healthz")
        assert (down.status, down.body) == (503, f"Socket Mode disconnected for {GRACE + 1:.0f}s")
        fake.socket.start()  # Slack is back: slack-sdk reconnects by itself
        _until(handler.client.is_connected, timeout=30)
        assert bot.request("GET", "/healthz").status == 200
    finally:
        handler.close()
