"""Posting digests to channels over Slack's Web API, with the notifier's error mapping.

A digest is a channel message carrying metadata that names its outbox row, and for the
weekly one a chart uploaded with Slack's external-upload flow (files.getUploadURLExternal,
a POST of the bytes, files.completeUploadExternal), named after the row too. A retry after
a crash looks both up in the channel's history before sending anything again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.stats import Numbers
from bot.slack.blocks.digest import METADATA_TYPE, chart_comment, chart_title, digest_message
from bot.slack.notifier import SlackNotifier, names_nudge


def chart_filename(nudge_id: int) -> str:
    return f"promise-digest-{nudge_id}.png"


class SlackDigestPoster:
    def __init__(self, notifier: SlackNotifier) -> None:
        self.notifier = notifier

    def post_digest(
        self,
        channel: str,
        numbers: Numbers,
        tz: str,
        nudge_id: int,
        weekly: bool,
        scope: str | None,
    ) -> tuple[str, str]:
        """Post the digest; returns (channel, ts). Raises NotifyError (transient or not)."""
        message = digest_message(numbers, tz, nudge_id, weekly=weekly, scope=scope)
        response = self._call("chat_postMessage", channel=channel, **message)
        return str(response["channel"]), str(response["ts"])

    def chart_text(self, start: datetime, end: datetime, tz: str) -> tuple[str, str]:
        """The chart's title and the comment posted with it."""
        return chart_title(start, end, tz), chart_comment()

    def upload_chart(
        self, channel: str, png: bytes, nudge_id: int, title: str, comment: str
    ) -> None:
        self._call(
            "files_upload_v2",
            channel=channel,
            content=png,
            filename=chart_filename(nudge_id),
            title=title,
            alt_txt=title,
            initial_comment=comment,
        )

    def find(self, channel: str, nudge_id: int, oldest: datetime) -> tuple[str | None, bool]:
        """What a previous attempt already posted: (the digest's ts or None, chart found)."""
        ts: str | None = None
        chart = False
        name = chart_filename(nudge_id)
        for message in self.notifier.history(channel, oldest):
            if names_nudge(message, METADATA_TYPE, nudge_id):
                ts = str(message["ts"])
            if any(f.get("name") == name for f in message.get("files") or []):
                chart = True
            if ts and chart:
                break
        return ts, chart

    def _call(self, method: str, **kwargs: Any) -> Any:
        # The notifier turns Slack's answers into NotifyError, transient or permanent.
        return self.notifier._call(method, **kwargs)
