"""Which nudges an item gets, and when: plan_item, next_eod and the working-hours rules."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import WorkCalendar
from bot.core.plan import (
    ItemState,
    Kind,
    Planned,
    Policy,
    last_working_moment_before,
    next_eod,
    plan_item,
    working,
)

NY = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
AUCKLAND = ZoneInfo("Pacific/Auckland")

UTC_CAL = WorkCalendar(tz=ZoneInfo("UTC"))
US_CAL = WorkCalendar(tz=NY, holiday_country="US")
NY_CAL = WorkCalendar(tz=NY)
IN_CAL = WorkCalendar(tz=KOLKATA)
NZ_CAL = WorkCalendar(tz=AUCKLAND)
CALENDARS = {"UTC": UTC_CAL, "US": US_CAL, "NY": NY_CAL, "IN": IN_CAL, "NZ": NZ_CAL}

POLICY = Policy(
    remind_before=timedelta(minutes=60),
    escalate_after=timedelta(hours=2),
    follow_up_after=timedelta(days=2),
    eod_cutoff=timedelta(minutes=30),
)

OWNER = "U_OWNER"
LEAD = "U_LEAD"

# 2026-03-02 is a Monday; 2026-03-08 and 2026-11-01 are the US DST switches (Sundays).


def t(text: str, cal: WorkCalendar = UTC_CAL) -> datetime:
    """`2026-03-04 15:00` on `cal`'s wall clock, as an aware UTC instant (first occurrence)."""
    return datetime.fromisoformat(text).replace(tzinfo=cal.tz).astimezone(UTC)


def show(dt: datetime, cal: WorkCalendar = UTC_CAL) -> str:
    """Wall clock with offset on `cal`, so DST mistakes show up in assertions."""
    return cal.local(dt).isoformat(sep=" ", timespec="minutes")


def promise(
    due: datetime,
    created: datetime | None = None,
    *,
    kind: str = "promise",
    status: str = "open",
    **extra: object,
) -> ItemState:
    return ItemState(
        kind=kind,
        status=status,
        owner_id=OWNER,
        due_at=due,
        created_at=created if created is not None else due - timedelta(days=7),
        **extra,  # type: ignore[arg-type]
    )


def by_kind(plans: list[Planned]) -> dict[Kind, Planned]:
    kinds = [p.kind for p in plans]
    assert len(kinds) == len(set(kinds)), f"one nudge per kind, got {plans}"
    return {p.kind: p for p in plans}


def when(plans: list[Planned], cal: WorkCalendar = UTC_CAL) -> dict[str, str]:
    """{kind: local wall clock} — what a reader checks first."""
    return {p.kind.value: show(p.at, cal) for p in plans}


# Before the deadline


@pytest.mark.parametrize(
    ("remind_before", "created", "now", "expected"),
    [
        # the default hour ahead
        (60, "2026-03-02 10:00", "2026-03-02 10:00", "2026-03-04 14:00+00:00"),
        (120, "2026-03-02 10:00", "2026-03-02 10:00", "2026-03-04 13:00+00:00"),
        (15, "2026-03-02 10:00", "2026-03-04 14:00", "2026-03-04 14:45+00:00"),
        # made with less time left than that: about halfway there
        (60, "2026-03-04 14:20", "2026-03-04 14:20", "2026-03-04 14:40+00:00"),
        (60, "2026-03-04 14:00", "2026-03-04 14:00", "2026-03-04 14:30+00:00"),
        (60, "2026-03-04 14:50", "2026-03-04 14:50", "2026-03-04 14:55+00:00"),
        (60, "2026-03-04 14:56", "2026-03-04 14:56", "2026-03-04 14:58+00:00"),
        # under 2 minutes of lead time: no before-nudge at all
        (60, "2026-03-04 14:57", "2026-03-04 14:57", None),
        (60, "2026-03-04 14:59", "2026-03-04 14:59", None),
        # its moment has passed: not sent late
        (60, "2026-03-02 10:00", "2026-03-04 14:01", None),
        (60, "2026-03-04 14:20", "2026-03-04 14:41", None),
    ],
)
def test_it_plans_the_before_nudge(
    remind_before: int, created: str, now: str, expected: str | None
) -> None:
    policy = dataclasses.replace(POLICY, remind_before=timedelta(minutes=remind_before))
    due = t("2026-03-04 15:00")  # a Wednesday afternoon
    plans = by_kind(plan_item(promise(due, t(created)), policy, t(now), UTC_CAL))
    if expected is None:
        assert Kind.BEFORE not in plans
    else:
        before = plans[Kind.BEFORE]
        assert show(before.at) == expected
        assert before.recipient == OWNER
        assert before.at < due
    assert show(plans[Kind.MISSED].at) == "2026-03-04 15:00+00:00"


