"""files.* methods: Slack's two-step external upload (get an upload URL, then complete it)."""

from __future__ import annotations

import copy
from typing import Any

from .model import MethodTable, SlackError, _invalid_arguments, _random_id
from .state import SlackState


class FilesMethods(SlackState):
    """Uploads: the bytes arrive at the transport's upload URL between the two calls."""

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = params.get("length")
        if not filename:
            raise _invalid_arguments("[ERROR] missing required field: filename")
        if length in (None, ""):
            raise _invalid_arguments("[ERROR] missing required field: length")
        file_id = _random_id("F")
        self._uploads[file_id] = {
            "id": file_id,
            "filename": filename,
            "length": int(length),
            "alt_txt": params.get("alt_txt"),
            "content": None,
            "uploaded": False,
            "completed": False,
        }
        return {
            "ok": True,
            "upload_url": f"{self.base_url}/upload/v1/{file_id}",
            "file_id": file_id,
        }

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise _invalid_arguments("[ERROR] missing required field: files")
        channel = None
        if params.get("channel_id"):
            channel = self._readable_channel(params["channel_id"])
        completed = []
        for item in files:
            upload = self._uploads.get(item.get("id")) if isinstance(item, dict) else None
            if upload is None or not upload["uploaded"]:
                raise SlackError("file_not_found")
            upload["completed"] = True
            upload["title"] = item.get("title") or upload["filename"]
            completed.append(
                {
                    "id": upload["id"],
                    "created": int(self._now()),
                    "timestamp": int(self._now()),
                    "name": upload["filename"],
                    "title": upload["title"],
                    "mimetype": "",
                    "filetype": "",
                    "user": self.bot_user_id,
                    "user_team": self.team_id,
                    "size": len(upload["content"] or b""),
                    "is_external": False,
                    "is_public": channel is not None and not channel["is_private"],
                    "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{upload['id']}/{upload['filename']}",
                    "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{upload['id']}/{upload['filename']}",
                }
            )
        if channel is not None:
            message: dict[str, Any] = {
                "user": self.bot_user_id,
                "type": "message",
                "ts": self._next_ts(),
                "bot_id": self.bot_id,
                "app_id": self.app_id,
                "text": params.get("initial_comment") or "",
                "team": self.team_id,
                "files": copy.deepcopy(completed),
                "upload": True,
            }
            if params.get("thread_ts"):
                message["thread_ts"] = str(params["thread_ts"])
            self._store_message(channel["id"], message)
        return {"ok": True, "files": completed}


METHODS: MethodTable = {
    "files.getUploadURLExternal": FilesMethods._files_get_upload_url,
    "files.completeUploadExternal": FilesMethods._files_complete_upload,
}
