"""conversations.*: info, join, DMs, history pages and thread replies."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import FakeSlack
from tests.fakeslack_tests.helpers import api_error


def test_conversations_info_and_join(fake: FakeSlack, client: WebClient) -> None:
    info = client.conversations_info(channel="C1")["channel"]
    assert info["id"] == "C1"
    assert info["name"] == "client-acme"
    assert info["is_member"] is True
    assert info["is_private"] is False

    with pytest.raises(SlackApiError) as hidden:
        client.conversations_info(channel="G1")
    assert api_error(hidden)["error"] == "channel_not_found"

    joined = client.conversations_join(channel="C2")
    assert joined["channel"]["is_member"] is True
    assert "warning" not in joined.data
    again = client.conversations_join(channel="C2")
    assert again["response_metadata"] == {"warnings": ["already_in_channel"]}

    with pytest.raises(SlackApiError) as private:
        client.conversations_join(channel="G1")
    assert api_error(private)["error"] == "method_not_supported_for_channel_type"


def test_conversations_open_gives_a_stable_dm(fake: FakeSlack, client: WebClient) -> None:
    first = client.conversations_open(users="U1")
    assert first.data == {"ok": True, "channel": {"id": fake.dm_channel("U1")}}
    again = client.conversations_open(users="U1", return_im=True)
    assert again["channel"]["id"] == fake.dm_channel("U1")
    assert again["channel"]["is_im"] is True
    assert again["already_open"] is True

    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_open(users="U404")
    assert api_error(excinfo)["error"] == "user_not_found"


def test_history_newest_first_with_metadata_only_on_request(
    fake: FakeSlack, client: WebClient
) -> None:
    stamps = []
    for n in range(3):
        posted = client.chat_postMessage(
            channel="C1",
            text=f"promise {n}",
            metadata={"event_type": "promise_made", "event_payload": {"n": n}},
        )
        stamps.append(posted["ts"])

    plain = client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["promise 2", "promise 1", "promise 0"]
    assert all("metadata" not in m for m in plain["messages"])

    full = client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][0]["metadata"] == {
        "event_type": "promise_made",
        "event_payload": {"n": 2},
    }

    page1 = client.conversations_history(channel="C1", limit=2)
    assert page1["has_more"] is True
    page2 = client.conversations_history(
        channel="C1", limit=2, cursor=page1["response_metadata"]["next_cursor"]
    )
    assert [m["ts"] for m in page1["messages"] + page2["messages"]] == stamps[::-1]
    assert page2["has_more"] is False

    window = client.conversations_history(channel="C1", oldest=stamps[0], latest=stamps[2])
    assert [m["ts"] for m in window["messages"]] == [stamps[1]]

    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x", metadata={"event_type": "x"})
    assert api_error(excinfo)["error"] == "invalid_metadata_format"


def test_threads_replies_and_permalinks(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("UEXT", "Carol Client")
    parent = fake.add_message("C1", "Can we get the file by 4pm?", user="UEXT")
    reply = client.chat_postMessage(channel="C1", text="On it", thread_ts=parent["ts"])

    history = client.conversations_history(channel="C1")["messages"]
    assert [m["ts"] for m in history] == [parent["ts"]]
    assert history[0]["reply_count"] == 1

    thread = client.conversations_replies(channel="C1", ts=parent["ts"])["messages"]
    assert [m["text"] for m in thread] == ["Can we get the file by 4pm?", "On it"]

    link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]
    assert link == (
        f"https://acme.slack.com/archives/C1/p{reply['ts'].replace('.', '')}"
        f"?thread_ts={parent['ts']}&cid=C1"
    )
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_replies(channel="C1", ts="1.000000")
    assert api_error(excinfo)["error"] == "thread_not_found"
