"""Message events in the shapes Slack really sends, beyond a plain message.

A file shared with no words, a reply also sent to the channel, a `/me` message, a Slack
Connect envelope, and a colleague from a sibling workspace of an Enterprise organisation.
"""

from __future__ import annotations

import json
from typing import Any

from tests.e2e import test_client_messages
from tests.e2e.conftest import START
from tests.e2e.harness import Bot
from tests.e2e.test_client_messages import CLIENT, client_says, settle, teammate_says, ts_at
from tests.fakeslack import signed_headers

watched = test_client_messages.watched  # the fixture: C0CLIENT watched as "Acme"


def _deliver(bot: Bot, event: dict[str, Any], **envelope: Any) -> None:
    body = bot.fake.event_callback({"channel": "C0CLIENT", "channel_type": "channel", **event})
    body.update(envelope)
    raw = json.dumps(body)
    headers = signed_headers("e2e-signing-secret", raw)
    headers["Content-Type"] = "application/json"
    assert bot.request("POST", "/slack/events", raw, headers).status == 200


def test_a_file_shared_without_words_is_owed_and_named(watched: Bot) -> None:
    ts = ts_at(START)
    event = {
        "type": "message",
        "subtype": "file_share",
        "user": CLIENT,
        "user_team": "T0ACME",
        "text": "",
        "ts": ts,
        "files": [{"id": "F1", "name": "brief.pdf", "title": "Q1 brief.pdf"}],
    }
    _deliver(watched, event)
    [item] = settle(watched)
    assert (item.status, item.what) == ("open", "Shared a file: Q1 brief.pdf")


def test_a_teammates_reply_also_sent_to_the_channel_answers(watched: Bot) -> None:
    ts = ts_at(START)
    client_says(watched, "Can you send the revised quote?", ts)
    assert len(settle(watched, status="open")) == 1
    teammate_says(
        watched, "Sending it now", ts_at(START, 5), subtype="thread_broadcast", thread_ts=ts
    )
    [item] = settle(watched)
    assert item.status == "done"


def test_a_clients_me_message_is_a_message(watched: Bot) -> None:
    _deliver(
        watched,
        {
            "type": "message",
            "subtype": "me_message",
            "user": CLIENT,
            "user_team": "T0ACME",
            "text": "is still waiting for the invoice",
            "ts": ts_at(START),
        },
    )
    [item] = settle(watched)
    assert item.what == "is still waiting for the invoice"


def test_a_slack_connect_envelope_in_an_enterprise_is_a_client(watched: Bot) -> None:
    event = {
        "type": "message",
        "user": CLIENT,
        "user_team": "T0ACME",
        "text": "Could we move the call to Friday",
        "ts": ts_at(START),
    }
    _deliver(watched, event, enterprise_id="E0AGENCY", is_ext_shared_channel=True)
    [item] = settle(watched)
    assert item.status == "open"


def test_a_colleague_from_a_sibling_workspace_is_not_a_client(watched: Bot) -> None:
    watched.fake.add_user("U0SIBLING", "sib", team_id="T0SISTER")
    ts = ts_at(START)
    client_says(watched, "Can you send the revised quote?", ts)
    assert len(settle(watched, status="open")) == 1
    # Same organisation, another workspace, a channel shared with no one outside.
    event = {
        "type": "message",
        "user": "U0SIBLING",
        "user_team": "T0SISTER",
        "text": "Could you check the numbers first",
        "ts": ts_at(START, 3),
    }
    _deliver(watched, event, enterprise_id="E0AGENCY", is_ext_shared_channel=False)
    assert len(settle(watched)) == 1  # not a new reply owed
    # …and their answer in the thread counts as the team's.
    reply = {**event, "text": "Quote sent", "ts": ts_at(START, 6), "thread_ts": ts}
    _deliver(watched, reply, enterprise_id="E0AGENCY", is_ext_shared_channel=False)
    [item] = settle(watched)
    assert item.status == "done"
