"""A channel's events run one after another, in order; other channels' run beside them."""

from __future__ import annotations

import threading

from bot.slack.intake import InOrder
from bot.slack.priority import AckFirst, AfterAckExecutor


def _pool() -> AfterAckExecutor:
    return AfterAckExecutor(AckFirst(max_wait=0, quiet=0), max_workers=2)


def test_a_channels_second_event_waits_for_its_first() -> None:
    ran: list[str] = []
    first_started, release = threading.Event(), threading.Event()

    def first() -> None:
        first_started.set()
        assert release.wait(5)
        ran.append("client message")

    with _pool() as pool:
        in_order = InOrder(pool)
        in_order.submit(("T1", "C1"), first)
        assert first_started.wait(5)
        in_order.submit(("T1", "C1"), ran.append, "teammate's reply")
        # Two workers, one idle: without the order the reply would run now, first.
        assert not pool.drain(timeout=0.2)
        assert ran == []
        release.set()
        assert pool.drain(timeout=5)
    assert ran == ["client message", "teammate's reply"]


def test_other_channels_are_not_held_up() -> None:
    ran: list[str] = []
    release = threading.Event()
    with _pool() as pool:
        in_order = InOrder(pool)
        in_order.submit(("T1", "C1"), lambda: release.wait(5))
        done = threading.Event()
        in_order.submit(("T1", "C2"), lambda: (ran.append("C2"), done.set()))
        assert done.wait(5)  # while C1 is still busy
        release.set()
        assert pool.drain(timeout=5)
    assert ran == ["C2"]


def test_a_failing_event_does_not_stop_the_next() -> None:
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("a bug")

    with _pool() as pool:
        in_order = InOrder(pool)
        in_order.submit(("T1", "C1"), boom)
        in_order.submit(("T1", "C1"), ran.append, "next")
        assert pool.drain(timeout=5)
    assert ran == ["next"]
