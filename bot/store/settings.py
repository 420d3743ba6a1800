"""What each workspace stored in the settings modal: variables by name, as text."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.items import ItemStatus
from bot.store.models import Item, WorkspaceSettings


class SettingsStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def get(self, team_id: str) -> dict[str, str]:
        """The workspace's stored overrides (`{"PROMISE_END_OF_DAY": "18:00", …}`), or {}."""
        with self.sessions() as s:
            row = s.get(WorkspaceSettings, team_id)
            return dict(json.loads(row.values)) if row is not None else {}

    def save(self, team_id: str, values: Mapping[str, str], by: str, now: datetime) -> None:
        """Replace the workspace's overrides (one row per workspace; the last save wins)."""
        with self.sessions.begin() as s:
            row = s.get(WorkspaceSettings, team_id, with_for_update=True)
            if row is None:
                row = WorkspaceSettings(team_id=team_id)
                s.add(row)
            row.values = json.dumps(dict(values), sort_keys=True)
            row.updated_at, row.updated_by = now, by

    def open_item_ids(self, team_id: str, batch: int = 500) -> Iterator[list[int]]:
        """IDs of the workspace's open items, a batch at a time (for re-planning them all)."""
        last = 0
        while True:
            with self.sessions() as s:
                ids = list(
                    s.scalars(
                        select(Item.id)
                        .where(
                            Item.team_id == team_id, Item.status == ItemStatus.OPEN, Item.id > last
                        )
                        .order_by(Item.id)
                        .limit(batch)
                    )
                )
            if not ids:
                return
            yield ids
            last = ids[-1]
