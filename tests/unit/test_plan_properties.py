"""The reasons that key planned nudges, and properties over random situations."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.core.plan import (
    ItemState,
    Kind,
    Policy,
    next_eod,
    plan_item,
)
from tests.unit.plan_cases import (
    AUCKLAND,
    IN_CAL,
    LEAD,
    NY,
    NY_CAL,
    NZ_CAL,
    OWNER,
    POLICY,
    US_CAL,
    UTC_CAL,
    by_kind,
    promise,
    show,
    t,
)

# Reasons


def test_it_gives_every_planned_nudge_a_reason_that_follows_the_deadline() -> None:
    now = t("2026-03-02 10:00")
    first = plan_item(promise(t("2026-03-04 15:00")), POLICY, now, UTC_CAL, lead=LEAD)
    again = plan_item(
        promise(t("2026-03-04 15:00")), POLICY, t("2026-03-03 11:00"), UTC_CAL, lead=LEAD
    )
    moved = plan_item(promise(t("2026-03-05 15:00")), POLICY, now, UTC_CAL, lead=LEAD)
    reasons = {p.kind: p.reason for p in first}
    assert reasons == {p.kind: p.reason for p in again}  # same deadline → same reasons
    assert reasons == {
        Kind.BEFORE: "before@2026-03-04T15:00:00+00:00",
        Kind.MISSED: "missed@2026-03-04T15:00:00+00:00",
        Kind.HEADS_UP: "heads_up@2026-03-04T15:00:00+00:00",
        Kind.ESCALATE: "escalate@2026-03-04T15:00:00+00:00",
    }
    moved_reasons = {p.kind: p.reason for p in moved}
    assert moved_reasons.keys() == reasons.keys()
    assert not set(moved_reasons.values()) & set(reasons.values())  # moved → nudged again


def test_it_keys_reasons_on_the_instant_not_the_time_zone_it_was_written_in() -> None:
    due = t("2026-03-04 15:00")
    now = t("2026-03-02 10:00")
    in_utc = plan_item(promise(due), POLICY, now, NY_CAL, lead=LEAD)
    in_ny = plan_item(promise(due.astimezone(NY)), POLICY, now.astimezone(NY), NY_CAL, lead=LEAD)
    assert [(p.kind, p.reason, p.at) for p in in_utc] == [(p.kind, p.reason, p.at) for p in in_ny]


def test_it_keeps_the_same_reasons_when_the_item_is_only_snoozed() -> None:
    due = t("2026-03-04 15:00")
    plain = {
        p.kind: p.reason for p in plan_item(promise(due), POLICY, t("2026-03-04 14:00"), UTC_CAL)
    }
    snoozed = plan_item(
        promise(due, snoozed_until=t("2026-03-04 14:30")), POLICY, t("2026-03-04 14:00"), UTC_CAL
    )
    assert by_kind(snoozed)[Kind.MISSED].reason == plain[Kind.MISSED]


# Properties

ZONES = st.sampled_from([UTC_CAL, US_CAL, NY_CAL, IN_CAL, NZ_CAL])
WEEK_24_7 = WorkCalendar(
    tz=NY, workdays=frozenset(range(7)), day_start=time(0), end_of_day=time(23, 59)
)
START = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(0, 365 * 24 * 60).map(lambda m: START + timedelta(minutes=m))
minutes = st.integers(0, 10 * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def situations(
    draw: st.DrawFn,
) -> tuple[ItemState, Policy, datetime, WorkCalendar, str | None, WorkCalendar | None]:
    owner_cal = draw(st.one_of(ZONES, st.just(WEEK_24_7)))
    due = draw(moments)
    created = due - draw(minutes)
    now = created + draw(st.integers(0, 12 * 24 * 60).map(lambda m: timedelta(minutes=m)))
    snooze = draw(
        st.none() | st.integers(-600, 5 * 24 * 60).map(lambda m: now + timedelta(minutes=m))
    )
    policy = Policy(
        remind_before=draw(st.integers(0, 600).map(lambda m: timedelta(minutes=m))),
        escalate_after=draw(st.integers(0, 3 * 8 * 60).map(lambda m: timedelta(minutes=m))),
        follow_up_after=timedelta(days=draw(st.integers(0, 5))),
        eod_cutoff=timedelta(minutes=30),
        heads_up_before=draw(st.integers(0, 120).map(lambda m: timedelta(minutes=m))),
    )
    lead = draw(st.sampled_from([None, LEAD, OWNER]))
    lead_cal = draw(st.none() | ZONES)
    item = promise(due, created, snoozed_until=snooze)
    return item, policy, now, owner_cal, lead, lead_cal


@settings(max_examples=400, deadline=None)
@given(situations())
def test_it_plans_only_future_nudges_in_working_hours(
    situation: tuple[ItemState, Policy, datetime, WorkCalendar, str | None, WorkCalendar | None],
) -> None:
    item, policy, now, owner_cal, lead, lead_cal = situation
    plans = plan_item(item, policy, now, owner_cal, lead, lead_cal)
    assert plans == plan_item(item, policy, now, owner_cal, lead, lead_cal)  # deterministic
    assert len({p.reason for p in plans}) == len(plans)
    kinds = by_kind(plans)
    assert Kind.MISSED in kinds
    snooze_end = item.snoozed_until if item.snoozed_until and item.snoozed_until > now else None
    for p in plans:
        assert p.at >= now, p
        assert p.at.utcoffset() == timedelta(0), p  # aware UTC, like every time here
        cal = (lead_cal or owner_cal) if p.recipient == LEAD and lead == LEAD else owner_cal
        # A deadline at the very end of the working day is missed at that moment, while the
        # owner is still there (the one nudge allowed at the end of day's minute).
        at_day_end = p.at == item.due_at == cal.end_of_day_on(cal.today(p.at))
        assert cal.is_working_time(p.at) or (p.kind == Kind.MISSED and at_day_end), (
            p,
            show(p.at, cal),
        )
        if snooze_end is not None:
            assert p.at >= snooze_end, p
    if Kind.BEFORE in kinds:
        assert kinds[Kind.BEFORE].at < item.due_at
    assert (Kind.ESCALATE in kinds) == (lead == LEAD)
    assert (Kind.HEADS_UP in kinds) == (lead == LEAD)
    if lead == LEAD:
        assert kinds[Kind.HEADS_UP].at <= kinds[Kind.ESCALATE].at
        assert kinds[Kind.HEADS_UP].recipient == OWNER


@settings(max_examples=200, deadline=None)
@given(ZONES, moments, st.integers(0, 240))
def test_it_always_finds_an_eod_moment_at_or_after_now_in_working_time(
    cal: WorkCalendar, now: datetime, cutoff: int
) -> None:
    at, reason = next_eod(cal, timedelta(minutes=cutoff), now)
    assert at >= now
    assert cal.is_working_day(cal.today(at))
    assert cal.start_of_day_on(cal.today(at)) <= at <= cal.end_of_day_on(cal.today(at))
    assert reason == f"eod@{cal.today(at).isoformat()}"
    assert next_eod(cal, timedelta(minutes=cutoff), now) == (at, reason)
    # asked again before that moment, the answer is the same
    assert next_eod(cal, timedelta(minutes=cutoff), max(now, at - timedelta(minutes=1))) == (
        at,
        reason,
    )


def test_it_sends_the_missed_nudge_at_the_end_of_day_for_an_end_of_day_deadline() -> None:

    ny = ZoneInfo("America/New_York")
    cal = WorkCalendar(tz=ny)
    due = datetime(2026, 12, 1, 17, 0, tzinfo=ny)
    item = ItemState("reply", "open", "U1", due, due - timedelta(hours=7))
    policy = Policy(
        timedelta(minutes=60), timedelta(hours=2), timedelta(days=2), timedelta(minutes=30)
    )
    missed = [
        p for p in plan_item(item, policy, due - timedelta(hours=7), cal) if p.kind is Kind.MISSED
    ]
    assert [p.at for p in missed] == [due]


def test_a_deadline_at_new_years_end_of_day_is_missed_right_then() -> None:
    """Found by hypothesis: the missed nudge of a deadline at the end of the working day
    goes at that moment (the calendar without a holiday country works on January 1)."""
    due = datetime(2026, 1, 1, 17, 0, tzinfo=AUCKLAND)
    item = promise(due, due - timedelta(hours=5))
    plans = plan_item(item, POLICY, due - timedelta(hours=3), NZ_CAL, None, None)
    assert by_kind(plans)[Kind.MISSED].at == due
