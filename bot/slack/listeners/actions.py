"""Buttons on nudges: stored and acked (the intake), then done as the use case allows and
shown in place. Those that open a form are acked and open it at once (`ack_then`).

Every action goes through bot.usecases.promises, which checks that the clicker may act (owner,
creator, lead) and that the item is still open; a stale button gets a polite ephemeral
answer and changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import text as txt
from bot.core.intake import Request
from bot.slack.blocks import nudges
from bot.slack.blocks.render import render, summary
from bot.slack.client import respond
from bot.slack.listeners import home
from bot.slack.listeners.commands import ack_then
from bot.slack.listeners.interactions import Interactions
from bot.slack.modals import frame as modals
from bot.slack.modals import hand_off as hand_off_form
from bot.slack.modals import more_time as more_time_form
from bot.slack.modals.opening import open_form
from bot.slack.notifier import SlackNotifier
from bot.slack.priority import AfterAckExecutor
from bot.usecases.home import HomeRefresher
from bot.usecases.ports import NotifyError
from bot.usecases.promises import Promises
from bot.usecases.results import AlreadyClosed, Invocation, Problem, Result
from bot.usecases.workplace import Workplace

log = logging.getLogger(__name__)


def who_clicked(body: dict[str, Any], request: Request | None = None) -> Invocation:
    """Who clicked or submitted; `request`, when it came through the intake, whose key
    makes its change once however often it is processed."""
    team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
    channel = (body.get("channel") or {}).get("id")
    if request is None:
        return Invocation(team, body["user"]["id"], channel)
    return Invocation(team, body["user"]["id"], channel, request.key, request.received_at)


def where(body: dict[str, Any]) -> dict[str, str]:
    """The message a button sits on, and the button's block, to update it later."""
    container = body.get("container") or {}
    action = (body.get("actions") or [{}])[0]
    return {
        "channel": container.get("channel_id", ""),
        "ts": container.get("message_ts", ""),
        "block": action.get("block_id", ""),
    }


def form_meta(body: dict[str, Any], item_id: int) -> str:
    """A button's form's private metadata: the item, and where to answer once it is sent."""
    return json.dumps({"item": item_id, **where(body), "home": home.from_home(body)})


def show_outcome(
    notifier: SlackNotifier, body: dict[str, Any], place: dict[str, str], result: Result
) -> None:
    """Replace the answered item's buttons with what was done; stale clicks answer privately."""
    if isinstance(result, Problem | AlreadyClosed):
        respond(body.get("response_url"), render(result))
        return
    line = summary(result)
    if not place["channel"] or not place["ts"]:
        respond(body.get("response_url"), {"text": line})
        return
    try:
        notifier.update(
            place["channel"],
            place["ts"],
            nudges.answered(body.get("message") or {}, place["block"], line),
        )
    except NotifyError as e:  # e.g. edit_window_closed: Slack's answer, not a bug
        log.warning("could not update the nudge in place: %s", e.reason)
        respond(body.get("response_url"), {"text": line})
    except Exception:
        log.exception("could not update the nudge in place")
        respond(body.get("response_url"), {"text": line})


def answer_click(
    refresher: HomeRefresher, notifier: SlackNotifier, body: dict[str, Any], result: Result
) -> None:
    """Show what a click did where it was clicked: on the Home tab, or on the nudge."""
    if home.from_home(body):
        home.show_on_home(refresher, who_clicked(body), summary(result))
        return
    show_outcome(notifier, body, where(body), result)


def clicked_item(body: dict[str, Any]) -> int:
    """The item a button or menu is about: its value is the ID, a menu's `ID:choice`."""
    action = body["actions"][0]
    value = action.get("value") or action.get("selected_option", {}).get("value", "")
    return int(str(value).split(":")[0])