def test_it_plans_missed_at_the_deadline_even_once_it_has_passed() -> None:
    due = t("2026-03-04 15:00")
    for now in ("2026-03-02 10:00", "2026-03-04 14:59", "2026-03-04 15:00"):
        missed = by_kind(plan_item(promise(due), POLICY, t(now), UTC_CAL))[Kind.MISSED]
        assert (missed.recipient, missed.at) == (OWNER, due)
    # re-planned later the same working day: it is still due, so it goes now
    late = by_kind(plan_item(promise(due), POLICY, t("2026-03-04 15:20"), UTC_CAL))
    assert late[Kind.MISSED].at == t("2026-03-04 15:20")
    assert Kind.BEFORE not in late


@pytest.mark.parametrize(
    ("due", "now", "lead_cal", "expected"),
    [
        # re-planned on Saturday evening (say, handed off) after Thursday's deadline and
        # Friday's escalation time: everything waits for Monday
        (
            "2026-03-05 16:30",
            "2026-03-07 20:00",
            UTC_CAL,
            {
                "missed": "2026-03-09 09:00+00:00",
                "heads_up": "2026-03-09 09:00+00:00",
                "escalate": "2026-03-09 09:00+00:00",
            },
        ),
        # the lead's Monday (Kolkata) starts earlier, but the owner's heads-up still comes first
        (
            "2026-03-05 16:30",
            "2026-03-07 20:00",
            IN_CAL,
            {
                "missed": "2026-03-09 09:00+00:00",
                "heads_up": "2026-03-09 09:00+00:00",
                "escalate": "2026-03-09 09:00+00:00",
            },
        ),
        # re-planned on Friday evening, before the escalation's own time on Monday
        (
            "2026-03-06 16:30",
            "2026-03-06 18:00",
            UTC_CAL,
            {
                "missed": "2026-03-09 09:00+00:00",
                "heads_up": "2026-03-09 10:00+00:00",
                "escalate": "2026-03-09 10:30+00:00",
            },
        ),
        # re-planned inside working hours after the deadline: the missed nudge goes now
        (
            "2026-03-06 16:30",
            "2026-03-06 16:45",
            UTC_CAL,
            {
                "missed": "2026-03-06 16:45+00:00",
                "heads_up": "2026-03-09 10:00+00:00",
                "escalate": "2026-03-09 10:30+00:00",
            },
        ),
    ],
)
def test_it_holds_overdue_nudges_for_working_hours_when_re_planned_late(
    due: str, now: str, lead_cal: WorkCalendar, expected: dict[str, str]
) -> None:
    item = promise(t(due))
    plans = plan_item(item, POLICY, t(now), UTC_CAL, lead=LEAD, lead_cal=lead_cal)
    assert when(plans) == expected
    kinds = by_kind(plans)
    assert kinds[Kind.HEADS_UP].at <= kinds[Kind.ESCALATE].at
    assert lead_cal.is_working_time(kinds[Kind.ESCALATE].at)


# Escalation


