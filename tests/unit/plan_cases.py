"""Calendars, a policy and small helpers shared by the plan tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.core.plan import (
    ItemState,
    Kind,
    Planned,
    Policy,
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
