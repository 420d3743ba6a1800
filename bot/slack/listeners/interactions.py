"""Clicks and form submissions that change something go through the intake: stored before
their ack, done after it by one handler that finds the work by the stored payload (a
click's `action_id`, a form's `callback_id`), so a click or form acked just before a crash
is done after the restart by the same code as a live one.

Form *openers* stay outside: a form can only be opened within 3 seconds of its click. Done
is both: it opens "Who helped?", or closes on the click (also when the form can't open, as
after a restart), so it is stored and runs in the pool's first lane.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.core.intake import Request, RequestKind
from bot.slack.intake import Intake

log = logging.getLogger(__name__)

# What a stored click or form does: its request (whose key makes the change once) and body.
Work = Callable[[Request, dict[str, Any]], None]
# A form's check in its ack: the errors to show under their fields (none: it is accepted).
Check = Callable[[dict[str, Any], dict[str, Any]], dict[str, str]]

NOT_SAVED = "I couldn't save that just now, so nothing was done. Please submit again in a minute."


class Interactions:
    """The clicks and forms the intake runs, by `action_id` and `callback_id`."""

    def __init__(self, app: App, intake: Intake) -> None:
        self.app = app
        self.intake = intake
        self._clicks: dict[str, Work] = {}
        self._forms: dict[str, Work] = {}
        intake.handle(RequestKind.INTERACTION, self.run)

    def click(self, action_id: str, work: Work, *, first: bool = False) -> None:
        """Store the click, then ack; one that can't be stored gets an error (HTTP 500), and
        Slack shows the person it failed, so they click again. `first`: it may open a form
        (the pool's first lane), and its work copes with a trigger expired since."""
        self._clicks[action_id] = work

        def listener(ack: Ack, body: dict[str, Any]) -> None:
            self.intake.take(RequestKind.INTERACTION, body, first=first)
            ack()

        self.app.action(action_id)(listener)

    def form(self, callback_id: str, check: Check, work: Work, field: str) -> None:
        """Check the submission in its ack (errors show under their fields); store a valid
        one, then ack (the form closes). One that can't be stored stays open with an error
        under `field`, so it is not taken for done."""
        self._forms[callback_id] = work

        def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            errors = check(body, view)
            if errors:
                ack(response_action="errors", errors=errors)
                return
            try:
                self.intake.take(RequestKind.INTERACTION, body)
            except Exception:
                log.exception("could not store a %s submission", callback_id)
                ack(response_action="errors", errors={field: NOT_SAVED})
                return
            ack()

        self.app.view(callback_id)(listener)

    def run(self, request: Request, body: dict[str, Any]) -> None:
        """The intake's handler: live and recovered requests alike."""
        if body.get("type") == "view_submission":
            work = self._forms.get(str((body.get("view") or {}).get("callback_id")))
        else:
            work = self._clicks.get(str(((body.get("actions") or [{}])[0]).get("action_id")))
        if work is None:  # stored by a version that knew it; nothing to do now
            log.warning("no work for a stored %s interaction", body.get("type"))
            return
        work(request, body)