@pytest.mark.parametrize(
    ("due", "grace", "heads_up", "escalate"),
    [
        # 16:30 + 2 h of working time with a 17:00 end of day → next working day 10:30
        ("2026-03-04 16:30", 120, "2026-03-05 10:00+00:00", "2026-03-05 10:30+00:00"),
        # Friday → Monday
        ("2026-03-06 16:30", 120, "2026-03-09 10:00+00:00", "2026-03-09 10:30+00:00"),
        # inside one day
        ("2026-03-04 10:00", 120, "2026-03-04 11:30+00:00", "2026-03-04 12:00+00:00"),
        # a short grace: the heads-up comes halfway through it
        ("2026-03-04 10:00", 20, "2026-03-04 10:10+00:00", "2026-03-04 10:20+00:00"),
        # the heads-up never comes before the deadline itself
        ("2026-03-06 16:50", 20, "2026-03-09 09:00+00:00", "2026-03-09 09:10+00:00"),
        # a deadline on a Saturday: the grace counts from Monday's start
        ("2026-03-07 11:00", 120, "2026-03-09 10:30+00:00", "2026-03-09 11:00+00:00"),
        # a whole working day of grace
        ("2026-03-04 12:00", 480, "2026-03-05 11:30+00:00", "2026-03-05 12:00+00:00"),
    ],
)
def test_it_escalates_after_working_time_with_a_heads_up_first(
    due: str, grace: int, heads_up: str, escalate: str
) -> None:
    policy = dataclasses.replace(POLICY, escalate_after=timedelta(minutes=grace))
    plans = by_kind(plan_item(promise(t(due)), policy, t("2026-03-02 08:00"), UTC_CAL, lead=LEAD))
    assert (plans[Kind.HEADS_UP].recipient, show(plans[Kind.HEADS_UP].at)) == (OWNER, heads_up)
    assert (plans[Kind.ESCALATE].recipient, show(plans[Kind.ESCALATE].at)) == (LEAD, escalate)
    assert plans[Kind.HEADS_UP].at < plans[Kind.ESCALATE].at


@pytest.mark.parametrize("lead", [None, "", OWNER])
def test_it_does_not_escalate_without_a_lead_or_to_the_owner(lead: str | None) -> None:
    plans = plan_item(
        promise(t("2026-03-04 16:30")), POLICY, t("2026-03-02 08:00"), UTC_CAL, lead=lead
    )
    assert {p.kind for p in plans} == {Kind.BEFORE, Kind.MISSED}
    assert {p.recipient for p in plans} == {OWNER}


@pytest.mark.parametrize(
    ("owner_cal", "lead_cal", "due", "heads_up", "escalate"),
    [
        # owner in New York, lead in Kolkata: 16:00 EST is 02:30 IST, so the lead hears at 09:00
        (NY_CAL, IN_CAL, "2026-03-04 14:00", "2026-03-04 15:30-05:00", "2026-03-05 09:00+05:30"),
        # lead in New York with US holidays: the grace ends on Christmas Day → Monday
        (UTC_CAL, US_CAL, "2026-12-24 16:30", "2026-12-25 10:00+00:00", "2026-12-28 09:00-05:00"),
        # lead in Auckland, the next morning there
        (UTC_CAL, NZ_CAL, "2026-03-04 10:00", "2026-03-04 11:30+00:00", "2026-03-05 09:00+13:00"),
        # no lead calendar: the owner's is used
        (NY_CAL, None, "2026-03-04 16:30", "2026-03-05 10:00-05:00", "2026-03-05 10:30-05:00"),
    ],
)
def test_it_uses_the_leads_calendar_for_the_escalation(
    owner_cal: WorkCalendar,
    lead_cal: WorkCalendar | None,
    due: str,
    heads_up: str,
    escalate: str,
) -> None:
    plans = by_kind(
        plan_item(
            promise(t(due, owner_cal)),
            POLICY,
            t("2026-03-02 00:00"),
            owner_cal,
            lead=LEAD,
            lead_cal=lead_cal,
        )
    )
    shown_in = lead_cal or owner_cal
    assert show(plans[Kind.HEADS_UP].at, owner_cal) == heads_up
    assert show(plans[Kind.ESCALATE].at, shown_in) == escalate
    assert shown_in.is_working_time(plans[Kind.ESCALATE].at)
    assert plans[Kind.HEADS_UP].at < plans[Kind.ESCALATE].at


# Snoozed


