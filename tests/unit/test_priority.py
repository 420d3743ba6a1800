"""Work after the ack yields to acks in flight, but never waits forever."""

import threading
import time

from bot.slack.priority import AckFirst, AfterAckExecutor


def test_it_runs_at_once_when_nothing_is_in_flight() -> None:
    gate = AckFirst(max_wait=5, quiet=0)
    started = time.monotonic()
    gate.wait_idle()
    assert time.monotonic() - started < 0.5


def test_it_waits_for_the_request_in_flight_to_finish() -> None:
    gate = AckFirst(max_wait=5, quiet=0)
    gate.enter()
    ran = threading.Event()
    with AfterAckExecutor(gate, max_workers=1) as pool:
        future = pool.submit(ran.set)
        assert not ran.wait(0.2)  # held back while the request is in flight
        gate.leave()
        future.result(timeout=5)
    assert ran.is_set()


def test_it_never_waits_longer_than_max_wait() -> None:
    gate = AckFirst(max_wait=0.1, quiet=0)
    gate.enter()  # a request that never finishes
    with AfterAckExecutor(gate, max_workers=1) as pool:
        assert pool.submit(lambda: 42).result(timeout=5) == 42
