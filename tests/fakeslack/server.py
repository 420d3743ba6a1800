"""A local fake of Slack's Web API for end-to-end tests of the Bolt app.

It is a real HTTP server on 127.0.0.1, so the app's real ``slack_sdk.WebClient`` (pointed at
it with ``base_url=fake.api_url``) exercises its real transport, retry handlers and error
parsing. Responses follow Slack's documented shapes and error codes; faults (429, 5xx,
``ok: false`` errors, slow answers) can be injected per method so tests can prove the app
survives what Slack really does.
"""

from __future__ import annotations

import contextlib
import copy
import email.parser
import email.policy
import json
import secrets
import string
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from . import blockkit
from .socketmode import SocketModeServer

__all__ = ["Call", "FakeSlack", "Response"]

# Parameters Slack takes as JSON-encoded strings in form bodies; decoded for inspection.
_JSON_PARAMS = frozenset(
    {"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks"}
)
_MAX_RESPONSE_URL_USES = 5  # Slack: a response_url works up to 5 times within 30 minutes
_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "UTC": "Coordinated Universal Time",
    "BST": "British Summer Time",
    "IST": "India Standard Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
}


class _Clock(Protocol):
    def now(self) -> datetime: ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Call:
    """One Web API request as the fake saw it, with what it answered."""

    method: str
    params: dict[str, Any]
    token: str | None
    headers: dict[str, str]
    at: float
    status: int = 200
    response: dict[str, Any] | None = None  # the JSON body answered (None if not JSON)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")

    def summary(self) -> str:
        outcome = "ok" if self.ok else f"error={self.error}"
        shown = {k: v for k, v in self.params.items() if k not in ("blocks", "view")}
        text = json.dumps(shown, default=str)
        if len(text) > 160:
            text = text[:157] + "..."
        return f"{self.method} -> HTTP {self.status} {outcome} {text}"


@dataclass
class Response:
    """One POST to a response_url (slash commands and interactivity)."""

    url: str
    payload: dict[str, Any]
    at: float
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    method: str | None
    status: int
    remaining: int
    retry_after: int
    error: str | None


@dataclass
class _Delay:
    method: str | None
    seconds: float
    remaining: int
    after: bool = False


