"""Creating an item: the one insert of a `NewItem` (promises, replies owed by hand, client
messages), as Core statements built once: a client message runs this for every message."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime

from sqlalchemy import Connection, insert

from bot.core.items import ItemView, NewItem, Role
from bot.store.models import Contributor, Item, ItemEvent

_ITEMS = Item.__table__
# Every column but the ID (the database's) and the request key (`NewItem`'s alone), read off
# the item as `NewItem.opened` has it.
_COLUMNS = tuple(c.name for c in _ITEMS.columns if c.name not in ("id", "request_key"))
assert set(_COLUMNS) <= {f.name for f in fields(ItemView)}
_INSERT_ITEM = insert(_ITEMS)
_INSERT_CONTRIBUTOR = insert(Contributor.__table__)
_INSERT_EVENT = insert(ItemEvent.__table__)


def insert_item(conn: Connection, new: NewItem, now: datetime, actor: str) -> ItemView:
    """Store `new` as it opens, its owner credited and its `created` event by `actor` at
    `now`; returns it. Raises IntegrityError when its message was recorded before (one
    item per channel and message ts), or its request (one item per request key)."""
    draft = new.opened(0, now)
    values = {c: getattr(draft, c) for c in _COLUMNS} | {"request_key": new.request_key}
    item = replace(draft, id=conn.execute(_INSERT_ITEM, values).inserted_primary_key[0])
    conn.execute(
        _INSERT_CONTRIBUTOR,
        {"team_id": item.team_id, "item_id": item.id, "user_id": item.owner_id, "role": Role.OWNER},
    )
    conn.execute(
        _INSERT_EVENT,
        {
            "team_id": item.team_id,
            "item_id": item.id,
            "at": now,
            "actor_id": actor,
            "kind": "created",
            "due_after": item.due_at,
        },
    )
    return item