@pytest.mark.parametrize(
    ("snoozed_until", "due", "now", "expected"),
    [
        # snoozed for 30 min off the before-nudge
        (
            "2026-03-04 14:30",
            "2026-03-04 15:00",
            "2026-03-04 14:00",
            {"snoozed": "2026-03-04 14:30+00:00", "missed": "2026-03-04 15:00+00:00"},
        ),
        # snoozed until tomorrow morning, deadline later that day
        (
            "2026-03-05 09:00",
            "2026-03-05 15:00",
            "2026-03-04 16:00",
            {"snoozed": "2026-03-05 09:00+00:00", "missed": "2026-03-05 15:00+00:00"},
        ),
        # a snooze that has ended is forgotten: the before-nudge is back
        (
            "2026-03-04 10:00",
            "2026-03-04 15:00",
            "2026-03-04 11:00",
            {"before": "2026-03-04 14:00+00:00", "missed": "2026-03-04 15:00+00:00"},
        ),
    ],
)
def test_it_sends_the_snoozed_reminder_at_the_snooze_end(
    snoozed_until: str, due: str, now: str, expected: dict[str, str]
) -> None:
    item = promise(t(due), snoozed_until=t(snoozed_until))
    plans = plan_item(item, POLICY, t(now), UTC_CAL)
    assert when(plans) == expected
    for p in plans:
        assert p.recipient == OWNER
        if p.kind is Kind.SNOOZED:
            assert p.reason == f"snoozed@{t(snoozed_until).isoformat()}"


@pytest.mark.parametrize(
    ("snoozed_until", "due", "expected"),
    [
        # snoozed past the deadline: no "coming up" after it passed; all waits for the snooze
        (
            "2026-03-05 10:00",
            "2026-03-04 15:00",
            {
                "missed": "2026-03-05 10:00+00:00",
                "heads_up": "2026-03-05 10:00+00:00",
                "escalate": "2026-03-05 10:00+00:00",
            },
        ),
        # snoozed past end of day: the reminder waits for the owner's next working start
        (
            "2026-03-04 17:20",
            "2026-03-05 12:00",
            {
                "snoozed": "2026-03-05 09:00+00:00",
                "missed": "2026-03-05 12:00+00:00",
                "heads_up": "2026-03-05 13:30+00:00",
                "escalate": "2026-03-05 14:00+00:00",
            },
        ),
        # snoozed into the weekend, deadline Monday noon
        (
            "2026-03-07 10:00",
            "2026-03-09 12:00",
            {
                "snoozed": "2026-03-09 09:00+00:00",
                "missed": "2026-03-09 12:00+00:00",
                "heads_up": "2026-03-09 13:30+00:00",
                "escalate": "2026-03-09 14:00+00:00",
            },
        ),
        # snoozed past end of day and past a deadline at 17:10: it all waits for the morning
        (
            "2026-03-04 17:30",
            "2026-03-04 17:10",
            {
                "missed": "2026-03-05 09:00+00:00",
                "heads_up": "2026-03-05 10:30+00:00",
                "escalate": "2026-03-05 11:00+00:00",
            },
        ),
    ],
)
def test_it_sends_nothing_about_a_snoozed_item_before_the_snooze_ends(
    snoozed_until: str, due: str, expected: dict[str, str]
) -> None:
    now = t("2026-03-04 13:00")  # the before-nudge (an hour ahead) is still to come
    item = promise(t(due), snoozed_until=t(snoozed_until))
    plans = plan_item(item, POLICY, now, UTC_CAL, lead=LEAD)
    assert when(plans) == expected
    for p in plans:
        assert p.at >= t(snoozed_until), p
        assert UTC_CAL.is_working_time(p.at), p


# Closed, cancelled, waiting


