"""The end of a wait on the client, as a nudge kind: not a message; when its row comes due,
the item's clock runs again (`Promises.resume`)."""

from __future__ import annotations

from functools import partial

from bot.core.nudges import Nudge
from bot.usecases.nudge_kinds import Due, Skip
from bot.usecases.promises import Promises


class ResumeNudge:
    """The outbox row that ends a wait on the client: not a message, the clock runs again."""

    needs_escalation = False
    may_go_early = False

    def __init__(self, promises: Promises) -> None:
        self.promises = promises

    def check(self, n: Nudge, due: Due) -> Skip:
        item = due.item(n)
        resume = None if item is None else partial(self.promises.resume, item)
        return Skip("the wait ended; the clock runs again", counted=False, then=resume)
