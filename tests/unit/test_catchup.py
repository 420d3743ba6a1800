"""The catch-up rule: when a person's due lines become one summary, and its reading order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.core.catchup import FROM_ITEMS, STALE_AFTER, TIME_BOUND, Line, folded, is_stale, order
from bot.core.plan import Kind

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # Wednesday 11:00 in New York
CAL = WorkCalendar(tz=ZoneInfo("America/New_York"))


def line(
    nudge_id: int,
    kind: str = Kind.MISSED,
    *,
    item: int | None = None,
    late: timedelta = timedelta(0),
    inherited: bool = False,
) -> Line:
    """A due line planned `late` before NOW, for an item due a day ago (queued after its
    deadline when `inherited`)."""
    due = NOW - timedelta(days=1)
    queued = NOW - timedelta(minutes=1) if inherited else due - timedelta(days=1)
    return Line(nudge_id, kind, item if item is not None else nudge_id, NOW - late, queued, due)


def test_lines_sent_on_time_stay_lines() -> None:
    lines = [line(1), line(2, Kind.HEADS_UP), line(3)]
    assert folded(lines, NOW) == frozenset()


def test_stale_lines_about_several_items_become_one_summary() -> None:
    lines = [line(1, late=timedelta(hours=20)), line(2, Kind.HEADS_UP, late=STALE_AFTER)]
    assert folded(lines, NOW) == {1, 2}


def test_one_items_stale_lines_stay_as_they_are() -> None:
    late = timedelta(days=1)
    lines = [line(1, item=7, late=late), line(2, Kind.HEADS_UP, item=7, late=late)]
    assert folded(lines, NOW) == frozenset()


def test_inherited_overdue_items_are_stale_even_when_just_queued() -> None:
    lines = [line(1, inherited=True), line(2, inherited=True)]
    assert all(is_stale(x, NOW) for x in lines)
    assert folded(lines, NOW) == {1, 2}


def test_only_time_bound_lines_are_folded_and_fresh_ones_join_a_catch_up() -> None:
    late = timedelta(hours=3)
    lines = [
        line(1, late=late),
        line(2, late=late),
        line(3),  # fresh, but part of the pile
        line(4, Kind.BEFORE, late=late),
        line(5, Kind.ESCALATE, late=late),  # to a lead, about someone else's item
        line(6, Kind.FOLLOW_UP, late=late),
    ]
    assert folded(lines, NOW) == {1, 2, 3}


lines_strategy = st.lists(
    st.builds(
        line,
        st.integers(1, 10**6),
        st.sampled_from(list(Kind)),
        item=st.integers(1, 6),
        late=st.integers(0, 3000).map(lambda m: timedelta(minutes=m)),
        inherited=st.booleans(),
    ),
    max_size=20,
    unique_by=lambda x: x.nudge_id,
)


@given(lines_strategy)
def test_a_catch_up_is_all_or_nothing_of_the_time_bound_lines(lines: list[Line]) -> None:
    out = folded(lines, NOW)
    bound = {x.nudge_id for x in lines if x.kind in TIME_BOUND}
    stale_items = {x.item_id for x in lines if is_stale(x, NOW)}
    assert out <= bound
    assert out == (bound if len(stale_items) >= FROM_ITEMS else frozenset())
    assert folded(reversed(lines), NOW) == out  # the order lines come in doesn't matter


@dataclass(frozen=True)
class Item:
    id: int
    due_at: datetime
    kind: str = "promise"


@given(st.lists(st.integers(0, 60 * 24 * 10), min_size=1, max_size=15))
def test_the_summary_reads_newest_first_with_the_backlog_last(minutes_ago: list[int]) -> None:
    items = [Item(i + 1, NOW - timedelta(minutes=m)) for i, m in enumerate(minutes_ago)]
    ranked = order(items + items[:1], NOW, CAL)  # an item twice is listed once
    assert sorted(i.id for i in ranked.items) == [i.id for i in items]
    dues = [i.due_at for i in ranked.items]
    assert dues == sorted(dues, reverse=True)
    recent_start = datetime(2026, 12, 1, 9, tzinfo=CAL.tz)  # Tuesday's start: older is backlog
    assert ranked.backlog == sum(1 for i in items if i.due_at < recent_start)
    assert all(i.due_at < recent_start for i in ranked.items[ranked.today :])
    assert ranked.today + ranked.backlog == len(items)
