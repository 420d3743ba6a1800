"""Settings per workspace: the environment gives the defaults, the settings modal's stored
values win. Read on every plan, so cached briefly; a save here is seen at once, another
replica sees it within `TTL`."""

from __future__ import annotations

import logging
import threading
import time as timer
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import CLEARABLE, FIELDS, ConfigError, Defaults, override, problem
from bot.store.settings import SettingsStore

log = logging.getLogger(__name__)

TTL = 30.0  # seconds a workspace's settings are cached


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


class Workspaces:
    def __init__(self, store: SettingsStore, defaults: Defaults) -> None:
        self.store = store
        self.defaults = defaults
        self._cache: dict[str, tuple[float, Defaults]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str) -> Defaults:
        """The settings in force for a workspace."""
        with self._lock:
            hit = self._cache.get(team_id)
        if hit is not None and hit[0] > timer.monotonic():
            return hit[1]
        settings = self._load(team_id)
        with self._lock:
            self._cache[team_id] = (timer.monotonic() + TTL, settings)
        return settings

    def stored(self, team_id: str) -> dict[str, str]:
        return self.store.get(team_id)

    def check(self, values: Mapping[str, str]) -> dict[str, str]:
        """Problems with typed values, by field name (empty when all are fine)."""
        by_name = {name: f for f, (name, _, _) in FIELDS.items()}
        errors = {
            by_name[name]: why
            for name, raw in values.items()
            if name in by_name and (why := problem(by_name[name], raw))
        }
        if not errors:
            try:
                override(self.defaults, values, cleared=True)
            except ConfigError:
                errors["day_start"] = "The day must start before it ends."
        return errors

    def save(self, team_id: str, values: Mapping[str, str], by: str, now) -> list[Change]:  # type: ignore[no-untyped-def]
        """Store what differs from the environment's defaults (so an untouched setting keeps
        following them); returns what changed for this workspace."""
        before = self.get(team_id)
        after = override(self.defaults, values, cleared=True)
        differs = {
            name: values[name].strip()
            for f, (name, _, _) in FIELDS.items()
            if name in values and getattr(after, f) != getattr(self.defaults, f)
        }
        self.store.save(team_id, differs, by, now)
        with self._lock:
            self._cache.pop(team_id, None)
        return [
            Change(f, getattr(before, f), getattr(after, f))
            for f in FIELDS
            if getattr(before, f) != getattr(after, f)
        ]

    def _load(self, team_id: str) -> Defaults:
        stored = self.store.get(team_id)
        try:
            return override(self.defaults, stored, cleared=True)
        except ConfigError:
            # A stored value no longer valid (e.g. a country dropped by the holidays library):
            # keep the others and fall back to the default for that one.
            settings = self.defaults
            for name, raw in stored.items():
                try:
                    settings = override(settings, {name: raw}, cleared=True)
                except ConfigError as e:
                    log.warning("ignoring a stored setting of workspace %s: %s", team_id, e)
            return settings


__all__ = ["CLEARABLE", "Change", "Workspaces"]
