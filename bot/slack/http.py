"""HTTP mode: `POST /slack/events` and `GET /healthz` on waitress, a production WSGI server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from bot.slack.priority import AckFirst

MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller


class WebApp:
    """Routes Slack's requests to Bolt and answers health checks."""

    def __init__(self, app: App, healthy: Callable[[], bool], gate: AckFirst | None = None) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.healthy = healthy
        self.gate = gate or AckFirst()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = self.healthy()
            return _plain(
                start_response,
                "200 OK" if ok else "503 Service Unavailable",
                "ok" if ok else "database unreachable",
            )
        if path == "/slack/events":
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only")
            self.gate.enter()
            try:
                return self.slack(environ, start_response)
            finally:
                self.gate.leave()
        return _plain(start_response, "404 Not Found", "not found")


def _plain(start_response: Callable[..., Any], status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def make_server(web: WebApp, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (not started); `.run()` serves, `.close()` stops, `.effective_port`."""
    return create_server(
        web,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY,
        ident="promise-bot",
    )
