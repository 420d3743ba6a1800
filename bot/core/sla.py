"""When a client's message must be answered by."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.calendar import WorkCalendar


def reply_due(
    received: datetime, cal: WorkCalendar, *, cutoff: timedelta, within: timedelta | None
) -> datetime:
    """End of the working day it came in, or the next working day's end after the cutoff.

    With a working-hours SLA (`within`, e.g. 4h), that much working time after it came in.
    """
    if within is not None:
        return cal.add_working_time(received, within)
    today = cal.today(received)
    if cal.is_working_day(today) and received < cal.end_of_day_on(today) - cutoff:
        return cal.end_of_day_on(today)
    return cal.end_of_day_on(cal.next_working_day(today))
