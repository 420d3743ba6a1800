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

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.service import Service
from bot.slack import blocks, nudges
from bot.slack.client import respond
from bot.slack.listeners import home
from bot.slack.listeners.actions import (
    _after_modal,
    _item_id,
    _summary,
    on_done,
    where,
    who_clicked,
)
from bot.slack.listeners.commands import ack_now
from bot.slack.notifier import SlackNotifier
from bot.store.models import Item

log = logging.getLogger(__name__)

DONE_VIEW = "done_helpers"
MAX_HELPERS = 20


def open_who_helped(service: Service, notifier: SlackNotifier) -> Callable[..., None]:
    close_now = on_done(service, notifier)

    def done(body: dict[str, Any], client: WebClient) -> None:
        who = who_clicked(body)
        item_id = _item_id(body)
        refusal = service.may_change(who, item_id, "close")
        if refusal is not None:  # a stranger or a stale button: say so, open nothing
            if home.from_home(body):  # no response_url from the Home tab: say it there
                home.show_on_home(service, who, _summary(refusal))
                return
            respond(body.get("response_url"), blocks.render(refusal))
            return
        item = service.repo.get_item(who.team_id, item_id)
        if item is None or item.kind != "promise" or not item.channel_id:
            close_now(body)  # no public thank-you, so nobody to credit: close on the click
            return
        meta = json.dumps({"item": item.id, **where(body), "home": home.from_home(body)})
        try:
            client.views_open(trigger_id=body["trigger_id"], view=who_helped_modal(item, meta))
        except SlackApiError as e:  # e.g. the trigger expired under load: close anyway
            log.warning(
                "could not open the Who helped? form (%s); closing", e.response.get("error")
            )
            close_now(body)

    return done


def who_helped_modal(item: Item, meta: str) -> dict[str, Any]:
    intro = (
        f"*#{item.id}* {blocks._describe(item)}\n"
        f"I'll thank <@{item.owner_id}> in <#{item.channel_id}>. Did anyone help? "
        "Add them to be thanked by name too, or just press *Close and thank*."
    )
    return {
        "type": "modal",
        "callback_id": DONE_VIEW,
        "title": {"type": "plain_text", "text": f"Close #{item.id}"[:24]},
        "submit": {"type": "plain_text", "text": "Close and thank"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": meta,
        "blocks": [
            blocks._section(intro),
            {
                "type": "input",
                "block_id": "helpers",
                "optional": True,
                "label": {"type": "plain_text", "text": "Who helped? (optional)"},
                "element": {
                    "type": "multi_users_select",
                    "action_id": "value",
                    "placeholder": {"type": "plain_text", "text": "Pick teammates"},
                    "max_selected_items": MAX_HELPERS,
                },
            },
        ],
    }


def helpers_of(view: dict[str, Any]) -> tuple[str, ...]:
    picked = view["state"]["values"].get("helpers", {}).get("value", {})
    return tuple(dict.fromkeys(picked.get("selected_users") or []))


def check_helpers(service: Service) -> Callable[..., None]:
    """Refuse bots and deactivated accounts under the field, before anything closes."""

    def check(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        team = who_clicked(body).team_id
        for user in helpers_of(view):
            problem = service.check_person(team, user)
            if problem:
                ack(response_action="errors", errors={"helpers": problem})
                return
        ack()

    return check


def apply_done(service: Service, notifier: SlackNotifier) -> Callable[..., None]:
    def apply(body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = json.loads(view["private_metadata"])
        who = who_clicked(body)
        result = service.close(who, int(meta["item"]), helpers_of(view))
        if meta.get("home"):  # closed from the Home tab: say what was done there
            home.show_on_home(service, who, _summary(result))
            return
        _after_modal(notifier, who, meta, result)

    return apply


def register(app: App, service: Service, notifier: SlackNotifier) -> None:
    app.action(nudges.DONE)(ack=ack_now, lazy=[open_who_helped(service, notifier)])
    app.view(DONE_VIEW)(ack=check_helpers(service), lazy=[apply_done(service, notifier)])
