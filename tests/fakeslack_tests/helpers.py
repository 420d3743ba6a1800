"""Small helpers the fake's tests share: reading a Slack error and building blocks."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> dict[str, Any]:
    return excinfo.value.response.data  # type: ignore[return-value]


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}
