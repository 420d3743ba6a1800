"""Drive the real app as Slack does: signed HTTP requests in, the fake Web API's record out."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from bot.clock import FrozenClock
from bot.config import load_settings
from bot.runtime import Runtime, build_runtime
from bot.slack.http import make_server
from tests.fakeslack import FakeSlack, signed_headers

SIGNING_SECRET = "e2e-signing-secret"
TEAM = "T0001"


def serve_in_background(server: Any) -> threading.Thread:
    """Run a waitress server in a thread; closing it from another thread ends the loop."""

    def run() -> None:
        # The closed socket wakes select() with EBADF: that is how the loop ends.
        with contextlib.suppress(OSError, ValueError):
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@dataclass
class Answer:
    status: int
    body: str
    seconds: float


class Bot:
    """The whole app (runtime + waitress on a free port) and a Slack-like client for it."""

    def __init__(
        self, fake: FakeSlack, database_url: str, clock: FrozenClock, env: dict[str, str]
    ) -> None:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": fake.bot_token,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": database_url,
                **env,
            }
        )
        self.fake = fake
        self.clock = clock
        self.runtime: Runtime = build_runtime(settings, clock)
        # Woken often, so closing it at the end of each test takes milliseconds, not a second.
        self.server = make_server(self.runtime.web(), "127.0.0.1", 0, threads=4, wake_every=0.02)
        self.port = self.server.effective_port
        self._thread = serve_in_background(self.server)

    def close(self) -> None:
        self.server.close()
        self._thread.join(timeout=5)
        self.runtime.close()

    # -- raw HTTP

    def request(
        self,
        method: str,
        path: str,
        body: str = "",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        started = time.perf_counter()
        conn.request(method, path, body=body.encode(), headers=headers or {})
        resp = conn.getresponse()
        data = resp.read().decode()
        conn.close()
        return Answer(resp.status, data, time.perf_counter() - started)

    def post_signed(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
    ) -> Answer:
        headers = signed_headers(secret, body, timestamp=timestamp)
        headers["Content-Type"] = content_type
        return self.request("POST", "/slack/events", body, headers)

    # -- what Slack sends

    def command_body(
        self, text: str, *, user: str = "U0OWNER", channel: str = "C0CLIENT", team: str = TEAM
    ) -> tuple[str, str]:
        url = self.fake.response_url()
        form = {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "acme-agency",
            "channel_id": channel,
            "channel_name": "acme-project",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/promise",
            "text": text,
            "api_app_id": "A0001",
            "response_url": url,
            "trigger_id": self.fake.trigger_id(),
        }
        return urlencode(form), url

    def command(self, text: str, *, timeout: float = 5.0, **kw: Any) -> dict[str, Any]:
        """Run `/promise text`; return what the app answered on the response_url."""
        body, url = self.command_body(text, **kw)
        answer = self.post_signed(body, "application/x-www-form-urlencoded")
        assert answer.status == 200, answer
        assert answer.seconds < 3, f"ack took {answer.seconds:.2f}s"
        return self.fake.wait_for_response(url, timeout=timeout)[-1].payload

    def interact(self, payload: dict[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post_signed(body, "application/x-www-form-urlencoded")

    def interaction(self, kind: str, user: str, **fields: Any) -> dict[str, Any]:
        """An interactivity payload of `kind` from `user` of the test workspace, with a fresh
        trigger_id and `fields` (where it happened, what was clicked or submitted)."""
        return {
            "type": kind,
            "team": {"id": TEAM, "domain": "acme-agency"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": self.fake.trigger_id(),
            **fields,
        }

    def click(
        self,
        user: str,
        block: dict[str, Any],
        action_id: str,
        *,
        value: str | None = None,
        selected: str | None = None,
        **where: Any,
    ) -> Answer:
        """`user` clicks the `action_id` element of an actions `block` (a menu: picks the option
        whose value ends with `selected`); `where` places the block as Slack does (container,
        message or view, ...)."""
        element = next(e for e in block["elements"] if e["action_id"] == action_id)
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block["block_id"],
            "type": element["type"],
        }
        if selected is not None:
            action["selected_option"] = next(
                o for o in element["options"] if o["value"].endswith(selected)
            )
        else:
            action["value"] = value or element["value"]
        return self.interact(self.interaction("block_actions", user, **where, actions=[action]))

    def submit_view(
        self, user: str, view: dict[str, Any], values: dict[str, Any], *, view_id: str = "V0009"
    ) -> Answer:
        """`user` submits a modal the app opened, its inputs' state being `values` (block ID →
        {"value": the element's state})."""
        submitted = {**view, "id": view_id, "state": {"values": values}}
        return self.interact(self.interaction("view_submission", user, view=submitted))

    def send_event(self, event: dict[str, Any]) -> Answer:
        """Slack delivers `event` over the Events API, signed; the app must ack within 3 s."""
        answer = self.post_signed(json.dumps(self.fake.event_callback(event)), "application/json")
        assert answer.status == 200 and answer.seconds < 3
        return answer

    # -- what the database holds

    def items(self) -> list[Any]:
        from sqlalchemy import select

        from bot.store.models import Item

        with self.runtime.repo.sessions() as s:
            return list(s.scalars(select(Item).order_by(Item.id)).all())


def tick_at(bot: Bot, when: datetime) -> Any:
    """The scheduler's tick of the dispatcher, at `when` on the frozen clock."""
    bot.clock.set(when)
    return bot.runtime.dispatcher.tick()


def text_of(message: dict[str, Any]) -> str:
    """All the text a person would read in a message: its text and every block's text."""
    parts = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks") or [])
    return "\n".join(parts)
