"""The one place the fake workspace's state lives (directory, messages, views, the record)."""

from __future__ import annotations

import copy
import threading
import uuid
from http.server import ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from .model import Call, Response, SlackError, _Clock, _Delay, _Fault, _SystemClock, _ts_key
from .socketmode import SocketModeServer


class SlackState:
    """Everything the fake knows; the API families and the transport read and change it."""

    def __init__(
        self,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        team_id: str = "T0001",
        team_name: str = "Acme Agency",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        *,
        app_id: str = "A0001",
        bot_name: str = "promise-bot",
        team_domain: str | None = None,
        clock: _Clock | None = None,
        any_response_url: bool = False,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain or team_name.split()[0].lower()
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.clock: _Clock = clock or _SystemClock()

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.socket = SocketModeServer(app_id=app_id)

        self._teams: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        self._issued_triggers: dict[str, float] = {}  # trigger_id → time.monotonic() issued
        self._response_urls: dict[str, int] = {}
        # For a fake in another process (benchmarks): accept any /respond/<id> URL.
        self.any_response_url = any_response_url
        # A workspace's "edit messages" window, in seconds (None: any time, Slack's default
        # for apps): chat.update of an older message answers edit_window_closed.
        self.edit_window: float | None = None
        self._response_url_failure: int | None = None
        self._calls: list[Call] = []
        self._responses: list[Response] = []
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._latency = 0.0  # seconds every answer takes (answer_in)
        self._rejections: list[tuple[str, str]] = []  # (text in a post, Slack's error)
        self._held: list[str] = []
        self._internal_errors: list[str] = []
        self._last_ts_us = 0

        self.add_team(team_id, team_name, domain=self.team_domain)
        self.add_user(bot_user_id, bot_name, is_bot=True, tz="America/Los_Angeles")

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("FakeSlack is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """Pass as ``WebClient(base_url=...)`` or ``SLACK_API_URL`` (trailing slash matters)."""
        return self.base_url + "/api/"

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # --- directory set-up -------------------------------------------------------------------------

    def add_team(self, team_id: str, name: str, *, domain: str | None = None) -> dict[str, Any]:
        """Register a workspace (e.g. a Slack Connect client's) for team.info and users."""
        team = {"id": team_id, "name": name, "domain": domain or name.split()[0].lower()}
        with self._lock:
            self._teams[team_id] = team
        return team

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        tz: str | None = "America/New_York",
        is_bot: bool = False,
        team_id: str | None = None,
        deleted: bool = False,
        is_admin: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        status_text: str = "",
        status_emoji: str = "",
        status_expiration: int = 0,
        visible: bool = True,
    ) -> dict[str, Any]:
        """Add (or replace) a user; returns the live record, which tests may mutate.

        ``tz=""``/``None`` models a user Slack has no zone for: users.info then answers
        ``"tz": null`` but still a Pacific ``tz_label``/``tz_offset``, as Slack does.
        ``visible=False``: users.info answers ``user_not_visible`` (another organisation's
        user the bot shares nothing with).
        """
        if tz:
            ZoneInfo(tz)  # fail fast on a typo rather than in the middle of an API call
        real_name = name or user_id
        handle = (name or user_id).lower().replace(" ", ".")
        team = team_id or self.team_id
        with self._lock:
            if team not in self._teams:
                self.add_team(team, team)
            record = {
                "id": user_id,
                "team_id": team,
                "name": handle,
                "real_name": real_name,
                "display_name": real_name,
                "deleted": deleted,
                "tz": tz,
                "is_bot": is_bot,
                "is_admin": is_admin,
                "is_restricted": is_restricted,
                "is_ultra_restricted": is_ultra_restricted,
                "status_text": status_text,
                "status_emoji": status_emoji,
                "status_expiration": status_expiration,
                "visible": visible,
            }
            self._users[user_id] = record
        return record

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        bot_is_member: bool = True,
        is_ext_shared: bool = False,
        is_archived: bool = False,
        members: list[str] | None = None,
    ) -> dict[str, Any]:
        """Add a channel. ``members`` (optional) makes postEphemeral enforce membership."""
        record = {
            "id": channel_id,
            "name": name,
            "is_private": is_private,
            "is_im": False,
            "is_mpim": False,
            "bot_is_member": bot_is_member,
            "is_ext_shared": is_ext_shared,
            "is_archived": is_archived,
            "members": list(members) if members is not None else None,
            "created": int(self._now()),
        }
        with self._lock:
            self._channels[channel_id] = record
            self._messages.setdefault(channel_id, [])
        return record

    def add_message(
        self,
        channel_id: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Seed a message from a person (e.g. a client) so history/replies can return it."""
        with self._lock:
            try:
                channel = self._channel_by_ref(channel_id)
            except SlackError:
                raise KeyError(f"unknown channel {channel_id!r}; add_channel() it first") from None
            author = self._users.get(user)
            message: dict[str, Any] = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts or self._next_ts(),
                "team": author["team_id"] if author else self.team_id,
                "client_msg_id": str(uuid.uuid4()),
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            message.update(extra)
            self._store_message(channel["id"], message)
            return copy.deepcopy(message)

    def dm_channel(self, user_id: str) -> str:
        """The stable DM channel id the bot uses with ``user_id`` ("D" + the id's suffix)."""
        return "D" + user_id[1:]

    # --- state helpers (call with the lock held) --------------------------------------------------

    def _next_ts(self) -> str:
        micros = max(int(self._now() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _dm_for_user_ref(self, ref: str) -> str:
        if ref[:1] in ("U", "W") and ref in self._users:
            return self.dm_channel(ref)
        return ref

    def _ensure_dm(self, user_id: str) -> dict[str, Any]:
        """The bot's DM with a person; Slack refuses one with a bot or a deactivated user."""
        dm_id = self.dm_channel(user_id)
        channel = self._channels.get(dm_id)
        record = self._users.get(user_id)
        if record is not None and channel is None:
            if record["is_bot"]:
                raise SlackError(
                    "not_enough_users" if user_id == self.bot_user_id else "cannot_dm_bot"
                )
            if record["deleted"]:
                raise SlackError("user_disabled")
        if channel is None:
            channel = {
                "id": dm_id,
                "name": None,
                "user": user_id,
                "is_private": True,
                "is_im": True,
                "is_mpim": False,
                "bot_is_member": True,
                "is_ext_shared": False,
                "is_archived": False,
                "members": [user_id, self.bot_user_id],
                "created": int(self._now()),
            }
            self._channels[dm_id] = channel
            self._messages.setdefault(dm_id, [])
        return channel

    def _channel_by_ref(self, ref: Any) -> dict[str, Any]:
        """Resolve a channel ID, #name, user ID (→ the bot's DM) or DM ID."""
        if not isinstance(ref, str) or not ref:
            raise SlackError("channel_not_found")
        if ref in self._channels:
            return self._channels[ref]
        if ref[:1] in ("U", "W") and ref in self._users:
            return self._ensure_dm(ref)
        if ref.startswith("D"):
            for user_id in self._users:
                if self.dm_channel(user_id) == ref:
                    return self._ensure_dm(user_id)
        name = ref.removeprefix("#")
        for channel in self._channels.values():
            if channel["name"] == name:
                return channel
        raise SlackError("channel_not_found")

    def _readable_channel(self, ref: Any) -> dict[str, Any]:
        """A channel the bot can read or post in (Slack hides private ones it isn't in)."""
        channel = self._channel_by_ref(ref)
        if not channel["bot_is_member"]:
            if channel["is_private"]:
                raise SlackError("channel_not_found")
            raise SlackError("not_in_channel")
        return channel

    def _find_message(self, channel_id: str, ts: Any) -> dict[str, Any]:
        for message in self._messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _store_message(self, channel_id: str, message: dict[str, Any]) -> None:
        stored = self._messages.setdefault(channel_id, [])
        stored.append(message)
        stored.sort(key=lambda m: _ts_key(m["ts"]))
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            for parent in stored:
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    users = parent.setdefault("reply_users", [])
                    if message.get("user") and message["user"] not in users:
                        users.append(message["user"])
                    parent["reply_users_count"] = len(users)
                    parent["latest_reply"] = message["ts"]
                    break

    @staticmethod
    def _public_message(message: dict[str, Any], *, with_metadata: bool) -> dict[str, Any]:
        shown = copy.deepcopy(message)
        if not with_metadata:
            shown.pop("metadata", None)
        return shown
