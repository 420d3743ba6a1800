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
from bot.slack.blocks import nudges
from bot.slack.blocks import promises as blocks
from bot.usecases.ports import ChannelFacts, EndOfDay, NotifyError, NudgeView

log = logging.getLogger(__name__)

# Errors that will never go away by trying again.
PERMANENT = {
    "channel_not_found",
    "user_not_found",
    "users_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "is_archived",
    "not_in_channel",
    "invalid_auth",
    "token_revoked",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
}


class SlackNotifier:
    def __init__(self, client: WebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- channel posts

    def thank_you(self, item: ItemView, outcome: Outcome, *, client_reads: bool) -> None:
        text, body = blocks.thank_you(item, outcome, client_reads=client_reads)
        self._call("chat_postMessage", channel=_need(item.channel_id), text=text, blocks=body)

    def deadline_moved(self, item: ItemView, note: str, actor_id: str, tz: str) -> None:
        text, body = blocks.moved_note(item, note, actor_id, tz)
        self._call("chat_postMessage", channel=_need(item.channel_id), text=text, blocks=body)

    # -- direct messages

    def handed_off(self, item: ItemView, previous_owner: str, actor_id: str) -> None:
        tz = self._tz(item.owner_id)
        message = nudges.handed_off_dm(item, previous_owner, actor_id, tz)
        self._post_dm(item.owner_id, message)

    def channel_changed(
        self, channel_id: str, previous_owner: str, new_owner: str | None, actor_id: str
    ) -> None:
        self._post_dm(previous_owner, client_blocks.changed_dm(channel_id, new_owner, actor_id))

    def send_nudges(
        self, team_id: str, user_id: str, views: list[NudgeView], eod: EndOfDay | None, tz: str
    ) -> tuple[str, str]:
        message = nudges.dm(views, eod, tz, self.clock.now(), self._permalinks(eod))
        response = self._post_dm(user_id, message)
        return str(response["channel"]), str(response["ts"])

    def _post_dm(self, user_id: str, message: dict[str, Any]) -> Any:
        """Post in the app's DM with a person. Slack opens it when posting to the user ID, so
        a first DM costs one call, not two (conversations.open); its ID is remembered."""
        with self._lock:
            channel = self._dm_channels.get(user_id, user_id)
        response = self._call("chat_postMessage", channel=channel, **message)
        with self._lock:
            self._dm_channels[user_id] = str(response["channel"])
        return response

    def _permalinks(self, eod: EndOfDay | None) -> dict[int, str]:
        """Links to the client messages owed a reply; a failed look-up just leaves one out."""
        links: dict[int, str] = {}
        # only items the DM can show (it has room for fewer than 25 rows): one call each
        owed = [i for i in eod.overdue if i.kind == "reply"] + eod.replies if eod else []
        shown = owed + eod.backlog if eod else []
        for item in shown[: nudges.MAX_BLOCKS // 2]:
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
            raise NotifyError(reason, transient=transient) from e
        except (SlackClientError, OSError) as e:
            log.warning("%s failed: %s", method.replace("_", ".", 1), e)
            raise NotifyError("slack_unreachable", transient=True) from e


def _need(channel: str | None) -> str:
    if not channel:
        raise NotifyError("no_channel")
    return channel


def names_nudge(message: dict[str, Any], event_type: str, nudge_id: int) -> bool:
    """Whether a message's metadata (of `event_type`) names the outbox row `nudge_id`."""
    meta = message.get("metadata") or {}
    if meta.get("event_type") != event_type:
        return False
    return str(nudge_id) in str(meta.get("event_payload", {}).get("nudges", "")).split(",")
