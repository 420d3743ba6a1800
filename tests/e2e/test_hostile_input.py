"""Garbage is cheap: the signature is checked before anything is parsed, so unsigned or
malformed requests get a small 401/400 (never a 5xx, never a traceback) and the log gets at
most one line a minute; a signed request replayed inside Slack's window is handled once."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.harness import Bot
from tests.fakeslack import signed_headers

GARBAGE = [
    ("application/json", "[1]"),
    ("application/json", '{"type": "event_callback", "event": {'),
    ("application/x-www-form-urlencoded", "payload=%7B%22type%22%3A&&=&%zz"),
    ("application/x-www-form-urlencoded", ""),
]


@pytest.mark.parametrize(("content_type", "body"), GARBAGE)
def test_unsigned_garbage_gets_a_small_401(bot: Bot, content_type: str, body: str) -> None:
    answer = bot.request("POST", "/slack/events", body, {"Content-Type": content_type})
    assert answer.status == 401 and len(answer.body) < 40


def test_a_non_numeric_timestamp_is_refused_not_a_500(bot: Bot) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": "soon",
        "X-Slack-Signature": "v0=abc",
    }
    assert bot.request("POST", "/slack/events", "[1]", headers).status == 401


@pytest.mark.parametrize(("content_type", "body"), GARBAGE[:3])
def test_signed_garbage_gets_a_400(bot: Bot, content_type: str, body: str) -> None:
    answer = bot.post_signed(body, content_type)
    assert answer.status == 400 and answer.body == "malformed request"


def test_200_garbage_requests_write_at_most_one_log_line(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for k in range(200):
            content_type, body = GARBAGE[k % len(GARBAGE)]
            assert (
                bot.request("POST", "/slack/events", body, {"Content-Type": content_type}).status
                < 500
            )
    lines = [r for r in caplog.records if r.name.startswith("bot")]
    assert len(lines) <= 1, [r.getMessage() for r in lines]
    assert "Traceback" not in caplog.text


def test_a_replayed_slash_command_is_processed_once(bot: Bot) -> None:
    body, _ = bot.command_body("send the deck by 4pm")
    headers = signed_headers("e2e-signing-secret", body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    answers = [bot.request("POST", "/slack/events", body, headers) for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 200]
    assert bot.runtime.after_ack.drain(timeout=10)
    assert [i.what for i in bot.items()] == ["send the deck"]