@pytest.mark.parametrize(
    ("cal", "closed", "days", "expected"),
    [
        (UTC_CAL, "2026-03-04 11:00", 2, "2026-03-06 11:00+00:00"),  # Wed → Fri
        (UTC_CAL, "2026-03-05 11:00", 2, "2026-03-09 11:00+00:00"),  # Thu → Mon (weekend skipped)
        (UTC_CAL, "2026-03-06 15:00", 1, "2026-03-09 15:00+00:00"),  # Fri → Mon
        (UTC_CAL, "2026-03-06 15:00", 0, "2026-03-09 15:00+00:00"),  # at least one working day
        (UTC_CAL, "2026-03-04 07:30", 1, "2026-03-05 09:00+00:00"),  # before hours → day start
        (UTC_CAL, "2026-03-04 16:59", 1, "2026-03-05 16:59+00:00"),
        (US_CAL, "2026-12-24 11:00", 1, "2026-12-28 11:00-05:00"),  # Christmas Day skipped
        (NY_CAL, "2026-03-06 10:00", 1, "2026-03-09 10:00-04:00"),  # across spring-forward
        (NY_CAL, "2026-10-30 10:00", 1, "2026-11-02 10:00-05:00"),  # across fall-back
        (IN_CAL, "2026-03-05 12:00", 2, "2026-03-09 12:00+05:30"),
        (NZ_CAL, "2026-04-02 12:00", 2, "2026-04-06 12:00+12:00"),  # NZ DST ends 04-05
    ],
)
def test_it_follows_up_working_days_after_a_promise_is_done(
    cal: WorkCalendar, closed: str, days: int, expected: str
) -> None:
    policy = dataclasses.replace(POLICY, follow_up_after=timedelta(days=days, hours=5))
    closed_at = t(closed, cal)
    item = promise(closed_at, status="done", closed_at=closed_at)
    plans = plan_item(item, policy, closed_at, cal, lead=LEAD, lead_cal=UTC_CAL)
    assert [(p.kind, p.recipient, show(p.at, cal)) for p in plans] == [
        (Kind.FOLLOW_UP, OWNER, expected)
    ]
    assert plans[0].reason == f"follow_up@{closed_at.isoformat()}"


def test_it_does_not_follow_up_once_the_moment_has_passed() -> None:
    closed_at = t("2026-03-04 11:00")
    item = promise(closed_at, status="done", closed_at=closed_at)
    assert plan_item(item, POLICY, t("2026-03-06 11:00"), UTC_CAL) != []
    assert plan_item(item, POLICY, t("2026-03-06 11:01"), UTC_CAL) == []


@pytest.mark.parametrize(
    "item",
    [
        promise(
            t("2026-03-04 15:00"), kind="reply", status="done", closed_at=t("2026-03-04 10:00")
        ),
        promise(t("2026-03-04 15:00"), status="done"),  # no closing time known
        promise(t("2026-03-04 15:00"), status="cancelled", closed_at=t("2026-03-04 10:00")),
        promise(t("2026-03-04 15:00"), kind="reply", status="cancelled"),
        promise(t("2026-03-04 15:00"), waiting=True),
        promise(t("2026-03-04 15:00"), kind="reply", waiting=True),
        promise(t("2026-03-04 15:00"), waiting=True, snoozed_until=t("2026-03-04 14:30")),
    ],
    ids=[
        "reply-done",
        "done-unknown-close",
        "cancelled",
        "reply-cancelled",
        "waiting",
        "reply-waiting",
        "waiting-snoozed",
    ],
)
def test_it_plans_nothing_for_replies_closed_cancelled_or_waiting_items(item: ItemState) -> None:
    assert plan_item(item, POLICY, t("2026-03-04 09:00"), UTC_CAL, lead=LEAD) == []


# Working hours, weekends, holidays, time zones, DST


