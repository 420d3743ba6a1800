"""Sign requests the way Slack does, so tests can post to the app's HTTP endpoint.

Slack's v0 scheme: HMAC-SHA256 over ``"v0:{timestamp}:{raw body}"`` keyed with the app's
signing secret, hex digest prefixed with ``"v0="``. The app must verify the *raw* bytes it
received, so callers should sign exactly the bytes they send.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["sign", "signed_headers"]


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign(signing_secret: str, timestamp: str | int, body: str | bytes) -> str:
    """Return the ``X-Slack-Signature`` value for ``body`` sent at ``timestamp``."""
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + _as_bytes(body)
    digest = hmac.new(_as_bytes(signing_secret), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(
    signing_secret: str, body: str | bytes, timestamp: str | int | None = None
) -> dict[str, str]:
    """Headers Slack would attach to ``body``; the timestamp defaults to now.

    Content-Type is left to the caller: slash commands and interactivity are form-encoded,
    the Events API is JSON.
    """
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(signing_secret, ts, body),
    }
