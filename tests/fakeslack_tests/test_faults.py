"""Failure injection: 429 with Retry-After, 5xx, ok:false errors and slow answers."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from tests.fakeslack import FakeSlack
from tests.fakeslack_tests.helpers import api_error


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


def test_answer_in_makes_every_call_take_as_long_as_on_slack(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.answer_in(0.3)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="slow")["ok"] is True
    assert client.users_info(user="U1")["ok"] is True
    assert time.monotonic() - started >= 0.6  # each call waited, and still took effect
    assert [m["text"] for m in fake.messages("C1")] == ["slow"]
    fake.answer_in(0)
    started = time.monotonic()
    client.users_info(user="U1")
    assert time.monotonic() - started < 0.3