@pytest.mark.parametrize(
    ("cal", "remind_before", "due", "now", "expected"),
    [
        # a before-nudge at 07:00 waits for 09:00 (the deadline is later)
        (
            "UTC",
            180,
            "2026-03-04 10:00",
            "2026-03-03 12:00",
            {"before": "2026-03-04 09:00+00:00", "missed": "2026-03-04 10:00+00:00"},
        ),
        # a deadline at 07:00: missed waits for 09:00, the before-nudge goes the evening before
        (
            "UTC",
            60,
            "2026-03-04 07:00",
            "2026-03-03 12:00",
            {"before": "2026-03-03 16:59+00:00", "missed": "2026-03-04 09:00+00:00"},
        ),
        # a deadline on Saturday: missed waits for Monday 09:00, the before-nudge goes Friday
        (
            "UTC",
            60,
            "2026-03-07 11:00",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59+00:00", "missed": "2026-03-09 09:00+00:00"},
        ),
        # Monday 08:30: the before-nudge at the last working moment before (Friday 16:59)
        (
            "UTC",
            60,
            "2026-03-09 08:30",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59+00:00", "missed": "2026-03-09 09:00+00:00"},
        ),
        # Monday 09:00 sharp: a before-nudge at the deadline says nothing; Friday 16:59 it is
        (
            "UTC",
            60,
            "2026-03-09 09:00",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59+00:00", "missed": "2026-03-09 09:00+00:00"},
        ),
        # Monday 09:30: the before-nudge (08:30) waits for 09:00, still before the deadline
        (
            "UTC",
            60,
            "2026-03-09 09:30",
            "2026-03-05 12:00",
            {"before": "2026-03-09 09:00+00:00", "missed": "2026-03-09 09:30+00:00"},
        ),
        # an evening deadline: before-nudge at 16:59, missed next morning
        (
            "UTC",
            60,
            "2026-03-04 18:00",
            "2026-03-04 12:00",
            {"before": "2026-03-04 16:59+00:00", "missed": "2026-03-05 09:00+00:00"},
        ),
        # the before-nudge at 16:30 is inside working hours as it is
        (
            "UTC",
            60,
            "2026-03-04 17:30",
            "2026-03-04 12:00",
            {"before": "2026-03-04 16:30+00:00", "missed": "2026-03-05 09:00+00:00"},
        ),
        # Christmas Day (a Friday) is a US holiday: Thursday 16:59 and Monday 09:00
        (
            "US",
            60,
            "2026-12-25 12:00",
            "2026-12-22 12:00",
            {"before": "2026-12-24 16:59-05:00", "missed": "2026-12-28 09:00-05:00"},
        ),
        # Thanksgiving: Wednesday 16:59 and Friday 09:00
        (
            "US",
            60,
            "2026-11-26 10:00",
            "2026-11-23 12:00",
            {"before": "2026-11-25 16:59-05:00", "missed": "2026-11-27 09:00-05:00"},
        ),
        # the same day without a holiday calendar is an ordinary Friday
        (
            "NY",
            60,
            "2026-12-25 12:00",
            "2026-12-22 12:00",
            {"before": "2026-12-25 11:00-05:00", "missed": "2026-12-25 12:00-05:00"},
        ),
        # New York evening → next morning there
        (
            "NY",
            60,
            "2026-03-04 18:00",
            "2026-03-04 12:00",
            {"before": "2026-03-04 16:59-05:00", "missed": "2026-03-05 09:00-05:00"},
        ),
        # Kolkata (UTC+05:30): a Friday night deadline → Monday 09:00 IST
        (
            "IN",
            60,
            "2026-03-06 20:00",
            "2026-03-06 10:00",
            {"before": "2026-03-06 16:59+05:30", "missed": "2026-03-09 09:00+05:30"},
        ),
        (
            "IN",
            60,
            "2026-03-06 12:30",
            "2026-03-06 10:00",
            {"before": "2026-03-06 11:30+05:30", "missed": "2026-03-06 12:30+05:30"},
        ),
        # Auckland (UTC+13:00 in March): early-morning deadline
        (
            "NZ",
            60,
            "2026-03-06 08:00",
            "2026-03-04 12:00",
            {"before": "2026-03-05 16:59+13:00", "missed": "2026-03-06 09:00+13:00"},
        ),
        # US spring-forward (Sunday 2026-03-08): Saturday deadline → Monday 09:00 EDT
        (
            "NY",
            60,
            "2026-03-07 12:00",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59-05:00", "missed": "2026-03-09 09:00-04:00"},
        ),
        # a deadline in the spring-forward gap itself (02:30 does not exist → 03:30 EDT)
        (
            "NY",
            60,
            "2026-03-08 02:30",
            "2026-03-05 12:00",
            {"before": "2026-03-06 16:59-05:00", "missed": "2026-03-09 09:00-04:00"},
        ),
        # US fall-back (Sunday 2026-11-01): the ambiguous 01:30 is its first (EDT) occurrence
        (
            "NY",
            60,
            "2026-11-01 01:30",
            "2026-10-29 12:00",
            {"before": "2026-10-30 16:59-04:00", "missed": "2026-11-02 09:00-05:00"},
        ),
        # NZ DST ends Sunday 2026-04-05
        (
            "NZ",
            60,
            "2026-04-04 12:00",
            "2026-04-01 12:00",
            {"before": "2026-04-03 16:59+13:00", "missed": "2026-04-06 09:00+12:00"},
        ),
    ],
)
def test_it_keeps_nudges_in_the_owners_working_hours(
    cal: str, remind_before: int, due: str, now: str, expected: dict[str, str]
) -> None:
    calendar = CALENDARS[cal]
    policy = dataclasses.replace(POLICY, remind_before=timedelta(minutes=remind_before))
    item = promise(t(due, calendar))
    plans = plan_item(item, policy, t(now, calendar), calendar)
    assert when(plans, calendar) == expected
    for p in plans:
        assert calendar.is_working_time(p.at), p