class SlackError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _invalid_arguments(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _random_id(prefix: str, length: int = 10) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


class _Handler(BaseHTTPRequestHandler):
    server_version = "fakeslack/1.0"
    server: _HTTPServer

    def do_POST(self) -> None:
        self.server.fake._dispatch(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; the record lives in ``FakeSlack.calls``."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # the stdlib's 5 refuses connections under benchmark load

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class FakeSlack:
    """An in-process Slack: Web API over HTTP, response_urls, file uploads, Socket Mode."""

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
        self._httpd: _HTTPServer | None = None
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
        self._response_urls: dict[str, int] = {}
        # For a fake in another process (benchmarks): accept any /respond/<id> URL.
        self.any_response_url = any_response_url
        self._response_url_failure: int | None = None
        self._calls: list[Call] = []
        self._responses: list[Response] = []
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._held: list[str] = []
        self._internal_errors: list[str] = []
        self._last_ts_us = 0

        self.add_team(team_id, team_name, domain=self.team_domain)
        self.add_user(bot_user_id, bot_name, is_bot=True, tz="America/Los_Angeles")

        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "team.info": self._team_info,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": self._apps_connections_open,
        }

    # =============================================================================
    # lifecycle
    # =============================================================================

    def start(self) -> FakeSlack:
        """Bind 127.0.0.1 on a free port and serve HTTP and Socket Mode in daemon threads."""
        if self._httpd is not None:
            return self
        if self._stopping.is_set():
            raise RuntimeError("a stopped FakeSlack cannot be restarted; make a new one")
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # bounds how long stop() waits
            name="fakeslack-http",
            daemon=True,
        )
        self._thread.start()
        self.socket.start()
        return self

    def stop(self) -> None:
        """Stop both servers; delayed answers are released at once."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.socket.stop()
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

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

    # =============================================================================
    # directory set-up
    # =============================================================================

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
    ) -> dict[str, Any]:
        """Add (or replace) a user; returns the live record, which tests may mutate.

        ``tz=""``/``None`` models a user Slack has no zone for: users.info then answers
        ``"tz": null`` but still a Pacific ``tz_label``/``tz_offset``, as Slack does.
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

    def user_object(self, user_id: str) -> dict[str, Any]:
        """The user as users.info shows it now; a `user_change` event carries the same."""
        with self._lock:
            return self._user_json(self._users[user_id])

    # =============================================================================
    # the record
    # =============================================================================

    @property
    def calls(self) -> list[Call]:
        """Every API call so far, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._calls)

    @property
    def responses(self) -> list[Response]:
        """Every POST to a response_url so far (a snapshot)."""
        with self._lock:
            return list(self._responses)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (answered as HTTP 500); should stay empty."""
        with self._lock:
            return list(self._internal_errors)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def wait_for(
        self,
        method: str | None,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` matching calls were answered; return all matching calls.

        A call is recorded after the fake changed its state, so ``messages()`` already
        reflects a ``chat.postMessage`` returned here.
        """

        def matching() -> list[Call]:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and (where is None or where(c))
            ]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            found = len(matching())
            recent = [c.summary() for c in self._calls[-15:]]
            errors = list(self._internal_errors)
        lines = "\n  ".join(recent) or "(none)"
        detail = f"\nfake internal errors:\n{errors}" if errors else ""
        raise AssertionError(
            f"expected {count} call(s) to {method or 'any method'}"
            f"{' matching the predicate' if where else ''} within {timeout}s, saw {found}.\n"
            f"recent calls:\n  {lines}{detail}"
        )

    def reset(self) -> None:
        """Forget calls, responses, messages, views, uploads and faults; keep the directory."""
        with self._cond:
            self._calls.clear()
            self._responses.clear()
            self._faults.clear()
            self._delays.clear()
            self._internal_errors.clear()
            self._views.clear()
            self._home_views.clear()
            self._uploads.clear()
            self._used_triggers.clear()
            for channel_messages in self._messages.values():
                channel_messages.clear()
            self._response_url_failure = None
        self.socket.reset()

    # --- accessors ------------------------------------------------------------------

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages stored in a channel (thread replies included), oldest first; copies."""
        with self._lock:
            channel_id = self._dm_for_user_ref(channel_id)
            return copy.deepcopy(self._messages.get(channel_id, []))

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Call]:
        """Successful chat.postEphemeral calls, optionally for one user and/or channel."""
        with self._lock:
            want_channel = self._dm_for_user_ref(channel) if channel else None
            return [
                c
                for c in self._calls
                if c.method == "chat.postEphemeral"
                and c.ok
                and (user is None or c.params.get("user") == user)
                and (
                    want_channel is None
                    or self._dm_for_user_ref(str(c.params.get("channel"))) == want_channel
                )
            ]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The current state of an opened/pushed/updated/published view."""
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for ``user_id``."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def upload(self, file_id: str) -> dict[str, Any] | None:
        """A file from files.getUploadURLExternal; ``content`` holds the uploaded bytes."""
        with self._lock:
            upload = self._uploads.get(file_id)
            return dict(upload) if upload else None

    # --- payload helpers for driving the app ----------------------------------------

    def trigger_id(self) -> str:
        """A fresh trigger_id in Slack's format; each one may open a view only once."""
        return f"{int(self._now())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"

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

    # =============================================================================
    # response_url endpoint
    # =============================================================================

    def response_url(self) -> str:
        """A fresh response_url served by the fake (usable 5 times, like Slack's)."""
        url = f"{self.base_url}/respond/{uuid.uuid4().hex}"
        with self._lock:
            self._response_urls[url] = 0
        return url

    def fail_response_urls(self, status: int | None = 404) -> None:
        """Make every response_url answer ``status`` (None restores normal behaviour)."""
        with self._lock:
            self._response_url_failure = status

    def wait_for_response(
        self, url: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[Response]:
        """Block until ``count`` POSTs reached ``url`` (any response_url if None)."""

        def matching() -> list[Response]:
            return [r for r in self._responses if url is None or r.url == url]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            seen = [(r.url, r.status, r.payload) for r in self._responses[-10:]]
        raise AssertionError(
            f"expected {count} POST(s) to {url or 'any response_url'} within {timeout}s; "
            f"saw: {seen}"
        )

    # =============================================================================
    # fault switches
    # =============================================================================

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Make the next ``count`` calls (to ``method``, or any) fail like Slack can.

        429 answers ``Retry-After`` + ``ratelimited``; 5xx answers Slack's edge HTML page;
        200 with ``error`` answers ``{"ok": false, "error": error}``. A failed call changes
        no state.
        """
        if status == 200 and not error:
            raise ValueError("status 200 needs error=..., e.g. 'channel_not_found'")
        with self._lock:
            self._faults.append(_Fault(method, status, count, retry_after, error))

    def slow_next(
        self, method: str | None = None, *, seconds: float, count: int = 1, after: bool = False
    ) -> None:
        """Delay the next ``count`` answers; the call still takes effect (as on Slack).

        By default the delay comes before the call takes effect. With ``after=True`` the
        call takes effect and is recorded first (``wait_for`` and ``messages()`` show it)
        and only the answer waits: a client killed in that window has changed Slack's
        state without ever hearing so. ``stop()`` releases any answer still waiting.
        """
        with self._lock:
            self._delays.append(_Delay(method, seconds, count, after))

    @property
    def held(self) -> list[str]:
        """Methods whose answers ``slow_next`` is holding back right now, one per request."""
        with self._lock:
            return list(self._held)

    def _hold(self, method: str, seconds: float) -> None:
        with self._cond:
            self._held.append(method)
            self._cond.notify_all()
        try:
            self._stopping.wait(seconds)
        finally:
            with self._cond:
                self._held.remove(method)

    def _take(self, queue: list[Any], method: str) -> Any:
        with self._lock:
            for item in queue:
                if item.method is None or item.method == method:
                    item.remaining -= 1
                    if item.remaining <= 0:
                        queue.remove(item)
                    return item
        return None

    # =============================================================================
    # HTTP plumbing
    # =============================================================================

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _dispatch(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            if parts.path.startswith("/api/"):
                self._serve_api(handler, parts.path[len("/api/") :], parts.query, raw)
            elif parts.path.startswith("/respond/"):
                self._serve_response_url(handler, raw)
            elif parts.path.startswith("/upload/v1/"):
                self._serve_upload(handler, parts.path.rsplit("/", 1)[-1], raw)
            else:
                self._write(handler, 404, b"not found\n", "text/plain")
        except Exception:
            detail = traceback.format_exc()
            with self._cond:
                self._internal_errors.append(detail)
                self._cond.notify_all()
            self._write(handler, 500, detail.encode(), "text/plain")

    @staticmethod
    def _write(
        handler: _Handler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired during slow_next)

    @staticmethod
    def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
        if not raw:
            return {}
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime == "application/json":
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise SlackError("invalid_json") from exc
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            return body
        if mime == "multipart/form-data":
            parser = email.parser.BytesParser(policy=email.policy.HTTP)
            message = parser.parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + raw  # type: ignore[arg-type]
            )
            fields: dict[str, Any] = {}
            for part in message.iter_parts():  # type: ignore[attr-defined]
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename() is None:
                    fields[name] = payload.decode("utf-8")
                else:
                    fields[name] = payload
            return fields
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise SlackError("invalid_form_data") from exc

    def _serve_api(self, handler: _Handler, method: str, query: str, raw: bytes) -> None:
        headers = dict(handler.headers.items())
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        parse_error: SlackError | None = None
        try:
            params.update(self._parse_body(headers.get("Content-Type", ""), raw))
        except SlackError as exc:
            parse_error = exc
        for key in _JSON_PARAMS & params.keys():
            value = params[key]
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                # Undecodable JSON stays a string; handlers answer Slack's *_format errors.
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        auth = headers.get("Authorization", "")
        token: str | None = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
        body_token = params.pop("token", None)
        token = token or body_token or None

        delay = self._take(self._delays, method)
        if delay is not None and not delay.after:
            self._hold(method, delay.seconds)
        fault = self._take(self._faults, method)

        extra_headers: dict[str, str] = {}
        if fault is not None:
            status, body, content_type, extra_headers = self._fault_answer(fault)
            result = json.loads(body) if content_type.startswith("application/json") else None
        else:
            status, content_type = 200, "application/json; charset=utf-8"
            with self._lock:
                try:
                    if parse_error is not None:
                        raise parse_error
                    result = self._call(method, token, params)
                except SlackError as exc:
                    result = {"ok": False, "error": exc.error, **exc.extra}
                except Exception:  # a bug in the fake: fail loudly, keep serving
                    detail = traceback.format_exc()
                    self._internal_errors.append(detail)
                    status, content_type, result = 500, "text/plain", None
            body = json.dumps(result).encode() if result is not None else detail.encode()
        call = Call(method, params, token, headers, time.time(), status, result)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        if delay is not None and delay.after:
            self._hold(method, delay.seconds)
        self._write(handler, status, body, content_type, extra_headers)

    def _fault_answer(self, fault: _Fault) -> tuple[int, bytes, str, dict[str, str]]:
        if fault.status == 429:
            body = {"ok": False, "error": fault.error or "ratelimited"}
            return (
                429,
                json.dumps(body).encode(),
                "application/json; charset=utf-8",
                {"Retry-After": str(fault.retry_after)},
            )
        if fault.status >= 500:
            reason = {
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
                504: "Gateway Timeout",
            }.get(fault.status, "Server Error")
            page = (
                f"<html>\n<head><title>{fault.status} {reason}</title></head>\n"
                f"<body>\n<center><h1>{fault.status} {reason}</h1></center>\n"
                "<hr><center>envoy</center>\n</body>\n</html>\n"
            )
            return fault.status, page.encode(), "text/html", {}
        body = {"ok": False, "error": fault.error or "invalid_request"}
        return fault.status, json.dumps(body).encode(), "application/json; charset=utf-8", {}

    def _call(self, method: str, token: str | None, params: dict[str, Any]) -> dict[str, Any]:
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        if not token:
            raise SlackError("not_authed")
        if token == self.app_token:
            kind = "app"
        elif token == self.bot_token:
            kind = "bot"
        else:
            raise SlackError("invalid_auth")
        needed = "app" if method == "apps.connections.open" else "bot"
        if kind != needed:
            raise SlackError("not_allowed_token_type")
        return handler(params)

    def _serve_response_url(self, handler: _Handler, raw: bytes) -> None:
        url = self.base_url + urlsplit(handler.path).path
        headers = dict(handler.headers.items())
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
            payload = json.loads(form["payload"]) if "payload" in form else form
        with self._cond:
            if self._response_url_failure is not None:
                status, body = self._response_url_failure, b"expired_url"
            elif url not in self._response_urls and not self.any_response_url:
                status, body = 404, b"invalid_url"
            elif self._response_urls.get(url, 0) >= _MAX_RESPONSE_URL_USES:
                status, body = 404, b"used_url"
            else:
                self._response_urls[url] = self._response_urls.get(url, 0) + 1
                status, body = 200, b"ok"
            self._responses.append(Response(url, payload, time.time(), status, headers))
            self._cond.notify_all()
        self._write(handler, status, body, "text/html")

    def _serve_upload(self, handler: _Handler, file_id: str, raw: bytes) -> None:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                status, body = 404, b"file not found"
            else:
                upload["content"] = raw
                upload["uploaded"] = True
                status, body = 200, f"OK - {len(raw)}".encode()
        self._write(handler, status, body, "text/plain")

    # =============================================================================
    # state helpers (call with the lock held)
    # =============================================================================

    def _next_ts(self) -> str:
        micros = max(int(self._now() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _dm_for_user_ref(self, ref: str) -> str:
        if ref[:1] in ("U", "W") and ref in self._users:
            return self.dm_channel(ref)
        return ref

    def _ensure_dm(self, user_id: str) -> dict[str, Any]:
        dm_id = self.dm_channel(user_id)
        channel = self._channels.get(dm_id)
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

    def _bot_profile(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": self.bot_name,
            "icons": {"image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png"},
            "deleted": False,
            "updated": int(self._now()),
            "team_id": self.team_id,
        }

    @staticmethod
    def _public_message(message: dict[str, Any], *, with_metadata: bool) -> dict[str, Any]:
        shown = copy.deepcopy(message)
        if not with_metadata:
            shown.pop("metadata", None)
        return shown

    def _check_content(self, params: dict[str, Any], *, require: bool = True) -> None:
        """Slack's checks on text/blocks/attachments/metadata shared by chat.* methods."""
        text = params.get("text")
        blocks = params.get("blocks")
        attachments = params.get("attachments")
        if require and not text and not blocks and not attachments:
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > blockkit.MESSAGE_TEXT_MAX:
            raise SlackError("msg_too_long")
        if blocks is not None and blocks != "":
            if not isinstance(blocks, list):
                raise SlackError("invalid_blocks_format")
            errors = blockkit.blocks_errors(blocks)
            if errors:
                raise SlackError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": blockkit.slack_messages(errors)},
                )
        if attachments is not None and attachments != "":
            if not isinstance(attachments, list):
                raise SlackError("invalid_attachments")
            if len(attachments) > 100:
                raise SlackError("too_many_attachments")
        metadata = params.get("metadata")
        if metadata not in (None, {}) and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")

    def _user_json(self, record: dict[str, Any], *, include_locale: bool = False) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": record["real_name"],
            "real_name_normalized": record["real_name"],
            "display_name": record["display_name"],
            "display_name_normalized": record["display_name"],
            "fields": None,
            "status_text": record["status_text"],
            "status_emoji": record["status_emoji"],
            "status_emoji_display_info": [],
            "status_expiration": record["status_expiration"],
            "avatar_hash": "g" + record["id"][-11:].lower(),
            "first_name": record["real_name"].split(" ")[0],
            "last_name": " ".join(record["real_name"].split(" ")[1:]),
            "image_48": "https://secure.gravatar.com/avatar/0.jpg?s=48",
            "team": record["team_id"],
        }
        user: dict[str, Any] = {
            "id": record["id"],
            "team_id": record["team_id"],
            "name": record["name"],
            "deleted": record["deleted"],
            "color": "9f69e7",
            "real_name": record["real_name"],
            "profile": profile,
            "is_bot": record["is_bot"],
            "is_app_user": False,
            "updated": int(self._now()) - 86_400,
        }
        if record["is_bot"]:
            profile["always_active"] = record["id"] == self.bot_user_id
            if record["id"] == self.bot_user_id:
                profile["bot_id"] = self.bot_id
                profile["api_app_id"] = self.app_id
        if not record["deleted"]:
            # Slack leaves these out for deactivated accounts; the app must not assume them.
            zone = ZoneInfo(record["tz"] or "America/Los_Angeles")
            local = self.clock.now().astimezone(zone)
            offset = local.utcoffset()
            abbreviation = local.tzname() or ""
            user.update(
                {
                    "tz": record["tz"] or None,
                    "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
                    "tz_offset": int(offset.total_seconds()) if offset else 0,
                    "is_admin": record["is_admin"],
                    "is_owner": False,
                    "is_primary_owner": False,
                    "is_restricted": record["is_restricted"],
                    "is_ultra_restricted": record["is_ultra_restricted"],
                    "is_email_confirmed": not record["is_bot"],
                    "who_can_share_contact_card": "EVERYONE",
                }
            )
        if include_locale:
            user["locale"] = "en-US"
        return user

    def _channel_json(
        self, channel: dict[str, Any], *, num_members: bool = False
    ) -> dict[str, Any]:
        created = channel["created"]
        if channel["is_im"]:
            user = self._users.get(channel["user"], {})
            return {
                "id": channel["id"],
                "created": created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": created * 1000,
                "user": channel["user"],
                "is_user_deleted": bool(user.get("deleted")),
                "priority": 0,
            }
        info: dict[str, Any] = {
            "id": channel["id"],
            "name": channel["name"],
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel["is_private"],
            "created": created,
            "is_archived": channel["is_archived"],
            "is_general": False,
            "unlinked": 0,
            "name_normalized": channel["name"],
            "is_shared": channel["is_ext_shared"],
            "is_org_shared": False,
            "is_ext_shared": channel["is_ext_shared"],
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "updated": created * 1000,
            "parent_conversation": None,
            "creator": "",
            "is_member": channel["bot_is_member"],
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if channel["is_ext_shared"]:
            info["shared_team_ids"] = [self.team_id]
        if num_members:
            info["num_members"] = len(channel["members"] or [])
        return info

    # =============================================================================
    # Web API methods (run with the lock held)
    # =============================================================================

    def _api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        team = self._teams.get(params.get("team") or self.team_id)
        if team is None:
            raise SlackError("team_not_found")
        return {
            "ok": True,
            "team": {
                "id": team["id"],
                "name": team["name"],
                "url": f"https://{team['domain']}.slack.com/",
                "domain": team["domain"],
                "email_domain": "",
                "icon": {
                    "image_default": True,
                    "image_34": "https://a.slack-edge.com/0/img/avatars-teams/ava_0001-34.png",
                },
                "avatar_base_url": "https://ca.slack-edge.com/",
                "is_verified": False,
            },
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._users.get(params.get("user", ""))
        if record is None:
            raise SlackError("user_not_found")
        return {
            "ok": True,
            "user": self._user_json(record, include_locale=_truthy(params.get("include_locale"))),
        }

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        return_im = _truthy(params.get("return_im"))
        if params.get("channel") and not users:
            channel = self._channel_by_ref(params["channel"])
            if not channel["is_im"]:
                raise SlackError("method_not_supported_for_channel_type")
            return {"ok": True, "channel": {"id": channel["id"]}}
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user_id in users:
            record = self._users.get(user_id)
            if record is None:
                raise SlackError("user_not_found")
            if record["deleted"]:
                raise SlackError("user_disabled")
        if len(users) > 1:
            raise SlackError("method_not_supported_for_channel_type")  # group DMs: not faked
        already = self.dm_channel(users[0]) in self._channels
        channel = self._ensure_dm(users[0])
        if not return_im:
            return {"ok": True, "channel": {"id": channel["id"]}}
        answer: dict[str, Any] = {"ok": True, "channel": self._channel_json(channel)}
        if already:
            answer.update({"no_op": True, "already_open": True})
        return answer

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_by_ref(params.get("channel"))
        if channel["is_private"] and not channel["bot_is_member"]:
            raise SlackError("channel_not_found")
        return {
            "ok": True,
            "channel": self._channel_json(
                channel, num_members=_truthy(params.get("include_num_members"))
            ),
        }

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_by_ref(params.get("channel"))
        if channel["is_im"] or channel["is_private"]:
            raise SlackError("method_not_supported_for_channel_type")
        if channel["is_archived"]:
            raise SlackError("is_archived")
        answer: dict[str, Any] = {"ok": True}
        if channel["bot_is_member"]:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        channel["bot_is_member"] = True
        answer["channel"] = self._channel_json(channel)
        return answer

    def _history_window(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        inclusive = _truthy(params.get("inclusive"))
        oldest = params.get("oldest")
        latest = params.get("latest")
        chosen = []
        for message in messages:
            key = _ts_key(message["ts"])
            if oldest not in (None, "", "0"):
                bound = _ts_key(str(oldest))
                if key < bound or (key == bound and not inclusive):
                    continue
            if latest not in (None, ""):
                bound = _ts_key(str(latest))
                if key > bound or (key == bound and not inclusive):
                    continue
            chosen.append(message)
        return chosen

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        with_metadata = _truthy(params.get("include_all_metadata"))
        top_level = [
            m
            for m in self._messages.get(channel["id"], [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        window = list(reversed(self._history_window(top_level, params)))  # newest first
        cursor = params.get("cursor")
        if cursor:
            try:
                before = _ts_key(cursor.removeprefix("next_ts:"))
            except ValueError as exc:
                raise SlackError("invalid_cursor") from exc
            window = [m for m in window if _ts_key(m["ts"]) <= before]
        limit = int(params.get("limit") or 100)
        limit = max(1, min(limit, 999))
        page, rest = window[:limit], window[limit:]
        answer: dict[str, Any] = {
            "ok": True,
            "messages": [self._public_message(m, with_metadata=with_metadata) for m in page],
            "has_more": bool(rest),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if rest:
            answer["response_metadata"] = {"next_cursor": f"next_ts:{rest[0]['ts']}"}
        return answer

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        ts = params.get("ts")
        with_metadata = _truthy(params.get("include_all_metadata"))
        messages = self._messages.get(channel["id"], [])
        parent = next((m for m in messages if m["ts"] == ts), None)
        if parent is None:
            raise SlackError("thread_not_found")
        replies = [m for m in messages if m.get("thread_ts") == ts and m["ts"] != ts]
        thread = [parent, *self._history_window(replies, params)]
        limit = max(1, int(params.get("limit") or 1000))
        return {
            "ok": True,
            "messages": [
                self._public_message(m, with_metadata=with_metadata) for m in thread[:limit]
            ],
            "has_more": len(thread) > limit,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        if channel["is_archived"]:
            raise SlackError("is_archived")
        self._check_content(params)
        message: dict[str, Any] = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": self._next_ts(),
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": params.get("text") or "",
            "team": self.team_id,
            "bot_profile": self._bot_profile(),
        }
        for key in ("blocks", "attachments"):
            if params.get(key):
                message[key] = params[key]
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        thread_ts = params.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
            message["parent_user_id"] = self.bot_user_id
            if _truthy(params.get("reply_broadcast")):
                message["subtype"] = "thread_broadcast"
        self._store_message(channel["id"], message)
        return {
            "ok": True,
            "channel": channel["id"],
            "ts": message["ts"],
            "message": self._public_message(message, with_metadata=True),
        }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        user_id = params.get("user")
        if not user_id:
            raise _invalid_arguments("[ERROR] missing required field: user")
        if user_id not in self._users:
            raise SlackError("user_not_found")
        members = channel["members"]
        if members is not None and user_id not in members:
            raise SlackError("user_not_in_channel")
        if channel["is_archived"]:
            raise SlackError("is_archived")
        self._check_content(params)
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        message = self._find_message(channel["id"], params.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        self._check_content(params)
        if "text" in params or "blocks" in params:
            message["text"] = params.get("text") or ""
        for key in ("blocks", "attachments"):
            if key in params:
                if params[key]:
                    message[key] = params[key]
                else:
                    message.pop(key, None)
        if "metadata" in params:  # Slack keeps old metadata unless told; {} removes it
            if params["metadata"]:
                message["metadata"] = params["metadata"]
            else:
                message.pop("metadata", None)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        shown = self._public_message(message, with_metadata=True)
        return {
            "ok": True,
            "channel": channel["id"],
            "ts": message["ts"],
            "text": message["text"],
            "message": shown,
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        message = self._find_message(channel["id"], params.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self._messages[channel["id"]].remove(message)
        return {"ok": True, "channel": channel["id"], "ts": message["ts"]}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        message = self._find_message(channel["id"], params.get("message_ts"))
        ts = message["ts"]
        permalink = (
            f"https://{self.team_domain}.slack.com/archives/{channel['id']}/p{ts.replace('.', '')}"
        )
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts:
            permalink += f"?thread_ts={thread_ts}&cid={channel['id']}"
        return {"ok": True, "channel": channel["id"], "permalink": permalink}

    # --- views ----------------------------------------------------------------------

    def _parse_view(self, params: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
        view = params.get("view")
        if view is None or view == "":
            raise _invalid_arguments("[ERROR] missing required field: view")
        if isinstance(view, str):
            raise _invalid_arguments("[ERROR] failed to parse view JSON [json-pointer:/view]")
        errors = blockkit.view_errors(view, allowed_types=allowed)
        if errors:
            raise _invalid_arguments(*blockkit.slack_messages(errors))
        external_id = view.get("external_id")
        if external_id:
            for existing in self._views.values():
                if existing.get("external_id") == external_id and existing["id"] != view.get("id"):
                    raise SlackError("duplicate_external_id")
        return view

    def _exchange_trigger(self, params: dict[str, Any]) -> None:
        trigger_id = params.get("trigger_id")
        if not trigger_id:
            raise _invalid_arguments("[ERROR] missing required field: trigger_id")
        if trigger_id in self._used_triggers:
            raise _invalid_arguments("invalid `trigger_id`")  # Slack: one view per trigger
        self._used_triggers.add(trigger_id)

    def _store_view(
        self,
        view: dict[str, Any],
        *,
        view_id: str | None = None,
        root: str | None = None,
        previous: str | None = None,
    ) -> dict[str, Any]:
        view_id = view_id or _random_id("V")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self._now())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if view["type"] == "modal":
            stored["title"] = view.get("title")
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(params, ("modal",))
        self._exchange_trigger(params)
        return {"ok": True, "view": self._store_view(view)}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(params, ("modal",))
        self._exchange_trigger(params)
        return {"ok": True, "view": self._store_view(view)}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and not external_id:
            raise _invalid_arguments("[ERROR] either view_id or external_id is required")
        current = (
            self._views.get(view_id)
            if view_id
            else next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
        )
        if current is None:
            raise SlackError("not_found")
        params = dict(params)
        if isinstance(params.get("view"), dict):
            params["view"] = {**params["view"], "id": current["id"]}
        view = self._parse_view(params, (current["type"],))
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = self._store_view(
            view,
            view_id=current["id"],
            root=current["root_view_id"],
            previous=current["previous_view_id"],
        )
        return {"ok": True, "view": stored}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise _invalid_arguments("[ERROR] missing required field: user_id")
        if user_id not in self._users:
            raise SlackError("user_not_found")
        view = self._parse_view(params, ("home",))
        current_id = self._home_views.get(user_id)
        if current_id and params.get("hash") and params["hash"] != self._views[current_id]["hash"]:
            raise SlackError("hash_conflict")
        stored = self._store_view(view, view_id=current_id)
        self._home_views[user_id] = stored["id"]
        return {"ok": True, "view": stored}

    # --- reactions ------------------------------------------------------------------

    def _reaction_target(self, params: dict[str, Any]) -> tuple[dict[str, Any], str]:
        name = str(params.get("name") or "").strip(":")
        if not name or " " in name:
            raise SlackError("invalid_name")
        if not params.get("timestamp"):
            raise SlackError("no_item_specified")
        channel = self._readable_channel(params.get("channel"))
        return self._find_message(channel["id"], params.get("timestamp")), name

    def _reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        message, name = self._reaction_target(params)
        reactions = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            reactions.append(reaction)
        if self.bot_user_id in reaction["users"]:
            raise SlackError("already_reacted")
        reaction["users"].append(self.bot_user_id)
        reaction["count"] += 1
        return {"ok": True}

    def _reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        message, name = self._reaction_target(params)
        reactions = message.get("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None or self.bot_user_id not in reaction["users"]:
            raise SlackError("no_reaction")
        reaction["users"].remove(self.bot_user_id)
        reaction["count"] -= 1
        if not reaction["users"]:
            reactions.remove(reaction)
        return {"ok": True}

    # --- files ----------------------------------------------------------------------

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = params.get("length")
        if not filename:
            raise _invalid_arguments("[ERROR] missing required field: filename")
        if length in (None, ""):
            raise _invalid_arguments("[ERROR] missing required field: length")
        file_id = _random_id("F")
        self._uploads[file_id] = {
            "id": file_id,
            "filename": filename,
            "length": int(length),
            "alt_txt": params.get("alt_txt"),
            "content": None,
            "uploaded": False,
            "completed": False,
        }
        return {
            "ok": True,
            "upload_url": f"{self.base_url}/upload/v1/{file_id}",
            "file_id": file_id,
        }

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise _invalid_arguments("[ERROR] missing required field: files")
        channel = None
        if params.get("channel_id"):
            channel = self._readable_channel(params["channel_id"])
        completed = []
        for item in files:
            upload = self._uploads.get(item.get("id")) if isinstance(item, dict) else None
            if upload is None or not upload["uploaded"]:
                raise SlackError("file_not_found")
            upload["completed"] = True
            upload["title"] = item.get("title") or upload["filename"]
            completed.append(
                {
                    "id": upload["id"],
                    "created": int(self._now()),
                    "timestamp": int(self._now()),
                    "name": upload["filename"],
                    "title": upload["title"],
                    "mimetype": "",
                    "filetype": "",
                    "user": self.bot_user_id,
                    "user_team": self.team_id,
                    "size": len(upload["content"] or b""),
                    "is_external": False,
                    "is_public": channel is not None and not channel["is_private"],
                    "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{upload['id']}/{upload['filename']}",
                    "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{upload['id']}/{upload['filename']}",
                }
            )
        if channel is not None:
            message: dict[str, Any] = {
                "user": self.bot_user_id,
                "type": "message",
                "ts": self._next_ts(),
                "bot_id": self.bot_id,
                "app_id": self.app_id,
                "text": params.get("initial_comment") or "",
                "team": self.team_id,
                "files": copy.deepcopy(completed),
                "upload": True,
            }
            if params.get("thread_ts"):
                message["thread_ts"] = str(params["thread_ts"])
            self._store_message(channel["id"], message)
        return {"ok": True, "files": completed}

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket.issue_url()}
