"""Plain records and errors that every part of the fake shares (Call, Response, SlackError)."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


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


# A Web API method's handler, unbound: called as handler(fake, params) under the fake's lock.
MethodTable = dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]]


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
