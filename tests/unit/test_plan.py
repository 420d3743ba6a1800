"""Which nudges an item gets, and when: before, missed, escalation, snooze, closed items."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.calendar import WorkCalendar
from bot.core.plan import (
    ItemState,
    Kind,
    Planned,
    heard_today,
    plan_item,
)
from tests.unit.plan_cases import (
    IN_CAL,
    LEAD,
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
    when,
)

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


# Heard the same day


def _reply(due: datetime, kind: str = "reply") -> ItemState:
    return ItemState(kind=kind, status="open", owner_id=OWNER, due_at=due, created_at=due)


def test_a_client_message_after_the_end_of_day_dm_is_heard_at_once() -> None:
    now = datetime(2026, 3, 3, 16, 40, tzinfo=UTC)  # a Tuesday, after the 16:30 DM
    tomorrow = datetime(2026, 3, 4, 17, tzinfo=UTC)
    heard = heard_today(_reply(tomorrow), now, UTC_CAL, eod_sent_today=True)
    assert heard == Planned(Kind.ARRIVED, OWNER, now, "arrived@2026-03-03")


@pytest.mark.parametrize(
    ("kind", "at", "sent"),
    [
        ("reply", datetime(2026, 3, 3, 16, 40, tzinfo=UTC), False),  # the list will carry it
        ("reply", datetime(2026, 3, 3, 17, 30, tzinfo=UTC), True),  # the day is over
        ("reply", datetime(2026, 3, 7, 12, tzinfo=UTC), True),  # a Saturday
        ("promise", datetime(2026, 3, 3, 16, 40, tzinfo=UTC), True),  # not a client message
    ],
)
def test_nothing_is_heard_early_otherwise(kind: str, at: datetime, sent: bool) -> None:
    item = _reply(datetime(2026, 3, 4, 17, tzinfo=UTC), kind)
    assert heard_today(item, at, UTC_CAL, eod_sent_today=sent) is None
