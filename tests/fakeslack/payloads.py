"""What Slack would send the app (events, slash commands), so tests can drive it like Slack."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from .model import _random_id
from .state import SlackState


class Payloads(SlackState):
    """Helpers for driving the app as Slack would."""

    def trigger_id(self, *, age: float = 0.0) -> str:
        """A fresh trigger_id in Slack's format; each one may open a view only once, and
        only within TRIGGER_EXPIRES seconds of the click (real seconds, as at Slack).
        `age`: a click that happened that many seconds ago."""
        trigger = f"{int(self._now())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self._lock:
            self._issued_triggers[trigger] = time.monotonic() - age
        return trigger

    def event_callback(
        self, event: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        """Wrap an event the way the Events API delivers it (for events_api envelopes)."""
        return {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or _random_id("Ev"),
            "event_time": int(self._now()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }

    def slash_command(
        self, command: str, text: str = "", *, user_id: str, channel_id: str
    ) -> dict[str, str]:
        """The fields Slack sends for a slash command, with a live response_url."""
        with self._lock:
            channel = self._channels.get(channel_id)
            user = self._users.get(user_id)
        return {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel["name"] if channel else "directmessage",
            "user_id": user_id,
            "user_name": user["name"] if user else user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self.response_url(),
            "trigger_id": self.trigger_id(),
        }

    def response_url(self) -> str:
        """A fresh response_url served by the fake (usable 5 times, like Slack's), shaped like
        Slack's `https://hooks.slack.com/commands/T…/<digits>/<secret>`, whose last part is a
        credential that must never reach the logs."""
        digits = uuid.uuid4().int % 10**13
        url = f"{self.base_url}/commands/T0001/{digits}/{uuid.uuid4().hex[:24]}"
        with self._lock:
            self._response_urls[url] = 0
        return url
