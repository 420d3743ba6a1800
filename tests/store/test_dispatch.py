"""The dispatcher's pipeline with a recording messenger, on SQLite and PostgreSQL: DMs are
posted one after another by a sender thread while the next ones are built; a DM that waited
renews its lease and never goes out on rows another process took over; a crash in the
sender settles only that person's nudges."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

import bot.usecases.dispatch
from bot.clock import FrozenClock
from bot.core.items import NewItem
from bot.core.plan import Kind
from bot.store.models import Nudge
from bot.store.outbox import Want
from bot.store.repo import Repo
from bot.usecases.dispatch import Dispatcher
from bot.usecases.nudge_kinds import ItemNudge, Kinds
from bot.usecases.ports import CatchUp, EndOfDay, NotifyError, NudgeView

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@dataclass
class _Calendar:
    tz: ZoneInfo


class _Workplace:
    """What the dispatcher asks the workplace for: each recipient's time zone."""

    def calendar_for(self, team_id: str, user_id: str) -> _Calendar:
        return _Calendar(ZoneInfo("UTC"))


class Recorder:
    """A Messenger that records each DM (who, which nudges, from which thread)."""

    def __init__(self, during: Callable[[str], None] = lambda user: None) -> None:
        self.sent: list[tuple[str, list[int]]] = []
        self.threads: set[str] = set()
        self.during = during

    def send_nudges(
        self,
        team_id: str,
        user_id: str,
        views: list[NudgeView],
        eod: EndOfDay | None,
        tz: str,
        catch_up: CatchUp | None = None,
    ) -> tuple[str, str]:
        self.threads.add(threading.current_thread().name)
        self.during(user_id)
        self.sent.append((user_id, [v.nudge_id for v in views]))
        return f"D{user_id}", f"{len(self.sent)}.000100"

    def find_sent(self, team_id: str, user_id: str, nudge_id: int, oldest: datetime) -> Any:
        return None


def seed(repo: Repo, users: list[str], per_user: int = 1) -> dict[str, list[int]]:
    """`before` nudges due a minute ago for open items due in two hours, by recipient."""
    out: dict[str, list[int]] = {}
    for user in users:
        for k in range(per_user):
            item = repo.create_item(
                NewItem("T1", "promise", f"deck {k}", user, user, NOW + timedelta(hours=2)), NOW
            )
            want = Want(user, "before", f"{item.id}:before", NOW - timedelta(minutes=1))
            assert repo.outbox.ensure("T1", want, NOW, item.id)
            out.setdefault(user, []).extend(n.id for n in repo.outbox.for_item("T1", item.id))
    return out


def rows(repo: Repo) -> dict[int, Nudge]:
    with repo.sessions() as s:
        return {n.id: n for n in s.scalars(select(Nudge))}


def dispatcher(repo: Repo, messenger: Recorder) -> Dispatcher:
    kinds = Kinds(dms={Kind.BEFORE: ItemNudge(may_go_early=True)})
    return Dispatcher(repo, repo.outbox, messenger, _Workplace(), kinds, FrozenClock(NOW))  # type: ignore[arg-type]


def test_it_posts_from_one_thread_in_order_and_records_every_dm(repo: Repo) -> None:
    users = [f"U{k:03d}" for k in range(40)]
    seeded = seed(repo, users, per_user=3)
    messenger = Recorder()

    result = dispatcher(repo, messenger).tick(limit=50)

    assert result.sent == 120 and (result.skipped, result.failed, result.retried) == (0, 0, 0)
    assert len(messenger.threads) == 1 and "MainThread" not in messenger.threads
    assert sorted(u for u, _ in messenger.sent) == users  # one DM each: coalesced
    stored = rows(repo)
    for number, (user, ids) in enumerate(messenger.sent, start=1):
        assert sorted(ids) == sorted(seeded[user])
        assert {(stored[i].status, stored[i].channel_id, stored[i].message_ts) for i in ids} == {
            ("sent", f"D{user}", f"{number}.000100")
        }


def test_a_dm_that_waited_never_goes_out_on_rows_taken_over(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack is slow on the first DM; meanwhile the lease on the others runs out (FRESH is
    0 here, so every DM renews) and another process takes the second person's row."""
    monkeypatch.setattr(bot.usecases.dispatch, "FRESH", timedelta(0))
    seeded = seed(repo, ["U1", "U2", "U3"])

    def take_over(user: str) -> None:
        if user == "U1":
            with repo.sessions.begin() as s:
                s.execute(update(Nudge).where(Nudge.id.in_(seeded["U2"])).values(claim="other"))

    messenger = Recorder(take_over)
    result = dispatcher(repo, messenger).tick()

    assert [u for u, _ in messenger.sent] == ["U1", "U3"]
    assert result.sent == 2
    [taken] = seeded["U2"]
    assert (rows(repo)[taken].status, rows(repo)[taken].claim) == ("queued", "other")


def test_a_crash_in_the_sender_retries_only_that_persons_nudges(repo: Repo) -> None:
    seeded = seed(repo, ["U1", "U2", "U3"])

    def crash(user: str) -> None:
        if user == "U2":
            raise RuntimeError("a bug while posting")

    messenger = Recorder(crash)
    result = dispatcher(repo, messenger).tick()

    assert [u for u, _ in messenger.sent] == ["U1", "U3"]
    assert (result.sent, result.retried) == (2, 1)
    [failed] = seeded["U2"]
    row = rows(repo)[failed]
    assert (row.status, row.claim, row.last_error) == ("queued", None, "internal_error")
    assert row.next_at > NOW  # backed off


def test_a_dm_refused_for_one_nudge_sends_the_others_and_fails_that_one(repo: Repo) -> None:
    seeded = seed(repo, ["U1", "U2"], per_user=3)
    bad = seeded["U1"][1]

    class Refusing(Recorder):
        def send_nudges(self, team_id: str, user_id: str, views: list[NudgeView], *a: Any) -> Any:
            if any(v.nudge_id == bad for v in views):
                raise NotifyError("could not build the DM: ValueError: boom", content=True)
            return super().send_nudges(team_id, user_id, views, *a)

    messenger = Refusing()
    result = dispatcher(repo, messenger).tick()

    assert (result.sent, result.failed, result.retried) == (5, 1, 0)
    stored = rows(repo)
    assert (stored[bad].status, stored[bad].last_error) == (
        "failed",
        "could not build the DM: ValueError: boom",
    )
    assert {stored[i].status for ids in seeded.values() for i in ids if i != bad} == {"sent"}
    assert ("U2", seeded["U2"]) in messenger.sent  # another person's DM is untouched


def test_a_nudge_whose_check_raises_is_retried_alone_with_its_reason(repo: Repo) -> None:
    [first, second] = seed(repo, ["U1"], per_user=2)["U1"]

    class Flaky(ItemNudge):
        def check(self, n: Any, due: Any) -> Any:
            if n.id == first:
                raise LookupError("the list could not be read")
            return super().check(n, due)

    kinds = Kinds(dms={Kind.BEFORE: Flaky(may_go_early=True)})
    messenger = Recorder()
    clock = FrozenClock(NOW)
    result = Dispatcher(repo, repo.outbox, messenger, _Workplace(), kinds, clock).tick()  # type: ignore[arg-type]

    assert messenger.sent == [("U1", [second])]
    assert (result.sent, result.retried) == (1, 1)
    row = rows(repo)[first]
    assert (row.status, row.last_error) == (
        "queued",
        "could not build it: LookupError: the list could not be read",
    )
