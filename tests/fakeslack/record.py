"""What tests assert on: snapshots of calls, responses and state, and waiting for them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .model import Call, Response
from .state import SlackState


class Record(SlackState):
    """Snapshots of the record and state, waiting for calls, and reset."""

    @property
    def calls(self) -> list[Call]:
        """Every API call so far, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._calls)

    @property
    def responses(self) -> list[Response]:
        """Every POST to a response_url so far (a snapshot)."""
        with self._lock:
            return list(self._responses)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (answered as HTTP 500); should stay empty."""
        with self._lock:
            return list(self._internal_errors)

    @property
    def held(self) -> list[str]:
        """Methods whose answers ``slow_next`` is holding back right now, one per request."""
        with self._lock:
            return list(self._held)

    def wait_for_held(self, method: str, timeout: float = 5.0) -> None:
        """Block until ``slow_next`` holds back a call to ``method``."""
        with self._cond:
            if not self._cond.wait_for(lambda: method in self._held, timeout=timeout):
                raise AssertionError(f"no {method} call was held within {timeout}s")

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def wait_for(
        self,
        method: str | None,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` matching calls were answered; return all matching calls.

        A call is recorded after the fake changed its state, so ``messages()`` already
        reflects a ``chat.postMessage`` returned here.
        """

        def matching() -> list[Call]:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and (where is None or where(c))
            ]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            found = len(matching())
            recent = [c.summary() for c in self._calls[-15:]]
            errors = list(self._internal_errors)
        lines = "\n  ".join(recent) or "(none)"
        detail = f"\nfake internal errors:\n{errors}" if errors else ""
        raise AssertionError(
            f"expected {count} call(s) to {method or 'any method'}"
            f"{' matching the predicate' if where else ''} within {timeout}s, saw {found}.\n"
            f"recent calls:\n  {lines}{detail}"
        )

    def wait_for_response(
        self, url: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[Response]:
        """Block until ``count`` POSTs reached ``url`` (any response_url if None)."""

        def matching() -> list[Response]:
            return [r for r in self._responses if url is None or r.url == url]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            seen = [(r.url, r.status, r.payload) for r in self._responses[-10:]]
        raise AssertionError(
            f"expected {count} POST(s) to {url or 'any response_url'} within {timeout}s; "
            f"saw: {seen}"
        )

    def reset(self) -> None:
        """Forget calls, responses, messages, views, uploads and faults; keep the directory."""
        with self._cond:
            self._calls.clear()
            self._responses.clear()
            self._faults.clear()
            self._delays.clear()
            self._internal_errors.clear()
            self._views.clear()
            self._home_views.clear()
            self._uploads.clear()
            self._used_triggers.clear()
            self._issued_triggers.clear()
            for channel_messages in self._messages.values():
                channel_messages.clear()
            self._response_url_failure = None
        self.socket.reset()

    # --- accessors --------------------------------------------------------------------------------

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages stored in a channel (thread replies included), oldest first; copies."""
        with self._lock:
            channel_id = self._dm_for_user_ref(channel_id)
            return copy.deepcopy(self._messages.get(channel_id, []))

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Call]:
        """Successful chat.postEphemeral calls, optionally for one user and/or channel."""
        with self._lock:
            want_channel = self._dm_for_user_ref(channel) if channel else None
            return [
                c
                for c in self._calls
                if c.method == "chat.postEphemeral"
                and c.ok
                and (user is None or c.params.get("user") == user)
                and (
                    want_channel is None
                    or self._dm_for_user_ref(str(c.params.get("channel"))) == want_channel
                )
            ]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The current state of an opened/pushed/updated/published view."""
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for ``user_id``."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def upload(self, file_id: str) -> dict[str, Any] | None:
        """A file from files.getUploadURLExternal; ``content`` holds the uploaded bytes."""
        with self._lock:
            upload = self._uploads.get(file_id)
            return dict(upload) if upload else None
