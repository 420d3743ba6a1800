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


def test_work_that_opens_a_form_runs_before_what_was_queued() -> None:
    gate = AckFirst(max_wait=5, quiet=0)
    release = threading.Event()
    order: list[str] = []
    with AfterAckExecutor(gate, max_workers=1, reserved=0) as pool:
        pool.submit(release.wait)  # the only worker is busy
        for n in range(3):
            pool.submit(order.append, f"command {n}")
        pool.submit_first(order.append, "form")
        release.set()
        assert pool.drain(timeout=5)
    assert order == ["form", "command 0", "command 1", "command 2"]


def test_the_first_lane_has_a_worker_of_its_own_and_skips_the_gate() -> None:
    gate = AckFirst(max_wait=5, quiet=0)
    gate.enter()  # acks in flight: the ordinary lane waits up to 5 s
    release = threading.Event()
    with AfterAckExecutor(gate, max_workers=1, reserved=1) as pool:
        pool.submit(release.wait)  # busy (once the gate lets it)
        started = time.monotonic()
        assert pool.submit_first(lambda: "opened").result(timeout=5) == "opened"
        assert time.monotonic() - started < 1
        assert not pool.drain(timeout=0.1)  # the ordinary work is still waiting
        gate.leave()
        release.set()
        assert pool.drain(timeout=5)


def test_an_error_in_a_task_is_its_future_s_and_the_worker_goes_on() -> None:
    gate = AckFirst(max_wait=5, quiet=0)
    with AfterAckExecutor(gate, max_workers=1, reserved=0) as pool:
        failed = pool.submit_first(lambda: 1 / 0)
        assert isinstance(failed.exception(timeout=5), ZeroDivisionError)
        assert pool.submit(lambda: 42).result(timeout=5) == 42