@pytest.mark.parametrize(
    ("cal", "due", "heads_up", "escalate"),
    [
        # spring-forward between the deadline and the escalation
        ("NY", "2026-03-06 16:30", "2026-03-09 10:00-04:00", "2026-03-09 10:30-04:00"),
        # fall-back between them
        ("NY", "2026-10-30 16:30", "2026-11-02 10:00-05:00", "2026-11-02 10:30-05:00"),
        # the Friday before a Monday holiday? Christmas is on Friday: Thursday → Monday
        ("US", "2026-12-24 16:30", "2026-12-28 10:00-05:00", "2026-12-28 10:30-05:00"),
        ("NZ", "2026-04-03 16:30", "2026-04-06 10:00+12:00", "2026-04-06 10:30+12:00"),
        ("IN", "2026-03-06 16:30", "2026-03-09 10:00+05:30", "2026-03-09 10:30+05:30"),
    ],
)
def test_it_counts_the_grace_in_working_time_across_dst_and_holidays(
    cal: str, due: str, heads_up: str, escalate: str
) -> None:
    calendar = CALENDARS[cal]
    plans = plan_item(promise(t(due, calendar)), POLICY, t("2026-01-01 00:00"), calendar, lead=LEAD)
    shown = when(plans, calendar)
    assert (shown["heads_up"], shown["escalate"]) == (heads_up, escalate)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-03-04 07:00", "2026-03-04 09:00+00:00"),  # before hours → 09:00
        ("2026-03-04 10:00", "2026-03-04 10:00+00:00"),  # inside → as is
        ("2026-03-04 17:00", "2026-03-05 09:00+00:00"),  # the end of day is not working time
        ("2026-03-07 10:00", "2026-03-09 09:00+00:00"),  # Saturday → Monday 09:00
        ("2026-03-08 23:59", "2026-03-09 09:00+00:00"),
    ],
)
def test_it_moves_a_moment_into_working_hours(at: str, expected: str) -> None:
    assert show(working(t(at), UTC_CAL)) == expected


@pytest.mark.parametrize(
    ("at", "deadline", "expected"),
    [
        ("2026-03-09 07:30", "2026-03-09 08:30", "2026-03-06 16:59+00:00"),  # Mon → Fri
        ("2026-03-04 17:30", "2026-03-04 18:00", "2026-03-04 16:59+00:00"),  # the same evening
        ("2026-03-07 10:00", "2026-03-07 11:00", "2026-03-06 16:59+00:00"),  # Saturday → Friday
        ("2026-03-04 07:00", "2026-03-04 10:00", "2026-03-04 09:00+00:00"),  # start comes first
    ],
)
def test_it_goes_at_the_last_working_moment_when_the_deadline_comes_first(
    at: str, deadline: str, expected: str
) -> None:
    assert show(working(t(at), UTC_CAL, t(deadline))) == expected


@pytest.mark.parametrize(
    ("cal", "at", "expected"),
    [
        ("UTC", "2026-03-09 08:30", "2026-03-06 16:59+00:00"),
        ("UTC", "2026-03-04 18:00", "2026-03-04 16:59+00:00"),
        ("UTC", "2026-03-04 12:00", "2026-03-04 12:00+00:00"),
        ("US", "2026-12-26 10:00", "2026-12-24 16:59-05:00"),
        ("US", "2026-12-28 08:00", "2026-12-24 16:59-05:00"),
        ("NY", "2026-03-09 08:00", "2026-03-06 16:59-05:00"),  # over spring-forward
        ("NZ", "2026-04-06 08:00", "2026-04-03 16:59+13:00"),  # over NZ DST end
    ],
)
def test_it_finds_the_last_working_moment_before(cal: str, at: str, expected: str) -> None:
    calendar = CALENDARS[cal]
    assert show(last_working_moment_before(t(at, calendar), calendar), calendar) == expected


