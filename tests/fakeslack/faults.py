"""Failure injection, so tests can prove the app survives 429s, 5xx, errors and slow answers."""

from __future__ import annotations

import json
from typing import Any

from .model import _Delay, _Fault
from .state import SlackState


class FaultSwitches(SlackState):
    """The switches tests flip, and what the transport answers when one fires."""

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

    def answer_in(self, seconds: float) -> None:
        """Answer every Web API call and response_url after ``seconds`` (Slack's own time
        per call, ~0.1 s from a data centre: benchmarks where that time matters); 0 stops."""
        with self._lock:
            self._latency = seconds

    def _wait_latency(self) -> None:
        with self._lock:
            seconds = self._latency
        if seconds > 0:
            self._stopping.wait(seconds)

    def fail_response_urls(self, status: int | None = 404) -> None:
        """Make every response_url answer ``status`` (None restores normal behaviour)."""
        with self._lock:
            self._response_url_failure = status

    # --- used by the transport --------------------------------------------------------------------

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
