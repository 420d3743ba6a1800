"""The numbers of a period (bot.core.stats): counts, on time, percentiles, SLA, thanks."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.outcome import Verdict
from bot.core.stats import ClosedFact, Facts, by_day, for_person, numbers, quantile

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # Tue 1 Dec, 09:00 in New York
START, END = T0, T0 + timedelta(days=1)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def promise(
    id: int,
    closed: timedelta,
    due: timedelta,
    *,
    client: str | None = "Acme",
    people: tuple[str, ...] = ("U1",),
    advance: int = 0,
    late_moves: int = 0,
) -> ClosedFact:
    return ClosedFact(
        id=id,
        kind="promise",
        what=f"deliverable {id}",
        client=client,
        channel_id="C1",
        owner_id=people[0],
        closed_by=people[0],
        contributors=people,
        created_at=T0 - 2 * H,
        due_at=T0 + due,
        original_due_at=T0 + due - (H if advance or late_moves else timedelta(0)),
        closed_at=T0 + closed,
        moved_in_advance=advance,
        moved_late=late_moves,
    )


def reply(
    id: int,
    arrived: timedelta,
    answered: timedelta,
    due: timedelta,
    *,
    by: str = "U2",
    client: str = "Acme",
    original_due: timedelta | None = None,
    moved: int = 0,
) -> ClosedFact:
    return ClosedFact(
        id=id,
        kind="reply",
        what="when is the invoice coming?",
        client=client,
        channel_id="C1",
        owner_id="U1",
        closed_by=by,
        contributors=("U1",),
        created_at=T0 + arrived,
        due_at=T0 + due,
        original_due_at=T0 + (original_due if original_due is not None else due),
        closed_at=T0 + answered,
        moved_in_advance=moved,
        first_reply_at=T0 + answered,
    )


def test_it_counts_loops_on_time_and_renegotiated() -> None:
    facts = Facts(
        [
            promise(1, closed=1 * H, due=3 * H),  # early
            promise(2, closed=3 * H, due=3 * H),  # on time, to the minute
            promise(3, closed=2 * H, due=4 * H, advance=1),  # renegotiated in advance, met
            promise(4, closed=5 * H, due=4 * H),  # late
            promise(5, closed=2 * H, due=3 * H, late_moves=1),  # moved after the miss: missed
        ],
        open=7,
        overdue=2,
    )
    n = numbers(facts, START, END)
    assert (n.closed, n.promises, n.replies) == (5, 5, 0)
    assert (n.on_time, n.renegotiated) == (3, 1)
    assert n.on_time_rate == 0.6
    assert (n.open, n.overdue) == (7, 2)
    assert n.reply_median is None and n.sla_rate is None


def test_it_times_first_replies_and_counts_sla_hits() -> None:
    facts = Facts(
        [
            reply(1, arrived=0 * H, answered=10 * M, due=3 * H),
            reply(2, arrived=0 * H, answered=20 * M, due=3 * H),
            reply(3, arrived=0 * H, answered=30 * M, due=3 * H),
            reply(4, arrived=1 * H, answered=1 * H + 40 * M, due=3 * H),
            # answered after its due time: an SLA miss
            reply(5, arrived=0 * H, answered=4 * H, due=3 * H),
            # moved by hand to 5h: the SLA still counts from the original 2h
            reply(6, arrived=0 * H, answered=3 * H, due=5 * H, original_due=2 * H, moved=1),
        ]
    )
    n = numbers(facts, START, END)
    assert n.replies == 6
    # times: 10, 20, 30, 40, 180, 240 minutes
    assert n.reply_median == 35 * M
    assert n.reply_p90 == 210 * M  # inclusive: position 4.5 → halfway between 180 and 240
    assert n.sla_met == 4


def test_it_thanks_each_person_once_per_loop_most_first() -> None:
    facts = Facts(
        [
            promise(1, 1 * H, 3 * H, people=("U1", "U2")),
            promise(2, 1 * H, 3 * H, people=("U2",)),
            promise(3, 1 * H, 3 * H, people=("U3", "U1")),
            reply(4, 0 * H, 5 * M, 3 * H, by="U2"),  # whoever answered the client is thanked
        ]
    )
    assert numbers(facts, START, END).thanks == (("U2", 3), ("U1", 2), ("U3", 1))


def test_it_groups_loops_by_client_with_unnamed_last() -> None:
    facts = Facts(
        [
            promise(1, 3 * H, 4 * H, client="globex"),
            promise(2, 1 * H, 4 * H, client="Acme"),
            promise(3, 2 * H, 4 * H, client=None),
            reply(4, 0 * H, 5 * M, 3 * H, client="Acme"),
            promise(5, 2 * H, 4 * H, client="Acme"),
        ]
    )
    groups = numbers(facts, START, END).clients
    assert [g.client for g in groups] == ["Acme", "globex", None]
    assert [c.id for c in groups[0].promises] == [2, 5]  # in the order they closed
    assert groups[0].replies == 1


def test_it_counts_only_what_closed_in_the_period() -> None:
    facts = Facts(
        [
            promise(1, -1 * M, 3 * H),  # just before the start
            promise(2, 0 * H, 3 * H),  # at the start: in
            promise(3, 24 * H - M, 30 * H),  # just before the end: in
            promise(4, 24 * H, 30 * H),  # at the end: the next period's
        ]
    )
    assert numbers(facts, START, END).closed == 2


def test_a_person_s_numbers_are_the_loops_they_are_credited_for() -> None:
    facts = Facts(
        [
            promise(1, 1 * H, 3 * H, people=("U1", "U2")),
            promise(2, 5 * H, 3 * H, people=("U3",)),
            reply(3, 0 * H, 5 * M, 3 * H, by="U2"),
        ],
        open=9,
        overdue=3,
    )
    mine = numbers(for_person(facts, "U2", open_=2, overdue=1), START, END)
    assert (mine.closed, mine.promises, mine.on_time, mine.replies) == (2, 1, 1, 1)
    assert (mine.open, mine.overdue) == (2, 1)


def test_summary_lines_name_nobody() -> None:
    facts = Facts(
        [promise(1, 5 * H, 3 * H, people=("U9",)), reply(2, 0 * H, 5 * M, 3 * H, by="U8")],
        open=4,
        overdue=1,
    )
    lines = numbers(facts, START, END).summary_lines()
    assert lines == [
        "2 loops closed: 1 promise delivered, 1 client message answered",
        "On time: 0 of 1 promises (0%)",
        "Replies to clients: first response in 5 min (median), 5 min (90th percentile); "
        "1 of 1 within the SLA",
        "Still open: 4, of which 1 overdue",
    ]
    assert not any("U9" in line or "U8" in line for line in lines)


def test_by_day_buckets_by_local_day_and_leaves_quiet_days_empty() -> None:
    ny_start = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Mon 00:00 in New York
    facts = [
        # Tue 1 Dec 23:30 in New York is already Wed in UTC: it belongs to Tuesday
        promise(1, closed=datetime(2026, 12, 2, 4, 30, tzinfo=UTC) - T0, due=20 * H),
        reply(2, arrived=0 * H, answered=30 * M, due=3 * H),
        reply(3, arrived=0 * H, answered=60 * M, due=3 * H),
    ]
    days = by_day(facts, ny_start, ny_start + timedelta(days=5), "America/New_York")
    assert [d.day for d in days] == [date(2026, 11, 30) + timedelta(days=i) for i in range(5)]
    tuesday = days[1]
    assert (tuesday.closed, tuesday.promises, tuesday.on_time, tuesday.replies) == (3, 1, 1, 2)
    assert tuesday.reply_median == 45 * M and tuesday.on_time_rate == 1.0
    assert days[0].on_time_rate is None and days[0].reply_median is None


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=2, max_size=60))
def test_quantile_matches_statistics_inclusive(values: list[int]) -> None:
    ordered = sorted(values)
    deciles = statistics.quantiles(ordered, n=10, method="inclusive")
    assert abs(quantile(ordered, 9, 10) - deciles[8]) <= 1
    assert abs(quantile(ordered, 1, 2) - statistics.median(ordered)) <= 1


facts_strategy = st.lists(
    st.one_of(
        st.builds(
            promise,
            id=st.integers(1, 10**6),
            closed=st.timedeltas(timedelta(hours=-2), timedelta(hours=30)),
            due=st.timedeltas(timedelta(hours=-5), timedelta(hours=30)),
            client=st.sampled_from(["Acme", "Globex", None]),
            people=st.lists(st.sampled_from(["U1", "U2", "U3"]), min_size=1, max_size=3).map(tuple),
            advance=st.integers(0, 2),
            late_moves=st.integers(0, 1),
        ),
        st.builds(
            reply,
            id=st.integers(1, 10**6),
            arrived=st.timedeltas(timedelta(hours=-3), timedelta(hours=20)),
            answered=st.timedeltas(timedelta(hours=-1), timedelta(hours=30)),
            due=st.timedeltas(timedelta(hours=0), timedelta(hours=30)),
            by=st.sampled_from(["U1", "U2", "U4"]),
        ),
    ),
    max_size=40,
)


@given(facts_strategy)
def test_the_numbers_hold_together(closed: list[ClosedFact]) -> None:
    n = numbers(Facts(closed), START, END)
    assert 0 <= n.on_time <= n.promises and 0 <= n.renegotiated <= n.on_time
    assert 0 <= n.sla_met <= n.replies
    assert n.promises + n.replies == n.closed
    for rate in (n.on_time_rate, n.sla_rate):
        assert rate is None or 0.0 <= rate <= 1.0
    if n.replies:
        assert n.reply_median is not None and n.reply_p90 is not None
        assert timedelta(0) <= n.reply_median <= n.reply_p90
    else:
        assert n.reply_median is None
    assert sum(len(g.promises) + g.replies for g in n.clients) == n.closed
    assert sum(count for _, count in n.thanks) >= n.closed  # every loop thanks somebody
    assert n.empty() == (n.closed == 0)


@given(facts_strategy)
def test_on_time_is_judge_s_verdict(closed: list[ClosedFact]) -> None:
    kept = (Verdict.EARLY, Verdict.ON_TIME, Verdict.RENEGOTIATED)
    for c in closed:
        assert c.on_time == (c.verdict in kept)


# -- client messages closed as needing no reply: counted apart, never as answered


def no_reply(id: int, closed: timedelta, *, owner: str = "U1", by: str = "U1") -> ClosedFact:
    """A client message that arrived at T0 and was closed with "No reply needed" (the store
    hands these out in `Facts.no_reply`): no first reply."""
    return ClosedFact(
        id=id,
        kind="reply",
        what="",
        client="Acme",
        channel_id="C1",
        owner_id=owner,
        closed_by=by,
        contributors=(owner,),
        created_at=T0,
        due_at=T0 + 3 * H,
        original_due_at=T0 + 3 * H,
        closed_at=T0 + closed,
    )


def test_needing_no_reply_is_neither_a_loop_nor_a_reply_time() -> None:
    answered = [reply(1, arrived=0 * H, answered=10 * M, due=3 * H)]
    # closed long after the SLA: had it counted as answered, the median, the 90th percentile
    # and the SLA hits would all have moved
    dismissed = [no_reply(2, closed=20 * H), no_reply(3, closed=5 * M)]
    n = numbers(Facts(answered, no_reply=dismissed), START, END)
    assert (n.closed, n.replies, n.no_reply) == (1, 1, 2)
    assert (n.reply_median, n.reply_p90, n.sla_met) == (10 * M, 10 * M, 1)
    assert n.thanks == (("U2", 1),)  # whoever answered; nobody for the dismissed ones
    assert [g.replies for g in n.clients] == [1]


def test_needing_no_reply_is_counted_in_its_period_for_the_owner() -> None:
    facts = Facts(
        [],
        no_reply=[
            no_reply(1, closed=-1 * M),  # the previous period's
            no_reply(2, closed=1 * H, owner="U1", by="U0LEAD"),  # the lead closed Maria's
            no_reply(3, closed=2 * H, owner="U2", by="U2"),
            no_reply(4, closed=24 * H),  # the next period's
        ],
    )
    assert numbers(facts, START, END).no_reply == 2
    assert numbers(for_person(facts, "U1"), START, END).no_reply == 1
    assert numbers(for_person(facts, "U0LEAD"), START, END).no_reply == 0
    assert numbers(facts, START, END).empty()  # nothing to post a digest about


def test_summary_lines_say_how_many_needed_no_reply() -> None:
    facts = Facts(
        [reply(1, arrived=0 * H, answered=5 * M, due=3 * H)],
        no_reply=[no_reply(2, closed=1 * H), no_reply(3, closed=2 * H)],
    )
    assert numbers(facts, START, END).summary_lines() == [
        "1 loop closed: 1 client message answered",
        "Replies to clients: first response in 5 min (median), 5 min (90th percentile); "
        "1 of 1 within the SLA",
        "2 client messages needed no reply (closed by hand, not counted as answered)",
        "Still open: 0, of which 0 overdue",
    ]
    one = numbers(Facts([], no_reply=[no_reply(2, closed=1 * H)]), START, END)
    assert "1 client message needed no reply" in one.summary_lines()[1]


@given(
    facts_strategy,
    st.lists(st.timedeltas(timedelta(hours=-2), timedelta(hours=30)), max_size=10),
)
def test_needing_no_reply_changes_no_other_number(
    closed: list[ClosedFact], when: list[timedelta]
) -> None:
    dismissed = [no_reply(10**7 + k, closed=t) for k, t in enumerate(when)]
    n = numbers(Facts(closed, no_reply=dismissed), START, END)
    inside = sum(1 for t in when if timedelta(0) <= t < END - START)
    assert n == replace(numbers(Facts(closed), START, END), no_reply=inside)
