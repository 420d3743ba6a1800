"""Thanks are not questions: in a watched channel, a client's acknowledgement is seen, not
owed (no item, no nudges, the client is not quiet), while a real request — even one that
starts with thanks — is owed as before. Over signed HTTP against the fake Slack."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from tests.e2e import test_client_messages
from tests.e2e.conftest import START
from tests.e2e.harness import Bot
from tests.e2e.test_client_messages import client_says, settle, ts_at
from tests.e2e.test_nudges import nudges

watched = test_client_messages.watched  # the fixture: a watched client channel


@pytest.mark.parametrize(
    "text",
    ["Got it, thanks", "Thanks Maria!", "👍", ":+1:", "ok", "Perfect, thank you :pray:", "noted"],
)
def test_an_acknowledgement_is_seen_not_owed(watched: Bot, text: str) -> None:
    said = START + timedelta(hours=1)
    client_says(watched, text, ts_at(said))
    assert settle(watched) == []  # no reply owed
    assert [n for n in nudges(watched) if n.item_id is not None] == []
    # The client is not quiet: the quiet nudge now counts from this message.
    quiet = [n.key for n in nudges(watched) if n.kind == "quiet" and n.status == "queued"]
    assert quiet == [f"quiet:C0CLIENT:{said.astimezone(UTC):%Y-%m-%dT%H:%M}:00+00:00"]


@pytest.mark.parametrize(
    "text",
    [
        "Thanks! Can you also send the invoice?",
        "thanks, but the file is still broken",
        "any update?",
        "ok but when?",
        "Got it - can you resend as PDF",
    ],
)
def test_a_request_that_starts_with_thanks_is_still_owed(watched: Bot, text: str) -> None:
    client_says(watched, text, ts_at(START))
    [item] = settle(watched)
    assert (item.status, item.what) == ("open", text)
    assert any(n.item_id == item.id for n in nudges(watched))


def test_a_thanks_does_not_grow_the_open_request_before_it(watched: Bot) -> None:
    client_says(watched, "Can you send the deck?", ts_at(START))
    client_says(watched, "Thanks!", ts_at(START + timedelta(minutes=1)))
    [item] = settle(watched)
    assert (item.status, item.what) == ("open", "Can you send the deck?")


def test_a_thanks_delivered_twice_is_handled_once(watched: Bot) -> None:
    ts = ts_at(START)
    first = client_says(watched, "Thanks a lot!", ts)
    client_says(watched, "Thanks a lot!", ts)  # a redelivery under a new event ID
    assert first
    assert settle(watched) == []
