"""The repository on SQLite and PostgreSQL: migrations, tenancy, conditional transitions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select, text

from bot.core.items import ItemKind, NewItem
from bot.store.db import migrate
from bot.store.models import ClientChannel, Item, ItemEvent, ItemMessage, Nudge, SeenEvent
from bot.store.outbox import Want
from bot.store.repo import Repo

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _new(team: str = "T1", owner: str = "U1", **kw) -> NewItem:  # type: ignore[no-untyped-def]
    return NewItem(
        team_id=team,
        kind="promise",
        what="send the deck",
        owner_id=owner,
        creator_id=kw.pop("creator", owner),
        due_at=NOW + timedelta(hours=3),
        **kw,
    )


def test_it_migrates_twice_without_harm(repo: Repo) -> None:
    migrate(repo.engine)
    tables = set(inspect(repo.engine).get_table_names())
    assert {"items", "contributors", "item_events", "seen_events", "alembic_version"} <= tables


def test_it_stores_times_as_aware_utc(repo: Repo) -> None:
    item = repo.create_item(_new(), NOW)
    again = repo.get_item("T1", item.id)
    assert again is not None
    assert again.due_at == NOW + timedelta(hours=3)
    assert again.due_at.tzinfo is not None and again.due_at.utcoffset() == timedelta(0)
    assert [c.user_id for c in again.contributors] == ["U1"]


def test_it_keeps_workspaces_apart(repo: Repo) -> None:
    item = repo.create_item(_new(team="T1"), NOW)
    assert repo.get_item("T2", item.id) is None
    assert repo.open_items("T2") == []
    assert repo.close_item("T2", item.id, "U1", NOW) is None
    assert repo.get_item("T1", item.id).status == "open"  # type: ignore[union-attr]


def test_it_closes_once_even_when_two_race(repo: Repo) -> None:
    item = repo.create_item(_new(), NOW)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda u: repo.close_item("T1", item.id, u, NOW), ["U1"] * 4))
    assert sum(r is not None for r in results) == 1
    with repo.engine.connect() as conn:
        events = conn.execute(
            text("SELECT kind FROM item_events WHERE item_id = :i"), {"i": item.id}
        )
        assert sorted(r[0] for r in events) == ["created", "done"]


def test_it_credits_helpers_once(repo: Repo) -> None:
    item = repo.create_item(_new(), NOW)
    closed = repo.close_item("T1", item.id, "U1", NOW, ["U2", "U1", "U3", "U2"])
    assert closed is not None
    assert [(c.user_id, c.role) for c in closed.contributors] == [
        ("U1", "owner"),
        ("U2", "helper"),
        ("U3", "helper"),
    ]


def test_it_counts_moves_before_and_after_the_deadline(repo: Repo) -> None:
    item = repo.create_item(_new(), NOW)
    moved = repo.move_item("T1", item.id, "U1", NOW + timedelta(days=1), NOW, "new figures")
    assert moved is not None and moved.moved_in_advance == 1 and moved.moved_late == 0
    later = NOW + timedelta(days=2)
    moved = repo.move_item("T1", item.id, "U1", later + timedelta(hours=1), later)
    assert moved is not None and moved.moved_late == 1
    assert moved.original_due_at == NOW + timedelta(hours=3)


def test_it_lists_open_items_for_owner_or_creator_soonest_first(repo: Repo) -> None:
    a = repo.create_item(_new(owner="U1"), NOW)
    b = repo.create_item(NewItem("T1", "promise", "b", "U2", "U1", NOW + timedelta(hours=1)), NOW)
    c = repo.create_item(_new(owner="U3"), NOW)
    repo.cancel_item("T1", a.id, "U1", NOW)
    assert [i.id for i in repo.open_items("T1", user_id="U1")] == [b.id]
    assert [i.id for i in repo.open_items("T1")] == [b.id, c.id]
    assert repo.count_open("T1") == 2


def test_it_records_each_event_id_once(repo: Repo) -> None:
    assert repo.mark_event_seen("T1", "Ev1", NOW) is True
    assert repo.mark_event_seen("T1", "Ev1", NOW) is False
    assert repo.mark_event_seen("T2", "Ev1", NOW) is True


def test_claiming_respects_its_limit_on_a_fresh_table(repo: Repo) -> None:
    """PostgreSQL without statistics once re-ran the LIMIT subquery per row and took all."""
    from bot.store.outbox import Want

    item = repo.create_item(_new(), NOW)
    for i in range(50):
        repo.outbox.ensure(
            "T1", Want("U1", "before", f"k{i}", NOW - timedelta(minutes=1)), NOW, item.id
        )
    first = repo.outbox.claim_due(NOW, NOW + timedelta(minutes=5), "a", limit=20)
    second = repo.outbox.claim_due(NOW, NOW + timedelta(minutes=5), "b", limit=100)
    assert len(first) == 20 and len(second) == 30
    assert not {n.id for n in first} & {n.id for n in second}
    assert repo.outbox.claim_due(NOW, NOW + timedelta(minutes=5), "c") == []


def _client_message(ts: str, thread: str | None = None, text: str = "hello?", **kw):  # type: ignore[no-untyped-def]
    at = datetime.fromtimestamp(float(ts), UTC)
    return NewItem(
        team_id="T1",
        kind="reply",
        what=text,
        client="Acme",
        owner_id="U1",
        creator_id=kw.get("client", "UC"),
        channel_id="C1",
        due_at=at + timedelta(hours=4),
        created_at=at,
        message_ts=ts,
        thread_ts=thread,
        client_user_id=kw.get("client", "UC"),
    )


def test_a_client_message_is_recorded_with_its_nudges_in_one_go(repo: Repo) -> None:
    """Seen event, duplicate check, fold check, item, its nudges, the channel's last client
    message: one transaction, and retries (same event ID, or same ts) change nothing."""
    repo.channels.watch("T1", "C1", "Acme", "U1", [], NOW)

    def plan(item):  # type: ignore[no-untyped-def]
        return [Want("U1", "before", f"{item.id}:before", item.due_at - timedelta(hours=1))]

    def wrote(item, event_id, thread=None):  # type: ignore[no-untyped-def]
        return repo.channels.client_wrote(
            item,
            thread_ts=thread,
            event_id=event_id,
            window=timedelta(minutes=5),
            plan=plan,
            now=NOW,
        )

    ts = f"{int(NOW.timestamp())}.000100"
    done = wrote(_client_message(ts, thread="1.000000"), "Ev1", thread="1.000000")
    assert done.outcome == "recorded" and done.item is not None and done.waiting == ()
    assert wrote(_client_message(ts), "Ev1").outcome == "duplicate"  # Slack's retry
    assert wrote(_client_message(ts), "Ev2").outcome == "duplicate"  # same message, new ID
    with repo.sessions() as s:
        [item] = s.scalars(select(Item)).all()
        assert item.id == done.item.id and [c.user_id for c in item.contributors] == ["U1"]
        assert [(e.kind, e.actor_id) for e in s.scalars(select(ItemEvent))] == [("created", "UC")]
        [nudge] = s.scalars(select(Nudge)).all()
        assert (nudge.key, nudge.status, nudge.item_id) == (f"{item.id}:before", "queued", item.id)
        assert nudge.due_at == item.due_at - timedelta(hours=1)
        assert s.scalar(select(func.count()).select_from(SeenEvent)) == 2
        channel = s.scalar(select(ClientChannel))
        assert channel is not None and channel.last_client_at == item.created_at


def test_client_messages_fold_and_find_what_waits_on_the_client(repo: Repo) -> None:
    repo.channels.watch("T1", "C1", "Acme", "U1", [], NOW)
    base = int(NOW.timestamp())

    def wrote(ts, thread=None, text="hi", client="UC"):  # type: ignore[no-untyped-def]
        return repo.channels.client_wrote(
            _client_message(ts, thread, text, client=client),
            thread_ts=thread,
            event_id=None,
            window=timedelta(minutes=5),
            plan=lambda item: [],
            now=NOW,
        )

    first = wrote(f"{base}.000001", text="one")
    assert first.outcome == "recorded" and first.item is not None
    assert wrote(f"{base + 60}.000000", text="two").outcome == "folded"  # moments later
    assert wrote(f"{base + 61}.000000", client="UX").outcome == "recorded"  # another client
    assert wrote(f"{base + 900}.000000", text="later").outcome == "recorded"  # a while later
    # a reply in the first message's thread continues it, even an hour later
    parent = f"{base}.000001"
    assert wrote(f"{base + 3600}.000000", thread=parent, text="three").outcome == "folded"
    assert repo.get_item("T1", first.item.id).what == "one\ntwo\nthree"  # type: ignore[union-attr]

    repo.wait_item("T1", first.item.id, "U1", None, NOW)
    in_thread = wrote(f"{base + 4000}.000000", thread=parent)
    elsewhere = wrote(f"{base + 5000}.000000")
    other_thread = wrote(f"{base + 6000}.000000", thread=f"{base + 5999}.000000")
    assert in_thread.waiting == elsewhere.waiting == (first.item.id,)
    assert other_thread.waiting == ()
    # an event arriving late does not move the channel's last client message back
    wrote(f"{base + 30}.000000", client="UY")
    with repo.sessions() as s:
        channel = s.scalar(select(ClientChannel))
        assert channel is not None and channel.last_client_at == datetime.fromtimestamp(
            base + 6000, UTC
        )


def test_old_event_ids_are_forgotten_and_recent_ones_kept(repo: Repo) -> None:
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert repo.mark_event_seen("T1", "Ev-old", now - timedelta(days=4))
    assert repo.mark_event_seen("T1", "Ev-new", now - timedelta(hours=1))
    assert repo.forget_events(now - timedelta(days=3)) == 1
    assert repo.mark_event_seen("T1", "Ev-old", now)  # forgotten: would be taken again
    assert not repo.mark_event_seen("T1", "Ev-new", now)  # still known: a retry


def test_every_message_folded_into_an_item_is_kept_and_answers_for_it(repo: Repo) -> None:
    """The item's messages, written with the item and each fold: a reply in a folded
    message's thread closes it; an edit changes that message's part; a delete drops it."""
    repo.channels.watch("T1", "C1", "Acme", "U1", [], NOW)
    base = int(NOW.timestamp())
    a, b, c = f"{base}.000001", f"{base + 60}.000000", f"{base + 90}.000000"

    def wrote(ts, text):  # type: ignore[no-untyped-def]
        return repo.channels.client_wrote(
            _client_message(ts, None, text),
            thread_ts=None,
            event_id=None,
            window=timedelta(minutes=5),
            plan=lambda item: [],
            now=NOW,
        )

    first = wrote(a, "one")
    assert first.item is not None
    assert wrote(b, "two").outcome == wrote(c, "three").outcome == "folded"
    item_id = first.item.id
    with repo.sessions() as s:
        rows = s.execute(
            select(ItemMessage.ts, ItemMessage.text, ItemMessage.position)
            .where(ItemMessage.item_id == item_id)
            .order_by(ItemMessage.position)
        ).all()
    assert [tuple(r) for r in rows] == [(a, "one", 0), (b, "two", 1), (c, "three", 2)]
    assert repo.channels.by_message("T1", "C1", b).id == item_id  # type: ignore[union-attr]

    assert repo.channels.edit_message("T1", "C1", a, "ONE") == "U1"
    assert repo.get_item("T1", item_id).what == "ONE\ntwo\nthree"  # type: ignore[union-attr]
    assert repo.channels.drop_message("T1", "C1", b) == "U1"
    assert repo.channels.drop_message("T1", "C1", a) is None  # the first is not dropped
    assert repo.get_item("T1", item_id).what == "ONE\nthree"  # type: ignore[union-attr]
    assert repo.channels.by_message("T1", "C1", b) is None

    assert repo.channels.replied("T1", "C1", f"{base + 500}.0", f"{base + 501}.0", "U2", NOW) == []
    [closed] = repo.channels.replied("T1", "C1", c, f"{base + 120}.0", "U2", NOW)
    assert (closed.id, closed.status, closed.first_reply_at) == (item_id, "done", NOW)


def test_no_reply_needed_closes_once_and_stats_hand_it_out_apart(repo: Repo) -> None:
    def message(team: str = "T1") -> NewItem:
        return replace(_new(team=team, channel_id="C1"), kind=ItemKind.REPLY)

    reply = repo.create_item(message(), NOW)
    answered = repo.create_item(message(), NOW)
    elsewhere = repo.create_item(message("T2"), NOW)
    later = NOW + timedelta(hours=1)
    assert repo.close_no_reply("T2", reply.id, "U1", later) is None  # another workspace's
    closed = repo.close_no_reply("T1", reply.id, "U1", later)
    assert closed is not None and (closed.status, closed.closed_by) == ("no_reply", "U1")
    assert repo.close_no_reply("T1", reply.id, "U1", later) is None  # closed already
    assert repo.close_item("T1", reply.id, "U1", later) is None
    repo.close_item("T1", answered.id, "U2", later)
    repo.close_no_reply("T2", elsewhere.id, "U1", later)

    facts = repo.stats.facts("T1", NOW, NOW + timedelta(days=1), later)
    assert [c.id for c in facts.closed] == [answered.id]
    assert [(c.id, c.kind, c.owner_id) for c in facts.no_reply] == [(reply.id, "reply", "U1")]
    assert repo.stats.facts("T1", NOW, NOW + timedelta(days=1), later, "C9").no_reply == []
    with repo.sessions() as s:
        kinds = s.scalars(select(ItemEvent.kind).where(ItemEvent.item_id == reply.id))
        assert sorted(kinds) == ["created", "no_reply"]
