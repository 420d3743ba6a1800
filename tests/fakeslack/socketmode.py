"""A local Socket Mode endpoint speaking Slack's envelope protocol over ``ws://``.

In Socket Mode Slack pushes events, slash commands and interactions to the app over a
websocket instead of HTTP. Each push is an *envelope*; the app must answer it with an ack
carrying the same ``envelope_id`` (and, for commands and interactions, optionally a
response payload) within 3 seconds. This server lets a test push envelopes to a real
``SocketModeHandler`` and read back the acks.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

__all__ = ["SocketModeServer"]

ENVELOPE_TYPES = ("events_api", "slash_commands", "interactive")

_log = logging.getLogger(__name__)


class SocketModeServer:
    """Socket Mode websocket server bound to 127.0.0.1 on a free port.

    Tickets are issued by the HTTP fake's ``apps.connections.open``; a connection without a
    valid, unused ticket is refused with HTTP 401, as Slack refuses a stale URL.
    """

    def __init__(self, app_id: str = "A0001") -> None:
        self.app_id = app_id
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._sent: list[dict[str, Any]] = []
        self._received: list[Any] = []
        self._connects = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> SocketModeServer:
        """Start serving in a daemon thread (handler threads inherit daemon status)."""
        if self._server is not None:
            return self
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            # Frequent pings wake slack_sdk's blocking recv (3 s socket timeout), which
            # close() must wait for; SocketModeClient.close() then takes ~1 s, not ~3-4 s.
            ping_interval=0.2,
            ping_timeout=5,
            close_timeout=1,
            logger=_log,
        )
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fakeslack-socketmode", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (code 1001) and stop listening."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._cond:
            self._connections.clear()
            self._cond.notify_all()

    # --- tickets / URL --------------------------------------------------------------

    def issue_url(self) -> str:
        """A fresh single-use ``ws://`` URL, as ``apps.connections.open`` returns."""
        if self.port is None:
            self.start()
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = (parse_qs(parts.query).get("ticket") or [""])[0]
        with self._cond:
            if parts.path.rstrip("/") == "/link" and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(401, "invalid or reused ticket\n")

    # --- connection handling --------------------------------------------------------

    def _handle(self, connection: ServerConnection) -> None:
        with self._cond:
            self._connections.append(connection)
            self._connects += 1
            count = len(self._connections)
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            "host": "fakeslack-socketmode",
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self.app_id},
                    }
                )
            )
            with self._cond:
                self._cond.notify_all()
            for raw in connection:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = raw
        with self._cond:
            self._received.append(message)
            if isinstance(message, dict) and "envelope_id" in message:
                self._acks[message["envelope_id"]] = message
            self._cond.notify_all()

    # --- test API -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        with self._cond:
            return bool(self._connections)

    @property
    def connection_count(self) -> int:
        """Total successful connections so far (grows on every reconnect)."""
        with self._cond:
            return self._connects

    @property
    def received(self) -> list[Any]:
        """Every message the app sent over the socket (acks), in order."""
        with self._cond:
            return list(self._received)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Every envelope pushed to the app, in order."""
        with self._cond:
            return list(self._sent)

    def wait_connected(self, timeout: float = 5.0, *, count: int = 1) -> None:
        """Block until at least ``count`` total connections have said hello."""
        with self._cond:
            ok = self._cond.wait_for(
                lambda: self._connections and self._connects >= count, timeout=timeout
            )
        if not ok:
            raise AssertionError(
                f"no Socket Mode connection within {timeout}s "
                f"(connections so far: {self._connects}, open: {len(self._connections)})"
            )

    def send_nowait(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Push one envelope to the newest connection and return its ``envelope_id``."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"envelope_type must be one of {ENVELOPE_TYPES}, not {envelope_type}")
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        with self._cond:
            if not self._connections:
                raise AssertionError("no Socket Mode client is connected; call wait_connected()")
            connection = self._connections[-1]
            self._sent.append(envelope)
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Block until the app acks ``envelope_id``; return the ack message."""
        with self._cond:
            ok = self._cond.wait_for(lambda: envelope_id in self._acks, timeout=timeout)
            if ok:
                return self._acks[envelope_id]
            received = list(self._received[-5:])
        raise AssertionError(
            f"envelope {envelope_id} was not acked within {timeout}s; last received: {received}"
        )

    def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
        *,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Push an envelope and wait for its ack, like Slack does (it retries without one)."""
        envelope_id = self.send_nowait(
            envelope_type,
            payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        return self.wait_ack(envelope_id, timeout=timeout)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message to every connection; clients should reconnect."""
        with self._cond:
            connections = list(self._connections)
        message = json.dumps(
            {
                "type": "disconnect",
                "reason": reason,
                "debug_info": {"host": "fakeslack-socketmode"},
            }
        )
        for connection in connections:
            with contextlib.suppress(ConnectionClosed):
                connection.send(message)

    def reset(self) -> None:
        """Forget sent envelopes and acks (connections stay open)."""
        with self._cond:
            self._acks.clear()
            self._sent.clear()
            self._received.clear()
