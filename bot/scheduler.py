"""APScheduler provides only the ticks (nudges, and hourly housekeeping); the schedule itself
lives in the nudges table, so a restart loses nothing and replicas share one schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.usecases.dispatch import Dispatcher

log = logging.getLogger(__name__)


HOUSEKEEPING = timedelta(hours=1)


def start_ticking(
    dispatcher: Dispatcher,
    every: timedelta,
    housekeeping: Callable[[], object] | None = None,
    renew: Callable[[], object] | None = None,
) -> BackgroundScheduler:
    """Run `dispatcher.tick` every `every`, never two at once, skipping missed runs;
    `renew` (the leases of what this process holds) every `every` too, on its own: a tick
    slow at Slack must not let them lapse; and `housekeeping` (clearing old records) every
    hour."""
    scheduler = BackgroundScheduler(timezone="UTC")
    side_jobs = [
        (renew, every, "renew", "renewing leases failed; the next try is in a tick"),
        (
            housekeeping,
            HOUSEKEEPING,
            "housekeeping",
            "housekeeping failed; it runs again in an hour",
        ),
    ]
    for job, interval, job_id, failed in side_jobs:
        if job is not None:
            scheduler.add_job(
                _guarded,
                IntervalTrigger(seconds=interval.total_seconds()),
                args=[job, failed],
                id=job_id,
                max_instances=1,
                coalesce=True,
            )
    scheduler.add_job(
        _tick,
        IntervalTrigger(seconds=every.total_seconds()),
        args=[dispatcher],
        id="dispatch",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=None,
    )
    scheduler.start()
    scheduler.modify_job("dispatch", next_run_time=_now())  # the first tick right away
    return scheduler


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _tick(dispatcher: Dispatcher) -> None:
    try:
        result = dispatcher.tick()
    except Exception:
        log.exception("dispatch tick failed; the next tick tries again")
        return
    if result.sent or result.failed or result.skipped or result.retried:
        log.info(
            "nudges: %s sent, %s skipped, %s retried, %s failed",
            result.sent,
            result.skipped,
            result.retried,
            result.failed,
        )


def _guarded(job: Callable[[], object], failed: str) -> None:
    try:
        job()
    except Exception:
        log.exception(failed)
