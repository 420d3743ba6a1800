"""Client channels, as the rest of the bot sees them.

Pure: no SQL, no Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ClientChannelView:
    """A channel the team marked as a client's: client messages there are recorded."""

    id: int
    team_id: str
    channel_id: str
    name: str
    owner_id: str
    clients: str  # user IDs named as clients, comma-separated
    active: bool
    created_at: datetime
    last_client_at: datetime | None
