"""The Notifier and Messenger the use cases and the dispatcher use, over Slack's Web API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.clock import Clock
from bot.core.items import ItemView
from bot.core.outcome import Outcome
from bot.slack.blocks import clients as client_blocks
from bot.slack.blocks import lead_updates, nudges
from bot.slack.blocks import promises as blocks
from bot.slack.blocks.catch_up import home_link
from bot.usecases.ports import (
    CatchUp,
    ChannelFacts,
    EndOfDay,
    EscalationEdit,
    NotifyError,
    NudgeView,
)

log = logging.getLogger(__name__)

# Errors that will never go away by trying again.
PERMANENT = {
    "channel_not_found",
    "user_not_found",
    "users_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "not_enough_users",
    "is_archived",
    "not_in_channel",
    "invalid_auth",
    "token_revoked",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
}
# Refusals of what a message says, not of where it goes: the same DM without its bad part
# may still go.
CONTENT = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text"}


class SlackNotifier:
    def __init__(self, client: WebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._dm_channels: dict[str, str] = {}
        self._app_id: str | None = None
        self._lock = threading.Lock()

    # -- channel posts

    def thank_you(
        self, item: ItemView, outcome: Outcome, *, client_reads: bool, key: str | None = None
    ) -> None:
        text, body = blocks.thank_you(item, outcome, client_reads=client_reads)
        channel = _need(item.channel_id)
        self._call("chat_postMessage", channel=channel, text=text, blocks=body, **_about(key))

    def deadline_moved(
        self, item: ItemView, note: str, actor_id: str, tz: str, key: str | None = None
    ) -> None:
        text, body = blocks.moved_note(item, note, actor_id, tz)
        channel = _need(item.channel_id)
        self._call("chat_postMessage", channel=channel, text=text, blocks=body, **_about(key))

    def posted(
        self, key: str, oldest: datetime, *, channel: str | None = None, dm: str | None = None
    ) -> bool:
        """Whether the post that followed the change made under `key` is in `channel` (or
        in the DM with `dm`) since `oldest`: an attempt cut short by a crash may have made it."""
        where = channel or self.dm_channel(_need(dm))
        return any(_names_change(m, key) for m in self.history(where, oldest))

    # -- direct messages

    def handed_off(
        self, item: ItemView, previous_owner: str, actor_id: str, key: str | None = None
    ) -> None:
        tz = self._tz(item.owner_id)
        message = nudges.handed_off_dm(item, previous_owner, actor_id, tz)
        self._post_dm(item.owner_id, {**message, **_about(key)})

    def channel_changed(
        self, channel_id: str, previous_owner: str, new_owner: str | None, actor_id: str
    ) -> None:
        self._post_dm(previous_owner, client_blocks.changed_dm(channel_id, new_owner, actor_id))

    def send_nudges(
        self,
        team_id: str,
        user_id: str,
        views: list[NudgeView],
        eod: EndOfDay | None,
        tz: str,
        catch_up: CatchUp | None = None,
    ) -> tuple[str, str]:
        # The escalation DMs a lead's line is about, edited first: a retry edits them again.
        edits = {(e.channel_id, e.ts, e.nudge_id): e for v in views for e in v.edits}
        for edit in edits.values():
            self._settle_escalation(edit, tz)
        links = self._permalinks(views, eod)
        home = self._home(team_id) if catch_up is not None else None
        try:
            message = nudges.dm(views, eod, tz, self.clock.now(), links, catch_up, home)
        except Exception as e:  # a rendering bug: this DM's content, not Slack, failed
            log.exception("building the DM to %s failed", user_id)
            raise NotifyError(
                f"could not build the DM: {type(e).__name__}: {e}", content=True
            ) from e
        response = self._post_dm(user_id, message)
        return str(response["channel"]), str(response["ts"])

    def _home(self, team_id: str) -> str | None:
        """The deep link to the app's Home tab; None when Slack can't say the app's ID now
        (asked again next time). The ID is the bot's: auth.test names the bot, bots.info
        its app; both are asked once per process."""
        with self._lock:
            app_id = self._app_id
        if app_id is None:
            try:
                bot_id = self._call("auth_test")["bot_id"]
                app_id = str(self._call("bots_info", bot=bot_id)["bot"]["app_id"])
            except (NotifyError, KeyError, TypeError):
                return None
            with self._lock:
                self._app_id = app_id
        return home_link(team_id, app_id)

    def _settle_escalation(self, edit: EscalationEdit, tz: str) -> None:
        """Rewrite an escalation DM in place to say what became of its item (its other
        nudges as they were). A DM that is gone or can no longer be edited stays as it is;
        a transient failure is raised, so the whole DM is tried again later."""
        try:
            page = self._call(
                "conversations_history",
                channel=edit.channel_id,
                latest=edit.ts,
                oldest=edit.ts,
                inclusive=True,
                limit=1,
            )
            found = next((m for m in page.get("messages", []) if m.get("ts") == edit.ts), None)
            if found is None:
                raise NotifyError("message_not_found")
            message = lead_updates.settled(found, edit, tz)
            self._call("chat_update", channel=edit.channel_id, ts=edit.ts, **message)
        except NotifyError as e:
            if e.transient:
                raise
            log.info("escalation DM %s left as it was: %s", edit.ts, e.reason)

    def _post_dm(self, user_id: str, message: dict[str, Any]) -> Any:
        """Post in the app's DM with a person. Slack opens it when posting to the user ID, so
        a first DM costs one call, not two (conversations.open); its ID is remembered."""
        with self._lock:
            channel = self._dm_channels.get(user_id, user_id)
        response = self._call("chat_postMessage", channel=channel, **message)
        with self._lock:
            self._dm_channels[user_id] = str(response["channel"])
        return response

    def _permalinks(self, views: list[NudgeView], eod: EndOfDay | None) -> dict[int, str]:
        """Links to the client messages the DM names (its nudges' items, the end-of-day
        rows); a failed look-up just leaves one out."""
        links: dict[int, str] = {}
        # only items the DM can show (it has room for fewer than 25 rows): one call each
        owed = [i for i in eod.overdue if i.kind == "reply"] + eod.replies if eod else []
        named = [v.item for v in views if v.item is not None]
        shown = {i.id: i for i in named + owed + (eod.backlog if eod else [])}
        for item in list(shown.values())[: nudges.MAX_BLOCKS // 2]:
            if item.message_ts and item.channel_id:
                try:
                    found = self._call(
                        "chat_getPermalink", channel=item.channel_id, message_ts=item.message_ts
                    )
                    links[item.id] = str(found["permalink"])
                except NotifyError:
                    continue
        return links

    def find_sent(
        self, team_id: str, user_id: str, nudge_id: int, oldest: datetime
    ) -> tuple[str, str] | None:
        channel = self.dm_channel(user_id)
        for message in self.history(channel, oldest):
            if names_nudge(message, nudges.METADATA_TYPE, nudge_id):
                return channel, str(message["ts"])
        return None

    def history(self, channel: str, oldest: datetime) -> Iterator[dict[str, Any]]:
        """A channel's messages since `oldest` with their metadata, page by page (at most
        10 pages of 200: far more than a channel sees between two attempts at a send)."""
        cursor = None
        for _ in range(10):
            page = self._call(
                "conversations_history",
                channel=channel,
                oldest=f"{oldest.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                **({"cursor": cursor} if cursor else {}),
            )
            yield from page.get("messages", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return

    # -- channels

    def info(self, channel_id: str) -> ChannelFacts:
        channel = self._call("conversations_info", channel=channel_id)["channel"]
        return ChannelFacts(
            name=str(channel.get("name") or channel_id),
            is_private=bool(channel.get("is_private")),
            is_member=bool(channel.get("is_member")),
            shared=bool(channel.get("is_ext_shared")),
        )

    def join(self, channel_id: str) -> None:
        self._call("conversations_join", channel=channel_id)

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self._call("chat_update", channel=channel, ts=ts, **message)

    def dm_channel(self, user_id: str) -> str:
        """The app's DM channel ID with a person (conversations.open), remembered: reading
        its history needs the ID (after a crash, to look for a DM that went out)."""
        with self._lock:
            known = self._dm_channels.get(user_id)
        if known:
            return known
        channel = str(self._call("conversations_open", users=user_id)["channel"]["id"])
        with self._lock:
            self._dm_channels[user_id] = channel
        return channel

    def _tz(self, user_id: str) -> str:
        try:
            return str(self._call("users_info", user=user_id)["user"].get("tz") or "UTC")
        except NotifyError:
            return "UTC"

    def _call(self, method: str, **kwargs: Any) -> Any:
        """Call the Web API (its retry handlers already waited out 429s and 5xx);
        turn what is left into NotifyError, transient or not."""
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as e:
            data = e.response.data if isinstance(e.response.data, dict) else {}
            reason = str(data.get("error") or f"http_{e.response.status_code}")
            transient = reason not in PERMANENT and (
                e.response.status_code in (429,)
                or e.response.status_code >= 500
                or reason
                in (
                    "ratelimited",
                    "internal_error",
                    "fatal_error",
                    "service_unavailable",
                    "request_timeout",
                )
            )
            log.warning("%s failed: %s", method.replace("_", ".", 1), reason)
            raise NotifyError(reason, transient=transient, content=reason in CONTENT) from e
        except (SlackClientError, OSError) as e:
            log.warning("%s failed: %s", method.replace("_", ".", 1), e)
            raise NotifyError("slack_unreachable", transient=True) from e


def _need(channel: str | None) -> str:
    if not channel:
        raise NotifyError("no_channel")
    return channel


# The metadata of a post that follows a change (a thank-you, a note, a hand-off DM): the
# intake key of the request that made the change, to find it again after a crash.
CHANGE_METADATA_TYPE = "promise_change"


def _about(key: str | None) -> dict[str, Any]:
    if key is None:
        return {}
    return {"metadata": {"event_type": CHANGE_METADATA_TYPE, "event_payload": {"request": key}}}


def _names_change(message: dict[str, Any], key: str) -> bool:
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    return meta.get("event_type") == CHANGE_METADATA_TYPE and payload.get("request") == key


def names_nudge(message: dict[str, Any], event_type: str, nudge_id: int) -> bool:
    """Whether a message's metadata (of `event_type`) names the outbox row `nudge_id`."""
    meta = message.get("metadata") or {}
    if meta.get("event_type") != event_type:
        return False
    return str(nudge_id) in str(meta.get("event_payload", {}).get("nudges", "")).split(",")
