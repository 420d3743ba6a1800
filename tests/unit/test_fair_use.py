"""The per-person token bucket: a burst, then a steady rate, never more in any window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.fair_use import COMMANDS, Allowance, Bucket, admit, is_full

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def run(times: list[datetime], allowance: Allowance) -> list[bool]:
    bucket: Bucket | None = None
    admitted = []
    for t in times:
        ok, bucket = admit(bucket, t, allowance)
        admitted.append(ok)
    return admitted


def test_a_burst_of_ten_passes_and_the_eleventh_waits_two_seconds() -> None:
    assert run([T0] * 11, COMMANDS) == [True] * 10 + [False]
    later = [T0] * 10 + [T0 + timedelta(seconds=1.9), T0 + timedelta(seconds=2)]
    assert run(later, COMMANDS) == [True] * 10 + [False, True]


def test_refused_commands_earn_nothing_and_cost_nothing() -> None:
    # Hammering while empty does not push the next admission further away.
    times = [T0] * 10 + [T0 + timedelta(milliseconds=100 * k) for k in range(1, 20)]
    times.append(T0 + timedelta(seconds=2))
    assert run(times, COMMANDS)[-1] is True


def test_a_clock_set_back_earns_nothing() -> None:
    times = [T0] * 10 + [T0 - timedelta(hours=1), T0 + timedelta(seconds=1)]
    assert run(times, COMMANDS)[10:] == [False, False]


def test_a_bucket_left_alone_fills_up_and_can_be_forgotten() -> None:
    _, bucket = admit(None, T0, COMMANDS)
    assert not is_full(bucket, T0 + timedelta(seconds=1), COMMANDS)
    assert is_full(bucket, T0 + timedelta(seconds=2), COMMANDS)


allowances = st.builds(
    Allowance,
    burst=st.integers(1, 20),
    every=st.integers(1, 5_000_000).map(lambda us: timedelta(microseconds=us)),
)
gaps = st.lists(st.integers(0, 3_000_000), min_size=1, max_size=120)


@given(allowances, gaps)
def test_never_more_than_burst_plus_rate_times_t_in_any_window(
    allowance: Allowance, gaps_us: list[int]
) -> None:
    times, t = [], T0
    for gap in gaps_us:
        t += timedelta(microseconds=gap)
        times.append(t)
    accepted = [t for t, ok in zip(times, run(times, allowance), strict=True) if ok]
    for i, start in enumerate(accepted):
        for j in range(i, len(accepted)):
            window = accepted[j] - start
            assert j - i + 1 <= allowance.burst + window / allowance.every


@given(allowances, st.integers(0, 10))
def test_a_patient_person_is_never_refused(allowance: Allowance, n: int) -> None:
    times = [T0 + allowance.every * k for k in range(n * allowance.burst)]
    assert all(run(times, allowance))
