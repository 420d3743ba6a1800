"""Env-style durations and their human wording."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("45m", timedelta(minutes=45)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("14d", timedelta(days=14)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("0m", timedelta(0)),
        (" 2H ", timedelta(hours=2)),
        ("15s", timedelta(seconds=15)),
    ],
)
def test_it_parses_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "", " ", "2", "h", "-2h", "2 hours", "1.5h", "30m1h", "2h2h", "2x", "m30"]
)
def test_it_rejects_what_is_not_a_duration(text: str) -> None:
    hint = "is not a duration; use e.g. 90s, 45m, 2h or 3d"
    with pytest.raises(ValueError, match=re.escape(hint)):
        parse_duration(text)


def test_it_names_the_bad_text_in_the_error() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_duration("abc")
    assert str(excinfo.value) == "'abc' is not a duration; use e.g. 90s, 45m, 2h or 3d"


def test_it_refuses_absurdly_long_durations() -> None:
    with pytest.raises(ValueError, match="too long"):
        parse_duration("99999999999999d")


@given(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from([("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]),
)
def test_it_reads_any_whole_number_of_one_unit(count: int, unit: tuple[str, int]) -> None:
    suffix, seconds = unit
    assert parse_duration(f"{count}{suffix}") == timedelta(seconds=count * seconds)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(0), "0 min"),
        (timedelta(seconds=40), "40 s"),
        (timedelta(seconds=89), "1 min"),
        (timedelta(seconds=90), "2 min"),
        (timedelta(minutes=1), "1 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(hours=2, minutes=5, seconds=20), "2 h 5 min"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=3), "3 days"),
        (timedelta(days=1, hours=2), "1 day 2 h"),
        (timedelta(days=1, hours=2, minutes=5), "1 day 2 h"),
        (timedelta(days=1, minutes=5), "1 day"),
        (timedelta(hours=25), "1 day 1 h"),
        (timedelta(days=14), "14 days"),
        (-timedelta(hours=2), "-2 h"),
    ],
)
def test_it_formats_durations_for_people(delta: timedelta, expected: str) -> None:
    assert format_duration(delta) == expected


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=999)))
def test_it_formats_any_duration_in_at_most_two_units(delta: timedelta) -> None:
    words = format_duration(delta).split()
    assert 2 <= len(words) <= 4
    assert all(number.isdigit() for number in words[::2])


@given(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=400)))
def test_a_spelled_duration_reads_back_to_the_same_whole_seconds(delta: timedelta) -> None:
    from bot.core.durations import spell_duration

    whole = timedelta(seconds=round(delta.total_seconds()))
    assert parse_duration(spell_duration(whole)) == whole
