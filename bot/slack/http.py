"""HTTP mode: `POST /slack/events` and `GET /healthz` on waitress, a production WSGI server.

The signature is checked here, before anything is parsed, so that garbage is cheap: an
unsigned or badly signed request gets 401, a signed one that doesn't parse gets 400, each
with a tiny body and at most one log line a minute; never a 5xx or a traceback. A signed
request seen before (a replay inside Slack's five-minute window) is answered and ignored.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.slack.health import Health
from bot.slack.priority import AckFirst

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller
REPLAY_WINDOW = 5 * 60.0  # seconds: Slack refuses older timestamps, so replays fit in here
LOG_EVERY = 60.0  # seconds between two log lines about refused requests


class Refusals:
    """One log line a minute about refused requests, with how many were left unsaid."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0
        self._quiet = 0

    def note(self, why: str) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                self._quiet += 1
                return
            quiet, self._quiet, self._next = self._quiet, 0, now + LOG_EVERY
        more = f" (and {quiet} more refused in the last minute)" if quiet else ""
        log.warning("refused a request to /slack/events: %s%s", why, more)


class Replays:
    """The signatures of the requests answered well in the last REPLAY_WINDOW (per process).

    Only an answer below 500 is remembered: a request that failed (its intake write did,
    say) must be processed when it comes again. Slack's first retry of an event comes at
    once, often in the same second, so with the same timestamp and body: the same
    signature. Remembered on arrival, that retry was answered 200 unprocessed, and the
    event was lost."""

    def __init__(self, size: int = 100_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def seen(self, signature: str) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            return signature in self._seen

    def remember(self, signature: str) -> None:
        with self._lock:
            self._seen[signature] = time.monotonic() + REPLAY_WINDOW
            self._seen.move_to_end(signature)
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)


class WebApp:
    """Routes Slack's requests to Bolt and answers health checks."""

    def __init__(
        self,
        app: App,
        health: Health,
        signing_secret: str,
        gate: AckFirst | None = None,
    ) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.health = health
        self.verifier = SignatureVerifier(signing_secret)
        self.gate = gate or AckFirst()
        self.refusals = Refusals()
        self.replays = Replays()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            problem = self.health.problem()
            if problem is None:
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", problem)
        if path == "/slack/events":
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only")
            refused = self._check(environ)
            if refused is not None:
                status, body, why = refused
                self.refusals.note(why)
                return _plain(start_response, status, body)
            signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
            answered: list[str] = []

            def respond(status: str, headers: Any, exc_info: Any = None) -> Any:
                answered.append(status)
                return start_response(status, headers, exc_info)

            self.gate.enter()
            try:
                return self.slack(environ, respond)
            finally:
                self.gate.leave()
                if answered and int(answered[0][:3]) < 500:
                    self.replays.remember(signature)
        return _plain(start_response, "404 Not Found", "not found")

    def _check(self, environ: dict[str, Any]) -> tuple[str, str, str] | None:
        """Read the body, check the signature, then the shape: (status, body, why) to refuse
        with, or None to go on (the body is put back for Bolt)."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "400 Bad Request", "bad request", "a bad Content-Length"
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not (timestamp.isdigit() and signature):
            return "401 Unauthorized", "invalid signature", "no valid signature headers"
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or not self.verifier.is_valid(text, timestamp, signature):
            return "401 Unauthorized", "invalid signature", "a bad or stale signature"
        if not _parses(text, environ.get("CONTENT_TYPE") or ""):
            return "400 Bad Request", "malformed request", "a signed request that doesn't parse"
        if self.replays.seen(signature):
            return "200 OK", "", "a replayed request (answered before)"
        return None


def _parses(text: str, content_type: str) -> bool:
    """Whether Bolt will find what it expects: a JSON object, or a form (with, for clicks and
    forms, a JSON object in `payload`)."""
    try:
        if content_type.startswith("application/json"):
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return True
    except (ValueError, TypeError):
        return False


def _plain(start_response: Callable[..., Any], status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def make_server(
    web: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
    host: str,
    port: int,
    threads: int = 8,
    wake_every: float = 1.0,
) -> Any:
    """A waitress server (not started); `.run()` serves, `.close()` stops, `.effective_port`."""
    return create_server(
        web,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY,
        ident="promise-bot",
        # How often the idle loop wakes: also how long `.close()` from another thread may
        # take to end `.run()` (tests close one server per test).
        asyncore_loop_timeout=wake_every,
    )
