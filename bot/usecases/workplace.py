"""The workplace: what every use case asks about a workspace and its people.

The settings in force (the environment gives the defaults, the settings form's stored
values win), each person's working calendar in their own Slack time zone, and the checks
on people (may own an item, may change the settings). Settings are read on every plan, so
they are cached briefly: a save here is seen at once, another replica sees it within `TTL`.
"""

from __future__ import annotations

import logging
import threading
import time as timer
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import CLEARABLE, FIELDS, ConfigError, Defaults, override, problem
from bot.core import commands as cmd
from bot.core.calendar import WorkCalendar
from bot.core.plan import Policy
from bot.store.settings import SettingsStore
from bot.usecases.ports import Directory, DirectoryUnavailable, Person
from bot.usecases.results import Change, Invocation, Problem

log = logging.getLogger(__name__)

TTL = 30.0  # seconds a workspace's settings are cached


class Workplace:
    def __init__(self, store: SettingsStore, defaults: Defaults, directory: Directory) -> None:
        self.store = store
        self.defaults = defaults
        self.directory = directory
        self._cache: dict[str, tuple[float, Defaults]] = {}
        self._lock = threading.Lock()

    # -- the settings in force

    def settings(self, team_id: str) -> Defaults:
        """The settings in force for a workspace."""
        with self._lock:
            hit = self._cache.get(team_id)
        if hit is not None and hit[0] > timer.monotonic():
            return hit[1]
        settings = self._load(team_id)
        with self._lock:
            self._cache[team_id] = (timer.monotonic() + TTL, settings)
        return settings

    def lead(self, team_id: str) -> str | None:
        return self.settings(team_id).lead

    def policy(self, team_id: str) -> Policy:
        """The nudge timings of a workspace, as the planner takes them."""
        d = self.settings(team_id)
        return Policy(
            remind_before=d.remind_before,
            escalate_after=d.escalate_after,
            follow_up_after=d.follow_up_after,
            eod_cutoff=d.eod_cutoff,
        )

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

    def save(self, team_id: str, values: Mapping[str, str], by: str, now: datetime) -> list[Change]:
        """Store what differs from the environment's defaults (so an untouched setting keeps
        following them); returns what changed for this workspace."""
        before = self.settings(team_id)
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

    # -- people

    def calendar_for(self, team_id: str, user_id: str) -> WorkCalendar:
        """The person's working calendar: their Slack time zone, the workspace's days and hours."""
        tz = self.settings(team_id).timezone
        try:
            person = self.directory.person(team_id, user_id)
            if person is not None and person.tz:
                tz = person.tz
        except DirectoryUnavailable:
            log.warning("users.info unavailable; using the fallback time zone %s", tz)
        return self.calendar_in(team_id, tz)

    def calendar_in(self, team_id: str, tz: str) -> WorkCalendar:
        """The workspace's working days, hours and holidays, in time zone `tz`."""
        d = self.settings(team_id)
        return WorkCalendar(
            tz=ZoneInfo(tz),
            workdays=d.workdays,
            day_start=d.day_start,
            end_of_day=d.end_of_day,
            holiday_country=d.holidays,
        )

    def person(self, team_id: str, user_id: str) -> Person | None:
        """Look a person up; when Slack can't be asked, trust the mention Slack itself made."""
        try:
            return self.directory.person(team_id, user_id)
        except DirectoryUnavailable:
            log.warning("users.info unavailable; accepting %s unchecked", user_id)
            return Person(id=user_id, tz=None)

    def check_owner(self, team_id: str, user_id: str, role: str = "owner") -> Problem | None:
        """Why this person can't own (or help with) an item, or None when they can."""
        person = self.person(team_id, user_id)
        if person is None:
            return Problem(
                f"I can't find <@{user_id}> in this workspace. Pick the person from Slack's "
                "@ list so the mention turns blue.",
                cmd.EXAMPLE_CREATE,
            )
        if person.is_bot or person.deleted:
            what = "a bot" if person.is_bot else "a deactivated account"
            return Problem(
                f"<@{user_id}> is {what}, so can't be the {role}. Pick a person.",
                cmd.EXAMPLE_CREATE,
            )
        if person.external and role != "helper":  # a helper is only thanked
            return Problem(
                f"<@{user_id}> is from another organisation (Slack Connect), so can't be the "
                f"{role}: items and their notes stay within your team. Pick a teammate.",
                cmd.EXAMPLE_CREATE,
            )
        return None

    def check_person(self, team_id: str, user_id: str, role: str = "owner") -> str | None:
        """The same check for forms, as the message shown under the field."""
        found = self.check_owner(team_id, user_id, role) if user_id else Problem("Pick a person.")
        return found.message if found else None

    def is_lead_or_admin(self, who: Invocation) -> bool:
        """The lead, or a Slack workspace admin or owner (users.info `is_admin`/`is_owner`)."""
        if who.user_id == self.lead(who.team_id):
            return True
        person = self.person(who.team_id, who.user_id)
        return person is not None and person.is_admin

    def may_configure(self, who: Invocation) -> Problem | None:
        """The lead or a workspace admin may change the settings; anyone else is told who."""
        if self.is_lead_or_admin(who):
            return None
        lead = self.lead(who.team_id)
        whom = f"the lead (<@{lead}>)" if lead else "the lead"
        return Problem(
            f"Only {whom} or a workspace admin can change the settings. "
            "Ask them, or see what is set with:",
            "/promise help",
        )


__all__ = ["CLEARABLE", "TTL", "Workplace"]
