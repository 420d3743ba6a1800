"""The client-message rules of bot.core.clients, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clients import Fold, Message, OpenItem, answers, fold, slack_ts
from bot.core.items import ItemView, NewItem

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def _open(
    item_id: int,
    ts: str | None,
    *,
    at: datetime = T0,
    thread: str | None = None,
    client: str | None = "UC",
    kind: str = "reply",
    waiting: bool = False,
) -> OpenItem:
    return OpenItem(item_id, "U1", kind, ts, thread, client, at, T0 if waiting else None)


def _fold(
    items: list[OpenItem], ts: str, at: datetime, thread: str | None = None, client: str = "UC"
) -> Fold:
    return fold(items, ts=ts, thread_ts=thread, client_user_id=client, at=at, window=WINDOW)


def test_the_same_clients_message_moments_later_continues_the_latest() -> None:
    a = _open(1, "100.000001", at=T0)
    b = _open(2, "160.000000", at=T0 + timedelta(minutes=1))
    decided = _fold([a, b], "200.000000", T0 + timedelta(minutes=3))
    assert decided.into == b and not decided.duplicate and decided.waiting == ()


def test_outside_the_window_another_client_or_a_thread_it_is_new() -> None:
    at = T0 + timedelta(minutes=6)
    assert _fold([_open(1, "100.0")], "500.0", at).into is None
    assert _fold([_open(1, "100.0")], "200.0", T0 + timedelta(minutes=1), client="UX").into is None
    in_thread = _open(1, "100.0", thread="50.0")
    assert _fold([in_thread], "200.0", T0 + timedelta(minutes=1)).into is None
    assert _fold([_open(1, None)], "200.0", T0 + timedelta(minutes=1)).into is None
    assert _fold([_open(1, "100.0", kind="promise")], "200.0", T0).into is None


def test_in_a_thread_it_continues_the_threads_item_however_late() -> None:
    parent = _open(1, "100.0")
    other = _open(2, "300.0", thread="250.0", waiting=True)
    decided = _fold([parent, other], "9000.0", T0 + timedelta(hours=3), thread="100.0")
    assert decided.into == parent and decided.waiting == ()


def test_it_ends_the_waits_here_and_a_copy_does_nothing() -> None:
    waiting = _open(1, "100.0", thread="90.0", waiting=True)
    decided = _fold([waiting], "500.0", T0 + timedelta(hours=1))
    assert decided.into is None and decided.waiting == (1,)
    assert _fold([_open(1, "500.0")], "500.0", T0).duplicate


def _reply(ts: str, thread: str | None = None) -> ItemView:
    new = NewItem.client_message(
        team_id="T1",
        channel_id="C1",
        ts=ts,
        thread_ts=thread,
        client_user_id="UC",
        what="hello?",
        client="Acme",
        owner_id="U1",
        creator_id="UC",
        due_at=T0 + timedelta(hours=4),
        created_at=T0,
    )
    return new.opened(1, T0)


def test_a_team_message_answers_earlier_client_messages_in_its_place() -> None:
    loose, threaded = _reply("100.000100"), _reply("200.0", thread="150.0")
    assert answers(loose, "C1", None, "100.000101")
    assert not answers(loose, "C1", None, "100.000099")
    assert not answers(loose, "C2", None, "300.0")
    assert not answers(threaded, "C1", None, "300.0")
    assert answers(threaded, "C1", "150.0", "300.0")
    assert answers(loose, "C1", "100.000100", "300.0")  # its own thread


def test_a_reply_to_any_message_folded_into_an_item_answers_it() -> None:
    item = _reply("100.0")
    messages = [Message("100.0", None), Message("160.0", None), Message("900.0", "100.0")]
    assert answers(item, "C1", "160.0", "170.0", messages)  # in the folded message's thread
    assert answers(item, "C1", "100.0", "950.0", messages)  # in the first's thread
    assert answers(item, "C1", None, "120.0", messages)  # in the channel, after the first
    assert not answers(item, "C1", "160.0", "170.0")  # the first alone: not its thread
    assert not answers(item, "C1", "300.0", "400.0", messages)  # another thread
    assert not answers(item, "C1", "160.0", "150.0", messages)  # before it: out of order


def test_a_thread_parent_is_not_in_a_thread_and_ts_sort_in_time() -> None:
    assert _reply("100.0", thread="100.0").thread_ts is None
    assert slack_ts("100.000100") > slack_ts("100.000099") > slack_ts("99.999999")