def on_done(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def done(body: dict[str, Any], request: Request | None = None) -> None:
        who = who_clicked(body, request)
        answer_click(refresher, notifier, body, promises.close(who, clicked_item(body)))

    return done


def on_no_reply(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    """No reply needed: closes on the click, silently (no form, no thank-you)."""

    def no_reply(request: Request, body: dict[str, Any]) -> None:
        who = who_clicked(body, request)
        answer_click(refresher, notifier, body, promises.no_reply(who, clicked_item(body)))

    return no_reply


def on_snooze(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def snooze(request: Request, body: dict[str, Any]) -> None:
        choice = body["actions"][0]["selected_option"]["value"].split(":", 1)[1]
        who = who_clicked(body, request)
        answer_click(refresher, notifier, body, promises.snooze(who, clicked_item(body), choice))

    return snooze


def on_follow_up(done: bool, notifier: SlackNotifier) -> Callable[..., None]:
    def follow_up(request: Request, body: dict[str, Any]) -> None:
        item_id = clicked_item(body)
        line = (
            f":white_check_mark: Followed up on #{item_id}. Nice work closing the loop."
            if done
            else f"Skipped the follow-up on #{item_id}."
        )
        place = where(body)
        notifier.update(
            place["channel"],
            place["ts"],
            nudges.answered(body.get("message") or {}, place["block"], line),
        )

    return follow_up


def open_more_time(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def more_time(body: dict[str, Any], client: WebClient) -> None:
        who, item_id = who_clicked(body), clicked_item(body)
        refusal = promises.may_change(who, item_id, "move")
        if refusal is not None:  # closed, or not theirs to move: say so, open no form
            answer_click(refresher, notifier, body, refusal)
            return
        item = promises.item(who.team_id, item_id)
        if item is None:
            return
        meta = form_meta(body, item.id)
        open_form(client, body, more_time_form.modal(item.id, item.what, meta))

    return more_time


def open_hand_off(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def hand_off(body: dict[str, Any], client: WebClient) -> None:
        item_id = clicked_item(body)
        refusal = promises.may_change(who_clicked(body), item_id, "hand off")
        if refusal is not None:
            answer_click(refresher, notifier, body, refusal)
            return
        meta = form_meta(body, item_id)
        open_form(client, body, hand_off_form.modal(item_id, meta))

    return hand_off


def check_more_time(promises: Promises) -> Callable[..., dict[str, str]]:
    """Validate the new deadline and the note in the ack, as `/promise move` does, so
    mistakes show under their field."""

    def check(body: dict[str, Any], view: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        text = more_time_form.new_deadline(view)
        if not text:
            errors[more_time_form.WHEN] = "Type a new deadline, or pick a date."
        elif problem := promises.check_when(who_clicked(body), text):
            errors[more_time_form.WHEN] = problem
        if problem := txt.note_problem(more_time_form.note(view)):
            errors[more_time_form.NOTE] = problem
        return errors

    return check


def apply_more_time(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def apply(request: Request, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = json.loads(view["private_metadata"])
        who = who_clicked(body, request)
        run_form(
            refresher,
            notifier,
            who,
            meta,
            lambda: promises.move(
                who,
                int(meta["item"]),
                more_time_form.new_deadline(view),
                more_time_form.note(view) or None,
            ),
        )

    return apply


def people_errors(
    workplace: Workplace, team_id: str, block: str, users: Iterable[str], role: str = "owner"
) -> dict[str, str]:
    """The error under `block` for the first of `users` who can't be picked as `role` (a
    bot, a deactivated account, nobody; someone of another organisation as the owner)."""
    for user in users:
        problem = workplace.check_person(team_id, user, role)
        if problem:
            return {block: problem}
    return {}


def check_hand_off(workplace: Workplace) -> Callable[..., dict[str, str]]:
    def check(body: dict[str, Any], view: dict[str, Any]) -> dict[str, str]:
        to = hand_off_form.new_owner(view)
        team = who_clicked(body).team_id
        return people_errors(workplace, team, hand_off_form.TO, [to])

    return check


def apply_hand_off(
    promises: Promises, refresher: HomeRefresher, notifier: SlackNotifier
) -> Callable[..., None]:
    def apply(request: Request, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = json.loads(view["private_metadata"])
        who = who_clicked(body, request)
        to = hand_off_form.new_owner(view)
        run_form(
            refresher,
            notifier,
            who,
            meta,
            lambda: promises.hand_off(who, int(meta["item"]), to),
        )

    return apply


def run_form(
    refresher: HomeRefresher,
    notifier: SlackNotifier,
    who: Invocation,
    meta: dict[str, Any],
    work: Callable[[], Result],
) -> None:
    """Do what a submitted form asks (after its ack) and show the result; if it fails,
    perhaps after storing, the person is told so privately rather than nothing."""
    try:
        result = work()
    except Exception:
        log.exception("a form failed after its ack")
        try:
            notifier.client.chat_postMessage(channel=who.user_id, **modals.UNSURE)
        except Exception:
            log.exception("could not tell %s", who.user_id)
        return
    answer_form(refresher, notifier, who, meta, result)


def answer_form(
    refresher: HomeRefresher,
    notifier: SlackNotifier,
    who: Invocation,
    meta: dict[str, Any],
    result: Result,
) -> None:
    """Show what a form did where it was opened from: on the Home tab, or on the nudge
    (updated in place; the person is told privately if that fails)."""
    if meta.get("home"):  # opened from the Home tab: say what was done there
        home.show_on_home(refresher, who, summary(result))
        return
    if isinstance(result, Problem | AlreadyClosed):
        notifier.client.chat_postMessage(channel=who.user_id, **render(result))
        return
    line = summary(result)
    try:
        history = notifier.client.conversations_history(
            channel=meta["channel"], latest=meta["ts"], inclusive=True, limit=1
        )
        message = (history.get("messages") or [{}])[0]
        notifier.update(meta["channel"], meta["ts"], nudges.answered(message, meta["block"], line))
    except Exception:
        log.exception("could not update the nudge in place")
        notifier.client.chat_postMessage(channel=who.user_id, text=line)


def register(
    app: App,
    interactions: Interactions,
    promises: Promises,
    workplace: Workplace,
    refresher: HomeRefresher,
    notifier: SlackNotifier,
    pool: AfterAckExecutor,
) -> None:
    # Done (nudges.DONE) asks "Who helped?" first: bot/slack/listeners/done.py.
    interactions.click(nudges.NO_REPLY, on_no_reply(promises, refresher, notifier))
    interactions.click(nudges.SNOOZE, on_snooze(promises, refresher, notifier))
    # These open a form, which Slack allows only within 3 seconds: the pool's first lane.
    app.action(nudges.MORE_TIME)(ack_then(pool, open_more_time(promises, refresher, notifier)))
    app.action(nudges.HAND_OFF)(ack_then(pool, open_hand_off(promises, refresher, notifier)))
    interactions.click(nudges.FOLLOW_UP_DONE, on_follow_up(True, notifier))
    interactions.click(nudges.FOLLOW_UP_SKIP, on_follow_up(False, notifier))
    interactions.form(
        more_time_form.CALLBACK,
        check_more_time(promises),
        apply_more_time(promises, refresher, notifier),
        more_time_form.WHEN,
    )
    interactions.form(
        hand_off_form.CALLBACK,
        check_hand_off(workplace),
        apply_hand_off(promises, refresher, notifier),
        hand_off_form.TO,
    )
