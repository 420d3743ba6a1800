"""The Notifier the service uses, over Slack's Web API."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.outcome import Outcome
from bot.ports import NotifyError
from bot.slack import blocks
from bot.store.models import Item

log = logging.getLogger(__name__)


class SlackNotifier:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def thank_you(self, item: Item, outcome: Outcome) -> None:
        text, body = blocks.thank_you(item, outcome)
        self._post(item.channel_id, text, body)

    def deadline_moved(self, item: Item, note: str, actor_id: str) -> None:
        text, body = blocks.moved_note(item, note, actor_id)
        self._post(item.channel_id, text, body)

    def _post(self, channel: str | None, text: str, body: list[dict]) -> str:
        if not channel:
            raise NotifyError("no_channel")
        try:
            return str(self.client.chat_postMessage(channel=channel, text=text, blocks=body)["ts"])
        except SlackApiError as e:
            reason = str(e.response.get("error") or "error")
            log.warning("chat.postMessage to %s failed: %s", channel, reason)
            raise NotifyError(reason) from e
        except (SlackClientError, OSError) as e:
            log.warning("chat.postMessage to %s failed: %s", channel, e)
            raise NotifyError("slack_unreachable") from e
