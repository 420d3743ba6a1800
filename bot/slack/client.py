"""The one WebClient: Slack's base URL from settings, with slack-sdk's retry handlers."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


class AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """Every 5xx, with slack-sdk's backoff: its own handler retries only 500 and 503, and
    Slack's edge answers 502 and 504 as well (an HTML page, not JSON)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


def retry_handlers() -> list[RetryHandler]:
    """Connection errors, 429 (waits Retry-After) and 5xx, each retried with backoff."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        AnyServerErrorRetryHandler(max_retry_count=2),
    ]


def build_web_client(token: str, base_url: str, timeout: int = TIMEOUT_SECONDS) -> WebClient:
    return WebClient(
        token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers()
    )


def respond(url: str | None, message: dict[str, Any]) -> bool:
    """Answer through a response_url, ephemerally unless told otherwise.

    Bolt's `respond()` does not raise when Slack refuses, so the status is checked here.
    """
    if not url:
        log.warning("no response_url to answer on")
        return False
    body = {"response_type": "ephemeral", **message}
    try:
        result = WebhookClient(
            url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers()
        ).send_dict(body)
    except Exception:
        log.exception("response_url could not be reached")
        return False
    if result.status_code != 200:
        log.warning("response_url answered %s: %s", result.status_code, result.body[:200])
        return False
    return True
