"""The dispatcher's batch queries on SQLite and PostgreSQL: claiming a batch with each
person's other due nudges, renewing, marking many DMs sent at once, loading many items."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.core.items import NewItem, NotLoaded
from bot.store.models import Nudge
from bot.store.outbox import Delivered, Want
from bot.store.repo import Repo

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=5)
SOON = NOW + timedelta(minutes=5)  # the coalescing window


def _item(repo: Repo, owner: str = "U1", team: str = "T1") -> int:
    new = NewItem(team, "promise", "send the deck", owner, owner, NOW + timedelta(hours=3))
    return repo.create_item(new, NOW).id


EARLY = ("before",)  # the kinds a batch may bring forward (the dispatcher passes its own)


def _queue(
    repo: Repo, item_id: int, user: str, key: str, at: datetime, kind: str = "before"
) -> None:
    assert repo.outbox.ensure("T1", Want(user, kind, key, at), NOW, item_id)


def _nudge(
    repo: Repo, item_id: int, user: str, key: str, at: datetime, kind: str = "before"
) -> int:
    """Queue one and return its ID (reads all the item's rows: not for seeding hundreds)."""
    _queue(repo, item_id, user, key, at, kind)
    [n] = [n for n in repo.outbox.for_item("T1", item_id) if n.key == key]
    return n.id


def test_a_batch_brings_nothing_forward_whose_kind_must_wait_for_its_time(repo: Repo) -> None:
    item = _item(repo)
    due = _nudge(repo, item, "U1", "due", NOW - timedelta(minutes=1))
    _nudge(repo, item, "U1", "missed-soon", NOW + timedelta(minutes=3), kind="missed")
    soon = _nudge(repo, item, "U1", "soon", NOW + timedelta(minutes=3))

    claimed = repo.outbox.claim_batch(NOW, SOON, LEASE, "a", early=EARLY)

    assert {n.id for n in claimed} == {due, soon}


def test_a_batch_brings_each_persons_nudges_due_soon_but_nobody_elses(repo: Repo) -> None:
    item = _item(repo)
    due = _nudge(repo, item, "U1", "due", NOW - timedelta(minutes=1))
    soon = _nudge(repo, item, "U1", "soon", NOW + timedelta(minutes=3))
    later = _nudge(repo, item, "U1", "later", NOW + timedelta(minutes=30))
    other = _nudge(repo, item, "U2", "soon-for-u2", NOW + timedelta(minutes=3))

    claimed = repo.outbox.claim_batch(NOW, SOON, LEASE, "a", early=EARLY)

    assert {n.id for n in claimed} == {due, soon}
    assert all(n.claim == "a" and n.attempts == 1 and n.next_at == LEASE for n in claimed)
    untouched = {n.id: n for n in repo.outbox.for_item("T1", item)}
    assert untouched[later].claim is None and untouched[other].claim is None
    assert repo.outbox.claim_batch(NOW, SOON, LEASE, "b", early=EARLY) == []


def test_a_batch_respects_its_limit_and_leaves_leased_rows_alone(repo: Repo) -> None:
    item = _item(repo)
    for k in range(30):
        _queue(repo, item, f"U{k}", f"k{k}", NOW - timedelta(minutes=1))
    first = repo.outbox.claim_batch(NOW, SOON, LEASE, "a", limit=10, early=EARLY)
    second = repo.outbox.claim_batch(NOW, SOON, LEASE, "b", limit=100, early=EARLY)
    assert len(first) == 10 and len(second) == 20
    assert not {n.id for n in first} & {n.id for n in second}
    # Once the lease has run out, the rows may be claimed again (attempts tell it apart).
    after = LEASE + timedelta(seconds=1)
    again = repo.outbox.claim_batch(
        after, after + timedelta(minutes=5), after + (LEASE - NOW), "c", early=EARLY
    )
    assert len(again) == 30 and all(n.attempts == 2 for n in again)


def test_concurrent_batches_never_claim_the_same_row(repo: Repo) -> None:
    item = _item(repo)
    for k in range(200):
        _queue(repo, item, f"U{k % 40}", f"k{k}", NOW - timedelta(seconds=k))
    with ThreadPoolExecutor(4) as pool:
        batches = list(
            pool.map(
                lambda token: repo.outbox.claim_batch(
                    NOW, SOON, LEASE, token, limit=15, early=EARLY
                ),
                [f"t{k}" for k in range(8)],
            )
        )
    while rest := repo.outbox.claim_batch(NOW, SOON, LEASE, "last", limit=15, early=EARLY):
        batches.append(rest)
    ids = [n.id for batch in batches for n in batch]
    assert len(ids) == len(set(ids)) == 200


def test_renewing_keeps_only_the_rows_still_held(repo: Repo) -> None:
    item = _item(repo)
    for k in range(600):  # more than one IN list's worth
        _queue(repo, item, "U1", f"k{k}", NOW - timedelta(minutes=1))
    claimed = repo.outbox.claim_batch(NOW, SOON, LEASE, "a", limit=1000, early=EARLY)
    assert len(claimed) == 600
    lost, done = claimed[0].id, claimed[1].id
    # One's lease ran out and another process took it over; one was cancelled meanwhile.
    with repo.sessions.begin() as s:
        s.execute(update(Nudge).where(Nudge.id == lost).values(claim="b"))
        s.execute(update(Nudge).where(Nudge.id == done).values(status="cancelled"))
    held = repo.outbox.renew([n.id for n in claimed], "a", LEASE + timedelta(minutes=5))
    assert held == {n.id for n in claimed} - {lost, done}
    assert repo.outbox.renew([], "a", LEASE) == set()


def test_marking_many_dms_sent_records_each_ones_message(repo: Repo) -> None:
    item = _item(repo)
    a1, a2 = (_nudge(repo, item, "U1", k, NOW - timedelta(minutes=1)) for k in ("a1", "a2"))
    b1 = _nudge(repo, item, "U2", "b1", NOW - timedelta(minutes=1))
    cancelled = _nudge(repo, item, "U2", "b2", NOW - timedelta(minutes=1))
    repo.outbox.claim_batch(NOW, SOON, LEASE, "tok", early=EARLY)
    repo.outbox.cancel_others("T1", "b2", keep="")  # cancelled while its DM was on its way

    marked = repo.outbox.mark_sent_many(
        "tok",
        [
            Delivered([a1, a2], "D1", "100.1", NOW + timedelta(seconds=1)),
            Delivered([b1, cancelled], "D2", "100.2", NOW + timedelta(seconds=2)),
        ],
    )

    assert marked == 3
    rows = {n.id: n for n in repo.outbox.for_item("T1", item)}
    assert [(rows[i].status, rows[i].channel_id, rows[i].message_ts) for i in (a1, a2, b1)] == [
        ("sent", "D1", "100.1"),
        ("sent", "D1", "100.1"),
        ("sent", "D2", "100.2"),
    ]
    assert rows[b1].sent_at == NOW + timedelta(seconds=2)
    assert rows[cancelled].status == "cancelled"
    # Another claimer's token marks nothing.
    assert repo.outbox.mark_sent_many("other", [Delivered([a1], "D9", "9.9", NOW)]) == 0
    assert repo.outbox.mark_sent_many("tok", []) == 0


def test_first_queued_gives_each_items_earliest_escalation(repo: Repo) -> None:
    one, two, three = _item(repo), _item(repo), _item(repo)
    _nudge(repo, one, "LEAD", "late", NOW + timedelta(hours=5), kind="escalate")
    _nudge(repo, one, "LEAD", "early", NOW + timedelta(hours=2), kind="escalate")
    _nudge(repo, one, "U1", "heads", NOW + timedelta(hours=1), kind="heads_up")
    gone = _nudge(repo, two, "LEAD", "gone", NOW + timedelta(hours=2), kind="escalate")
    repo.outbox.cancel_others("T1", "gone", keep="")
    assert gone

    found = repo.outbox.first_queued("T1", [one, two, three], "escalate")

    assert found == {one: NOW + timedelta(hours=2)}
    assert found[one].tzinfo is not None
    assert repo.outbox.first_queued("T2", [one], "escalate") == {}


def test_items_load_many_at_once_within_their_team(repo: Repo) -> None:
    mine = [_item(repo) for _ in range(3)]
    theirs = _item(repo, team="T2")

    found = repo.get_items("T1", [*mine, theirs, 999_999])

    assert sorted(found) == sorted(mine)
    assert all(found[i].what == "send the deck" and found[i].status == "open" for i in mine)
    assert found[mine[0]].due_at == NOW + timedelta(hours=3)
    with pytest.raises(NotLoaded):  # not loaded: asking must not silently say []
        _ = found[mine[0]].contributors
    assert repo.get_items("T1", []) == {}
