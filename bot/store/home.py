"""The queries App Home needs, each scoped by team: light rows to sort a person's items,
full items only for the few shown, and the team's load per owner for the lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, lazyload, sessionmaker

from bot.core.items import ItemStatus, ItemView
from bot.store.models import Item
from bot.store.values import item_view


@dataclass(frozen=True)
class Row:
    """Just enough of an open item to sort it into a Home section."""

    id: int
    kind: str  # promise | reply (bot.core.items.ItemKind's values, as read)
    due_at: datetime


@dataclass(frozen=True)
class Load:
    owner_id: str
    open: int
    overdue: int


class HomeQueries:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def open_rows(self, team_id: str, owner_id: str) -> list[Row]:
        """Every open item the person owns, as (id, kind, due_at): cheap even for thousands."""
        q = select(Item.id, Item.kind, Item.due_at).where(
            Item.team_id == team_id, Item.owner_id == owner_id, Item.status == ItemStatus.OPEN
        )
        with self.sessions() as s:
            return [Row(i, k, d) for i, k, d in s.execute(q)]

    def items(self, team_id: str, ids: Sequence[int]) -> dict[int, ItemView]:
        """The items with these IDs (without their contributors: Home does not show them)."""
        if not ids:
            return {}
        q = (
            select(Item)
            .where(Item.team_id == team_id, Item.id.in_(list(ids)))
            .options(lazyload(Item.contributors))
        )
        with self.sessions() as s:
            return {i.id: item_view(i, credits=False) for i in s.scalars(q)}

    def loads(self, team_id: str, now: datetime) -> list[Load]:
        """Open and overdue counts per owner, most open first. An item waiting on the client
        is not overdue (as in the stats)."""
        n = func.count()
        late = func.sum(case((Item.due_at < now, case((Item.waiting_since.is_(None), 1))), else_=0))
        q = (
            select(Item.owner_id, n, late)
            .where(Item.team_id == team_id, Item.status == ItemStatus.OPEN)
            .group_by(Item.owner_id)
            .order_by(n.desc(), Item.owner_id)
        )
        with self.sessions() as s:
            return [Load(o, int(c), int(d or 0)) for o, c, d in s.execute(q)]

    def first_per_owner(
        self, team_id: str, owners: Sequence[str], per_owner: int
    ) -> dict[str, list[ItemView]]:
        """Each owner's first `per_owner` open items, soonest due first, in one query."""
        if not owners:
            return {}
        rank = (
            func.row_number()
            .over(partition_by=Item.owner_id, order_by=(Item.due_at, Item.id))
            .label("rank")
        )
        ranked = (
            select(Item.id, rank)
            .where(
                Item.team_id == team_id,
                Item.status == ItemStatus.OPEN,
                Item.owner_id.in_(list(owners)),
            )
            .subquery()
        )
        q = (
            select(Item)
            .join(ranked, ranked.c.id == Item.id)
            .where(ranked.c.rank <= per_owner)
            .order_by(Item.owner_id, Item.due_at, Item.id)
            .options(lazyload(Item.contributors))
        )
        found: dict[str, list[ItemView]] = {o: [] for o in owners}
        with self.sessions() as s:
            for item in s.scalars(q):
                found[item.owner_id].append(item_view(item, credits=False))
        return found