# End of day


@pytest.mark.parametrize(
    ("cal", "cutoff", "now", "expected_at", "expected_reason"),
    [
        ("UTC", 30, "2026-03-04 10:00", "2026-03-04 16:30+00:00", "eod@2026-03-04"),
        ("UTC", 30, "2026-03-04 07:00", "2026-03-04 16:30+00:00", "eod@2026-03-04"),
        ("UTC", 30, "2026-03-04 16:29", "2026-03-04 16:30+00:00", "eod@2026-03-04"),
        ("UTC", 30, "2026-03-04 16:31", "2026-03-05 16:30+00:00", "eod@2026-03-05"),
        ("UTC", 30, "2026-03-04 23:30", "2026-03-05 16:30+00:00", "eod@2026-03-05"),
        ("UTC", 30, "2026-03-06 16:45", "2026-03-09 16:30+00:00", "eod@2026-03-09"),  # Fri late
        ("UTC", 30, "2026-03-07 10:00", "2026-03-09 16:30+00:00", "eod@2026-03-09"),  # Saturday
        ("UTC", 30, "2026-03-08 10:00", "2026-03-09 16:30+00:00", "eod@2026-03-09"),  # Sunday
        ("UTC", 60, "2026-03-04 10:00", "2026-03-04 16:00+00:00", "eod@2026-03-04"),
        ("UTC", 0, "2026-03-04 16:50", "2026-03-04 17:00+00:00", "eod@2026-03-04"),
        # a cutoff longer than the day: at the start of the day, never the day before
        ("UTC", 600, "2026-03-04 08:00", "2026-03-04 09:00+00:00", "eod@2026-03-04"),
        ("US", 30, "2026-12-24 17:00", "2026-12-28 16:30-05:00", "eod@2026-12-28"),  # Christmas
        ("US", 30, "2026-12-25 10:00", "2026-12-28 16:30-05:00", "eod@2026-12-28"),
        ("NY", 30, "2026-03-06 18:00", "2026-03-09 16:30-04:00", "eod@2026-03-09"),  # DST
        ("NY", 30, "2026-10-30 18:00", "2026-11-02 16:30-05:00", "eod@2026-11-02"),  # DST
        ("IN", 30, "2026-03-04 17:30", "2026-03-05 16:30+05:30", "eod@2026-03-05"),
        # Auckland: the local day, not the UTC one (02:00 UTC on the 6th is 15:00 NZDT)
        ("NZ", 30, "2026-03-06 15:00", "2026-03-06 16:30+13:00", "eod@2026-03-06"),
        ("NZ", 30, "2026-03-06 23:00", "2026-03-09 16:30+13:00", "eod@2026-03-09"),
    ],
)
def test_it_finds_the_next_end_of_day_moment(
    cal: str, cutoff: int, now: str, expected_at: str, expected_reason: str
) -> None:
    calendar = CALENDARS[cal]
    at, reason = next_eod(calendar, timedelta(minutes=cutoff), t(now, calendar))
    assert (show(at, calendar), reason) == (expected_at, expected_reason)


def test_it_gives_one_eod_reason_per_local_day() -> None:
    seen: dict[str, datetime] = {}
    now = t("2026-03-02 00:00", NZ_CAL)
    while now < t("2026-04-30 00:00", NZ_CAL):
        at, reason = next_eod(NZ_CAL, timedelta(minutes=30), now)
        assert seen.setdefault(reason, at) == at  # the same day always has the same moment
        assert reason == f"eod@{NZ_CAL.today(at).isoformat()}"
        now += timedelta(minutes=47)
    days = sorted(seen)
    assert len(days) == len(set(seen.values()))
    assert all(NZ_CAL.is_working_day(date.fromisoformat(r[4:])) for r in days)


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
    from zoneinfo import ZoneInfo

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
