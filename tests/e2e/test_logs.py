"""What operators read: at DEBUG the logs say everything, minus the secrets, word for word.

The app runs with the very handler `promise-bot run` installs (bot.cli.setup_logging), at
DEBUG, so slack-sdk logs every request it sends, body included.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.cli import redact, setup_logging
from tests.e2e.harness import Bot


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    out = io.StringIO()
    setup_logging("DEBUG", stream=out)
    yield out
    root.handlers[:], root.level = saved
    logging.getLogger("apscheduler").setLevel(logging.NOTSET)


def test_debug_logs_keep_lines_whole_and_secrets_out(bot: Bot, debug_log: io.StringIO) -> None:
    text = "call maria@acme.example about https://acme.example:8443/spec by fri 3pm"
    body, url = bot.command_body(text)
    assert bot.post_signed(body, "application/x-www-form-urlencoded").status == 200
    bot.fake.wait_for_response(url)
    log = debug_log.getvalue()
    secret = url.rsplit("/", 1)[1]
    assert "/commands/T0001/" in log  # the response_url was logged, redacted
    assert secret not in log  # the response_url's credential, in any line
    assert bot.fake.bot_token not in log
    # A line with a URL and a later "@" is not cut as if it held a password.
    assert "maria@acme.example" in log or "maria%40acme.example" in log


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "url: https://hooks.slack.com/commands/T0001/1234567890/AbCdEf0123, body: {}",
            "url: https://hooks.slack.com/commands/T0001/1234567890/***, body: {}",
        ),
        (
            "response_url=https%3A%2F%2Fhooks.slack.com%2Factions%2FT0001%2F42%2Fsecret&x=1",
            "response_url=https%3A%2F%2Fhooks.slack.com%2Factions%2FT0001%2F42%2F***&x=1",
        ),
        (
            "postgresql://bot:hunter2@db:5432/promise",
            "postgresql://bot:***@db:5432/promise",
        ),
        (
            "url: http://127.0.0.1:8080/api/chat.postMessage, body: {'text': 'mail a@b.example'}",
            "url: http://127.0.0.1:8080/api/chat.postMessage, body: {'text': 'mail a@b.example'}",
        ),
        ("token xoxb-123-456-abc used", "token xoxb-*** used"),
    ],
)
def test_redaction_hides_credentials_and_nothing_else(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_a_traceback_is_redacted_too() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("INFO", stream=out)
        try:
            raise RuntimeError("Slack refused xoxb-1-2-secret")
        except RuntimeError:
            logging.getLogger("bot.test").exception("sending failed")
    finally:
        root.handlers[:], root.level = saved
    assert "sending failed" in out.getvalue() and "RuntimeError" in out.getvalue()
    assert "secret" not in out.getvalue()
