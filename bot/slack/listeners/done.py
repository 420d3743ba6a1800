"""Done on a nudge (or in App Home): "Who helped?", then close and thank.

A small form with one optional multi-person picker. Left empty, its Submit closes at once,
so closing stays a click and a Return; anyone picked is thanked by name in the channel
with the owner, as with `/promise done 42 @sam @lee`. Items that get no public thank-you
(replies owed to a client, promises made outside a channel) close on the click itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.intake import Request
from bot.slack.blocks import nudges
from bot.slack.listeners.actions import (
    answer_click,
    clicked_item,
    form_meta,
    on_done,
    people_errors,
    run_form,
    who_clicked,
)
from bot.slack.listeners.interactions import Interactions
from bot.slack.modals import who_helped as who_helped_form
from bot.slack.notifier import SlackNotifier
from bot.usecases.home import HomeRefresher
from bot.usecases.promises import Promises
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)


def open_who_helped(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    close_now = on_done(promises, refresher, notifier)

    def done(request: Request, body: dict[str, Any]) -> None:
        who = who_clicked(body, request)
        item_id = clicked_item(body)
        refusal = promises.may_change(who, item_id, "close")
        if refusal is not None:  # a stranger or a stale button: say so, open nothing
            answer_click(refresher, notifier, body, refusal)
            return
        item = promises.item(who.team_id, item_id)
        if item is None or item.kind != "promise" or not item.channel_id:
            close_now(body, request)  # no public thank-you, so nobody to credit: close on the click
            return
        meta = form_meta(body, item.id)
        try:
            notifier.client.views_open(
                trigger_id=body["trigger_id"], view=who_helped_form.modal(item, meta)
            )
        except SlackApiError as e:  # e.g. the trigger expired under load: close anyway
            log.warning(
                "could not open the Who helped? form (%s); closing", e.response.get("error")
            )
            close_now(body, request)

    return done


def check_helpers(workplace: Workplace) -> Callable[..., dict[str, str]]:
    """Refuse bots and deactivated accounts under the field, before anything closes."""

    def check(body: dict[str, Any], view: dict[str, Any]) -> dict[str, str]:
        helpers = who_helped_form.helpers_of(view)
        team = who_clicked(body).team_id
        return people_errors(workplace, team, who_helped_form.HELPERS, helpers, "helper")

    return check


def apply_done(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def apply(request: Request, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = json.loads(view["private_metadata"])
        who = who_clicked(body, request)
        helpers = who_helped_form.helpers_of(view)
        run_form(
            refresher,
            notifier,
            who,
            meta,
            lambda: promises.close(who, int(meta["item"]), helpers),
        )

    return apply


def register(
    interactions: Interactions,
    promises: Promises,
    workplace: Workplace,
    refresher: HomeRefresher,
    notifier: SlackNotifier,
) -> None:
    # It opens a form, which Slack allows only within 3 seconds: the pool's first lane; it
    # closes on the click when there is nobody to thank or the form can't open (a restart).
    interactions.click(nudges.DONE, open_who_helped(promises, refresher, notifier), first=True)
    interactions.form(
        who_helped_form.CALLBACK,
        check_helpers(workplace),
        apply_done(promises, refresher, notifier),
        who_helped_form.HELPERS,
    )
