"""users.info look-ups (time zone, bot, external), cached: they are asked on every command."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.usecases.ports import DirectoryUnavailable, Person

_NOT_FOUND = ("user_not_found", "users_not_found")
# About this one user, not about Slack: the bot may not see them (another organisation it
# shares no channel with). Such a person is "not found" for a short while, and asked again
# after that; look-ups of everyone else go on.
_NOT_VISIBLE = ("user_not_visible",)


class SlackDirectory:
    def __init__(
        self,
        client: WebClient,
        ttl_seconds: float = 3600,
        size: int = 10_000,
        outage_seconds: float = 30,
    ) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self.size = size
        # After a failed look-up (retries included), don't ask again for a while: the
        # caller falls back at once instead of waiting on a struggling Slack every time.
        self.outage_seconds = outage_seconds
        self._down_until = 0.0
        self._cache: OrderedDict[tuple[str, str], tuple[float, Person | None]] = OrderedDict()
        self._lock = threading.Lock()

    def person(self, team_id: str, user_id: str) -> Person | None:
        key = (team_id, user_id)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > now:
                self._cache.move_to_end(key)
                return hit[1]
            if now < self._down_until:
                raise DirectoryUnavailable("users.info failed recently")
        try:
            person = self._fetch(team_id, user_id)
        except _NotVisible:
            person, kept = None, self.outage_seconds
        except DirectoryUnavailable:
            with self._lock:
                self._down_until = time.monotonic() + self.outage_seconds
            raise
        else:
            kept = self.ttl
        with self._lock:
            self._cache[key] = (now + kept, person)
            self._cache.move_to_end(key)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return person

    def _fetch(self, team_id: str, user_id: str) -> Person | None:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as e:
            if e.response.get("error") in _NOT_FOUND:
                return None
            if e.response.get("error") in _NOT_VISIBLE:
                raise _NotVisible from e
            raise DirectoryUnavailable(str(e.response.get("error"))) from e
        except SlackClientError as e:
            raise DirectoryUnavailable(str(e)) from e
        except OSError as e:  # timeouts and refused connections after the retries
            raise DirectoryUnavailable(str(e)) from e
        return person_from(user, team_id)

    def remember(self, team_id: str, user: dict[str, Any]) -> Person:
        """A user object Slack sent (a `user_change` event carries the whole user): update
        the cache with it, so a new time zone or status counts at once."""
        person = person_from(user, team_id)
        with self._lock:
            self._cache[(team_id, person.id)] = (time.monotonic() + self.ttl, person)
            self._cache.move_to_end((team_id, person.id))
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return person


class _NotVisible(Exception):
    """users.info said the bot may not see this user."""


def person_from(user: dict[str, Any], team_id: str) -> Person:
    """A users.info `user` object (or an event's) → Person."""
    profile = user.get("profile") or {}
    return Person(
        id=user["id"],
        tz=user.get("tz") or None,
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        external=bool(user.get("team_id")) and user.get("team_id") != team_id,
        name=user.get("real_name") or user.get("name") or user["id"],
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        status_text=str(profile.get("status_text") or ""),
        status_emoji=str(profile.get("status_emoji") or ""),
        status_expiration=int(profile.get("status_expiration") or 0),
    )
