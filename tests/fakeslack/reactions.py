"""reactions.add and reactions.remove: the bot's emoji reactions on stored messages."""

from __future__ import annotations

from typing import Any

from .model import MethodTable, SlackError
from .state import SlackState


class ReactionsMethods(SlackState):
    """The bot's reactions, kept on the message as Slack shows them."""

    def _reaction_target(self, params: dict[str, Any]) -> tuple[dict[str, Any], str]:
        name = str(params.get("name") or "").strip(":")
        if not name or " " in name:
            raise SlackError("invalid_name")
        if not params.get("timestamp"):
            raise SlackError("no_item_specified")
        channel = self._readable_channel(params.get("channel"))
        return self._find_message(channel["id"], params.get("timestamp")), name

    def _reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        message, name = self._reaction_target(params)
        reactions = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            reactions.append(reaction)
        if self.bot_user_id in reaction["users"]:
            raise SlackError("already_reacted")
        reaction["users"].append(self.bot_user_id)
        reaction["count"] += 1
        return {"ok": True}

    def _reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        message, name = self._reaction_target(params)
        reactions = message.get("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None or self.bot_user_id not in reaction["users"]:
            raise SlackError("no_reaction")
        reaction["users"].remove(self.bot_user_id)
        reaction["count"] -= 1
        if not reaction["users"]:
            reactions.remove(reaction)
        return {"ok": True}


METHODS: MethodTable = {
    "reactions.add": ReactionsMethods._reactions_add,
    "reactions.remove": ReactionsMethods._reactions_remove,
}
