"""The use-case tests' workspace: when it is, and who works there."""

from __future__ import annotations

from datetime import UTC, datetime


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    """A moment in December 2026, UTC (the workspace's time zone, and Maria's)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


# Tuesday 1 December 2026, 10:00 UTC: a working morning (the workspace works 9–17 UTC).
NOW = at(10)
TEAM = "T1"
CHANNEL = "C0ACME"  # the client's project channel, where the bot is a member

MARIA = "UMARIA"  # owns most items (UTC)
SAM = "USAM"  # a teammate in London
LEAD = "ULEAD"  # the lead (UTC)
ALEX = "UALEX"  # a teammate who has nothing to do with the items
LEE = "ULEE"  # in New York
NOTZ = "UNOTZ"  # no time zone in Slack
ADMIN = "UADMIN"  # a workspace admin
ROBOT = "UROBOT"  # a bot user
GONE = "UGONE"  # a deactivated account
NOBODY = "UNOBODY"  # not in the workspace
