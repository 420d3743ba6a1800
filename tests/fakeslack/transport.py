"""The HTTP side, so the app's real WebClient is exercised: parsing, tokens, routing, faults."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

from . import blockkit, sdkmodels
from .faults import FaultSwitches
from .model import Call, MethodTable, Response, SlackError

# Parameters Slack takes as JSON-encoded strings in form bodies; decoded for inspection.
_JSON_PARAMS = frozenset(
    {"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks"}
)

_MAX_RESPONSE_URL_USES = 5  # Slack: a response_url works up to 5 times within 30 minutes


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

    def __init__(self, fake: Transport) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class Transport(FaultSwitches):
    """Serves the Web API, response_urls and upload URLs; routes API calls through ``_methods``."""

    # Web API method name → its handler; the assembled FakeSlack fills it in.
    _methods: ClassVar[MethodTable] = {}

    def start(self) -> Self:
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _dispatch(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            if parts.path.startswith("/api/"):
                self._serve_api(handler, parts.path[len("/api/") :], parts.query, raw)
            elif parts.path.startswith(("/commands/", "/actions/", "/respond/")):
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
        self._wait_latency()
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
        return handler(self, params)

    def _serve_response_url(self, handler: _Handler, raw: bytes) -> None:
        self._wait_latency()
        url = self.base_url + urlsplit(handler.path).path
        headers = dict(handler.headers.items())
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
            payload = json.loads(form["payload"]) if "payload" in form else form
        refused = _response_payload_error(payload)
        with self._cond:
            if self._response_url_failure is not None:
                status, body = self._response_url_failure, b"expired_url"
            elif refused is not None:  # Slack answers a bad payload 400 with a short reason
                status, body = 400, refused.encode()
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


def _response_payload_error(payload: Any) -> str | None:
    """Why Slack would refuse what was posted to a response_url (the same Block Kit and
    length checks as chat.postMessage), or None."""
    if not isinstance(payload, dict):
        return "invalid_payload"
    text, blocks = payload.get("text"), payload.get("blocks")
    if isinstance(text, str) and len(text) > blockkit.MESSAGE_TEXT_MAX:
        return "msg_too_long"
    if blocks is not None:
        if not isinstance(blocks, list):
            return "invalid_blocks_format"
        if blockkit.blocks_errors(blocks) or sdkmodels.blocks_errors(blocks):
            return "invalid_blocks"
    if not text and not blocks and not payload.get("delete_original"):
        return "no_text"
    return None
