"""The record: waiting for calls, explaining a timeout, and reset."""

from __future__ import annotations

import threading

import pytest
from slack_sdk import WebClient

from tests.fakeslack import FakeSlack


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


def test_reset_forgets_the_record_but_keeps_the_directory(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="C1", text="x")
    fake.reset()
    assert fake.calls == []
    assert fake.messages("C1") == []
    assert client.users_info(user="U1")["user"]["id"] == "U1"
