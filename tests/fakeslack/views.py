"""views.* methods: modals (open, push, update) and the Home tab (publish), Block Kit checked."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from . import blockkit, sdkmodels
from .model import MethodTable, SlackError, _invalid_arguments, _random_id
from .state import SlackState

TRIGGER_EXPIRES = 3.0  # seconds: Slack's window to open a form after a click


class ViewsMethods(SlackState):
    """Views as Slack stores them: one per trigger_id, hashes, external_ids."""

    def _parse_view(self, params: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
        view = params.get("view")
        if view is None or view == "":
            raise _invalid_arguments("[ERROR] missing required field: view")
        if isinstance(view, str):
            raise _invalid_arguments("[ERROR] failed to parse view JSON [json-pointer:/view]")
        errors = blockkit.view_errors(view, allowed_types=allowed) or sdkmodels.view_errors(view)
        if errors:
            raise _invalid_arguments(*blockkit.slack_messages(errors))
        external_id = view.get("external_id")
        if external_id:
            for existing in self._views.values():
                if existing.get("external_id") == external_id and existing["id"] != view.get("id"):
                    raise SlackError("duplicate_external_id")
        return view

    def _exchange_trigger(self, params: dict[str, Any]) -> None:
        trigger_id = params.get("trigger_id")
        if not trigger_id:
            raise _invalid_arguments("[ERROR] missing required field: trigger_id")
        if trigger_id in self._used_triggers:
            raise _invalid_arguments("invalid `trigger_id`")  # Slack: one view per trigger
        issued = self._issued_triggers.get(trigger_id)
        # A trigger this fake never issued (a benchmark's own) is taken as fresh.
        if issued is not None and time.monotonic() - issued > TRIGGER_EXPIRES:
            raise SlackError("expired_trigger_id")
        self._used_triggers.add(trigger_id)

    def _store_view(
        self,
        view: dict[str, Any],
        *,
        view_id: str | None = None,
        root: str | None = None,
        previous: str | None = None,
    ) -> dict[str, Any]:
        view_id = view_id or _random_id("V")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self._now())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if view["type"] == "modal":
            stored["title"] = view.get("title")
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(params, ("modal",))
        self._exchange_trigger(params)
        return {"ok": True, "view": self._store_view(view)}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._parse_view(params, ("modal",))
        self._exchange_trigger(params)
        return {"ok": True, "view": self._store_view(view)}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and not external_id:
            raise _invalid_arguments("[ERROR] either view_id or external_id is required")
        current = (
            self._views.get(view_id)
            if view_id
            else next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
        )
        if current is None:
            raise SlackError("not_found")
        params = dict(params)
        if isinstance(params.get("view"), dict):
            params["view"] = {**params["view"], "id": current["id"]}
        view = self._parse_view(params, (current["type"],))
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = self._store_view(
            view,
            view_id=current["id"],
            root=current["root_view_id"],
            previous=current["previous_view_id"],
        )
        return {"ok": True, "view": stored}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise _invalid_arguments("[ERROR] missing required field: user_id")
        if user_id not in self._users:
            raise SlackError("user_not_found")
        view = self._parse_view(params, ("home",))
        current_id = self._home_views.get(user_id)
        if current_id and params.get("hash") and params["hash"] != self._views[current_id]["hash"]:
            raise SlackError("hash_conflict")
        stored = self._store_view(view, view_id=current_id)
        self._home_views[user_id] = stored["id"]
        return {"ok": True, "view": stored}


METHODS: MethodTable = {
    "views.open": ViewsMethods._views_open,
    "views.push": ViewsMethods._views_push,
    "views.update": ViewsMethods._views_update,
    "views.publish": ViewsMethods._views_publish,
}
