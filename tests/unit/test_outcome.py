from datetime import UTC, datetime, timedelta

import pytest

from bot.core.outcome import Verdict, judge

DUE = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("closed", "in_advance", "late_moves", "verdict", "words"),
    [
        (DUE - timedelta(hours=2, minutes=5), 0, 0, Verdict.EARLY, "early by 2 h 5 min"),
        (DUE - timedelta(minutes=10), 0, 0, Verdict.ON_TIME, "on time"),
        (DUE, 0, 0, Verdict.ON_TIME, "on time"),
        (
            DUE - timedelta(hours=3),
            1,
            0,
            Verdict.RENEGOTIATED,
            "renegotiating the deadline in advance",
        ),
        (DUE - timedelta(minutes=1), 0, 1, Verdict.RECOVERED, "after the first one had passed"),
        (DUE + timedelta(minutes=45), 1, 0, Verdict.LATE, "late by 45 min"),
    ],
)
def test_it_judges_how_a_close_went(closed, in_advance, late_moves, verdict, words) -> None:
    outcome = judge(DUE, closed, moved_in_advance=in_advance, moved_late=late_moves)
    assert outcome.verdict is verdict
    assert words in outcome.describe()
