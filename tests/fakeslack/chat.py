"""chat.* methods: post, post ephemeral, update, delete, permalink; Slack's content checks."""

from __future__ import annotations

import json
from typing import Any

from . import blockkit, sdkmodels
from .model import MethodTable, SlackError, _invalid_arguments, _truthy
from .state import SlackState


class ChatMethods(SlackState):
    """The bot's messages: what chat.* accepts, stores and answers."""

    def reject_posts(self, containing: str, *, error: str = "invalid_blocks") -> None:
        """Make every chat.postMessage whose text or blocks contain `containing` fail with
        `error`, as Slack refuses one message for what it says (invalid_blocks,
        msg_too_long); the others go. Nothing is stored for a refused post."""
        with self._lock:
            self._rejections.append((containing, error))

    def _refused(self, params: dict[str, Any]) -> None:
        with self._lock:
            rejections = list(self._rejections)
        if not rejections:
            return
        said = json.dumps([params.get("text"), params.get("blocks")], ensure_ascii=False)
        for containing, error in rejections:
            if containing in said:
                raise SlackError(error)

    def _bot_profile(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": self.bot_name,
            "icons": {"image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png"},
            "deleted": False,
            "updated": int(self._now()),
            "team_id": self.team_id,
        }

    def _check_content(self, params: dict[str, Any], *, require: bool = True) -> None:
        """Slack's checks on text/blocks/attachments/metadata shared by chat.* methods."""
        text = params.get("text")
        blocks = params.get("blocks")
        attachments = params.get("attachments")
        if require and not text and not blocks and not attachments:
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > blockkit.MESSAGE_TEXT_MAX:
            raise SlackError("msg_too_long")
        if blocks is not None and blocks != "":
            if not isinstance(blocks, list):
                raise SlackError("invalid_blocks_format")
            errors = blockkit.blocks_errors(blocks) or sdkmodels.blocks_errors(blocks)
            if errors:
                raise SlackError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": blockkit.slack_messages(errors)},
                )
        if attachments is not None and attachments != "":
            if not isinstance(attachments, list):
                raise SlackError("invalid_attachments")
            if len(attachments) > 100:
                raise SlackError("too_many_attachments")
        metadata = params.get("metadata")
        if metadata not in (None, {}) and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        if channel["is_archived"]:
            raise SlackError("is_archived")
        self._check_content(params)
        self._refused(params)
        message: dict[str, Any] = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": self._next_ts(),
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": params.get("text") or "",
            "team": self.team_id,
            "bot_profile": self._bot_profile(),
        }
        for key in ("blocks", "attachments"):
            if params.get(key):
                message[key] = params[key]
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        thread_ts = params.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
            message["parent_user_id"] = self.bot_user_id
            if _truthy(params.get("reply_broadcast")):
                message["subtype"] = "thread_broadcast"
        self._store_message(channel["id"], message)
        return {
            "ok": True,
            "channel": channel["id"],
            "ts": message["ts"],
            "message": self._public_message(message, with_metadata=True),
        }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        user_id = params.get("user")
        if not user_id:
            raise _invalid_arguments("[ERROR] missing required field: user")
        if user_id not in self._users:
            raise SlackError("user_not_found")
        members = channel["members"]
        if members is not None and user_id not in members:
            raise SlackError("user_not_in_channel")
        if channel["is_archived"]:
            raise SlackError("is_archived")
        self._check_content(params)
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        message = self._find_message(channel["id"], params.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        if self.edit_window is not None and self._now() - float(message["ts"]) > self.edit_window:
            raise SlackError("edit_window_closed")
        self._check_content(params)
        if "text" in params or "blocks" in params:
            message["text"] = params.get("text") or ""
        for key in ("blocks", "attachments"):
            if key in params:
                if params[key]:
                    message[key] = params[key]
                else:
                    message.pop(key, None)
        if "metadata" in params:  # Slack keeps old metadata unless told; {} removes it
            if params["metadata"]:
                message["metadata"] = params["metadata"]
            else:
                message.pop("metadata", None)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        shown = self._public_message(message, with_metadata=True)
        return {
            "ok": True,
            "channel": channel["id"],
            "ts": message["ts"],
            "text": message["text"],
            "message": shown,
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        message = self._find_message(channel["id"], params.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self._messages[channel["id"]].remove(message)
        return {"ok": True, "channel": channel["id"], "ts": message["ts"]}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(params.get("channel"))
        message = self._find_message(channel["id"], params.get("message_ts"))
        ts = message["ts"]
        permalink = (
            f"https://{self.team_domain}.slack.com/archives/{channel['id']}/p{ts.replace('.', '')}"
        )
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts:
            permalink += f"?thread_ts={thread_ts}&cid={channel['id']}"
        return {"ok": True, "channel": channel["id"], "permalink": permalink}


METHODS: MethodTable = {
    "chat.postMessage": ChatMethods._chat_post_message,
    "chat.postEphemeral": ChatMethods._chat_post_ephemeral,
    "chat.update": ChatMethods._chat_update,
    "chat.delete": ChatMethods._chat_delete,
    "chat.getPermalink": ChatMethods._chat_get_permalink,
}
