"""conversations.* methods: open a DM, channel info, join, history and thread replies."""

from __future__ import annotations

from typing import Any

from .model import MethodTable, SlackError, _truthy, _ts_key
from .state import SlackState


class ConversationsMethods(SlackState):
    """Channels and DMs as conversations.* shows them."""

    def _channel_json(
        self, channel: dict[str, Any], *, num_members: bool = False
    ) -> dict[str, Any]:
        created = channel["created"]
        if channel["is_im"]:
            user = self._users.get(channel["user"], {})
            return {
                "id": channel["id"],
                "created": created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": created * 1000,
                "user": channel["user"],
                "is_user_deleted": bool(user.get("deleted")),
                "priority": 0,
            }
        info: dict[str, Any] = {
            "id": channel["id"],
            "name": channel["name"],
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel["is_private"],
            "created": created,
            "is_archived": channel["is_archived"],
            "is_general": False,
            "unlinked": 0,
            "name_normalized": channel["name"],
            "is_shared": channel["is_ext_shared"],
            "is_org_shared": False,
            "is_ext_shared": channel["is_ext_shared"],
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "updated": created * 1000,
            "parent_conversation": None,
            "creator": "",
            "is_member": channel["bot_is_member"],
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if channel["is_ext_shared"]:
            info["shared_team_ids"] = [self.team_id]
        if num_members:
            info["num_members"] = len(channel["members"] or [])
        return info

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        return_im = _truthy(params.get("return_im"))
        if params.get("channel") and not users:
            channel = self._channel_by_ref(params["channel"])
            if not channel["is_im"]:
                raise SlackError("method_not_supported_for_channel_type")
            return {"ok": True, "channel": {"id": channel["id"]}}
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user_id in users:
            record = self._users.get(user_id)
            if record is None:
                raise SlackError("user_not_found")
            if record["deleted"]:
                raise SlackError("user_disabled")
        if users == [self.bot_user_id]:
            raise SlackError("not_enough_users")  # a DM with itself
        if len(users) > 1:
            raise SlackError("method_not_supported_for_channel_type")  # group DMs: not faked
        already = self.dm_channel(users[0]) in self._channels
        channel = self._ensure_dm(users[0])
        if not return_im:
            return {"ok": True, "channel": {"id": channel["id"]}}
        answer: dict[str, Any] = {"ok": True, "channel": self._channel_json(channel)}
        if already:
            answer.update({"no_op": True, "already_open": True})
        return answer

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_by_ref(params.get("channel"))
        if channel["is_private"] and not channel["bot_is_member"]:
            raise SlackError("channel_not_found")
        return {
            "ok": True,
            "channel": self._channel_json(
                channel, num_members=_truthy(params.get("include_num_members"))
            ),
        }

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_by_ref(params.get("channel"))
        if channel["is_im"] or channel["is_private"]:
            raise SlackError("method_not_supported_for_channel_type")
        if channel["is_archived"]:
            raise SlackError("is_archived")
        answer: dict[str, Any] = {"ok": True}
        if channel["bot_is_member"]:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        channel["bot_is_member"] = True
        answer["channel"] = self._channel_json(channel)
        return answer

    def _history_window(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        inclusive = _truthy(params.get("inclusive"))
        oldest = params.get("oldest")
        latest = params.get("latest")
        chosen = []
        for message in messages:
            key = _ts_key(message["ts"])
            if oldest not in (None, "", "0"):
                bound = _ts_key(str(oldest))
                if key < bound or (key == bound and not inclusive):
                    continue
            if latest not in (None, ""):
                bound = _ts_key(str(latest))
                if key > bound or (key == bound and not inclusive):
                    continue
            chosen.append(message)
        return chosen

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        with_metadata = _truthy(params.get("include_all_metadata"))
        top_level = [
            m
            for m in self._messages.get(channel["id"], [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        window = list(reversed(self._history_window(top_level, params)))  # newest first
        cursor = params.get("cursor")
        if cursor:
            try:
                before = _ts_key(cursor.removeprefix("next_ts:"))
            except ValueError as exc:
                raise SlackError("invalid_cursor") from exc
            window = [m for m in window if _ts_key(m["ts"]) <= before]
        limit = int(params.get("limit") or 100)
        limit = max(1, min(limit, 999))
        page, rest = window[:limit], window[limit:]
        answer: dict[str, Any] = {
            "ok": True,
            "messages": [self._public_message(m, with_metadata=with_metadata) for m in page],
            "has_more": bool(rest),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if rest:
            answer["response_metadata"] = {"next_cursor": f"next_ts:{rest[0]['ts']}"}
        return answer

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        ts = params.get("ts")
        with_metadata = _truthy(params.get("include_all_metadata"))
        messages = self._messages.get(channel["id"], [])
        parent = next((m for m in messages if m["ts"] == ts), None)
        if parent is None:
            raise SlackError("thread_not_found")
        replies = [m for m in messages if m.get("thread_ts") == ts and m["ts"] != ts]
        thread = [parent, *self._history_window(replies, params)]
        limit = max(1, int(params.get("limit") or 1000))
        return {
            "ok": True,
            "messages": [
                self._public_message(m, with_metadata=with_metadata) for m in thread[:limit]
            ],
            "has_more": len(thread) > limit,
        }


METHODS: MethodTable = {
    "conversations.open": ConversationsMethods._conversations_open,
    "conversations.info": ConversationsMethods._conversations_info,
    "conversations.join": ConversationsMethods._conversations_join,
    "conversations.history": ConversationsMethods._conversations_history,
    "conversations.replies": ConversationsMethods._conversations_replies,
}
