"""Events the manifest subscribes to. Acked so Slack does not retry them; the features
that use them (client messages, App Home) build on these listeners."""

from __future__ import annotations

from slack_bolt import App


def _ignore() -> None:
    """Bolt acks events itself; nothing to do yet."""


def register(app: App) -> None:
    app.event("message")(_ignore)
    app.event("app_home_opened")(_ignore)
    app.event("reaction_added")(_ignore)
