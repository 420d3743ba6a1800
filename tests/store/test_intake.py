"""The intake's store: a request given up only after failing, never for being reclaimed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.intake import MAX_ATTEMPTS, RequestKind
from bot.store.intake import Asked, IntakeStore
from bot.store.repo import Repo

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
LEASE = timedelta(seconds=3)


def test_a_request_reclaimed_after_many_kills_is_still_taken_up(repo: Repo) -> None:
    store = IntakeStore(repo.engine)
    [first] = store.take([Asked("T1", RequestKind.MESSAGE, "e:Ev1", "{}")], NOW, LEASE)
    assert first is not None
    now = NOW
    for _ in range(MAX_ATTEMPTS + 3):  # each taker was SIGKILLed before it finished
        now += LEASE + timedelta(seconds=1)
        [again] = store.reclaim(now, LEASE)
        assert store.start(again, now, LEASE)
    now += LEASE + timedelta(seconds=1)
    [last] = store.reclaim(now, LEASE)
    assert store.done(last, now)
    assert store.reclaim(now + LEASE * 2, LEASE) == []


def test_a_request_that_fails_max_attempts_times_is_given_up(repo: Repo) -> None:
    store = IntakeStore(repo.engine)
    [request] = store.take([Asked("T1", RequestKind.MESSAGE, "e:Ev2", "{}")], NOW, LEASE)
    assert request is not None
    now = NOW
    for _ in range(MAX_ATTEMPTS):
        store.failed(request)
        now += LEASE + timedelta(seconds=1)
        found = store.reclaim(now, LEASE)
        if not found:
            break
        [request] = found
    assert store.reclaim(now + LEASE * 2, LEASE) == []
