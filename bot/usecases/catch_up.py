"""The catch-up summary a person's DM gets in place of their stale missed and heads-up
lines: the rule is bot.core.catchup; this builds the summary from the dispatcher's nudges
and views, and keeps it in step when some of its rows are taken over."""

from __future__ import annotations

from datetime import datetime

from bot.core import catchup
from bot.core.calendar import WorkCalendar
from bot.core.nudges import Nudge
from bot.usecases.ports import CatchUp, NudgeView


def summary_of(
    nudges: list[Nudge], views: list[NudgeView], now: datetime, cal: WorkCalendar
) -> CatchUp | None:
    """The summary the person's stale missed and heads-up lines become, if they do."""
    by_id = {n.id: n for n in nudges}
    lines = [
        catchup.Line(
            v.nudge_id,
            v.kind,
            v.item.id,
            by_id[v.nudge_id].due_at,
            by_id[v.nudge_id].created_at,
            v.item.due_at,
        )
        for v in views
        if v.item is not None
    ]
    folded = catchup.folded(lines, now)
    if not folded:
        return None
    items = [v.item for v in views if v.nudge_id in folded and v.item is not None]
    ranked = catchup.order(items, now, cal)
    return CatchUp(folded, ranked.items, ranked.backlog)


def kept_of(summary: CatchUp, views: list[NudgeView]) -> CatchUp | None:
    """The summary of the views still held (another process took the others over)."""
    kept = [v for v in views if v.nudge_id in summary.nudge_ids and v.item is not None]
    if not kept:
        return None
    ids = {v.item.id for v in kept if v.item is not None}
    backlog = summary.items[len(summary.items) - summary.backlog :]
    return CatchUp(
        frozenset(v.nudge_id for v in kept),
        tuple(i for i in summary.items if i.id in ids),
        sum(1 for i in backlog if i.id in ids),
    )
