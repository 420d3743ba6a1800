"""Who is who: auth.test, api.test, bots.info, team.info, users.info and apps.connections.open."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from .model import MethodTable, SlackError, _invalid_arguments, _truthy
from .state import SlackState

_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "UTC": "Coordinated Universal Time",
    "BST": "British Summer Time",
    "IST": "India Standard Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
}


class UsersMethods(SlackState):
    """Identity methods and how Slack renders a user."""

    def user_object(self, user_id: str) -> dict[str, Any]:
        """The user as users.info shows it now; a `user_change` event carries the same."""
        with self._lock:
            return self._user_json(self._users[user_id])

    def _user_json(self, record: dict[str, Any], *, include_locale: bool = False) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": record["real_name"],
            "real_name_normalized": record["real_name"],
            "display_name": record["display_name"],
            "display_name_normalized": record["display_name"],
            "fields": None,
            "status_text": record["status_text"],
            "status_emoji": record["status_emoji"],
            "status_emoji_display_info": [],
            "status_expiration": record["status_expiration"],
            "avatar_hash": "g" + record["id"][-11:].lower(),
            "first_name": record["real_name"].split(" ")[0],
            "last_name": " ".join(record["real_name"].split(" ")[1:]),
            "image_48": "https://secure.gravatar.com/avatar/0.jpg?s=48",
            "team": record["team_id"],
        }
        user: dict[str, Any] = {
            "id": record["id"],
            "team_id": record["team_id"],
            "name": record["name"],
            "deleted": record["deleted"],
            "color": "9f69e7",
            "real_name": record["real_name"],
            "profile": profile,
            "is_bot": record["is_bot"],
            "is_app_user": False,
            "updated": int(self._now()) - 86_400,
        }
        if record["is_bot"]:
            profile["always_active"] = record["id"] == self.bot_user_id
            if record["id"] == self.bot_user_id:
                profile["bot_id"] = self.bot_id
                profile["api_app_id"] = self.app_id
        if not record["deleted"]:
            # Slack leaves these out for deactivated accounts; the app must not assume them.
            zone = ZoneInfo(record["tz"] or "America/Los_Angeles")
            local = self.clock.now().astimezone(zone)
            offset = local.utcoffset()
            abbreviation = local.tzname() or ""
            user.update(
                {
                    "tz": record["tz"] or None,
                    "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
                    "tz_offset": int(offset.total_seconds()) if offset else 0,
                    "is_admin": record["is_admin"],
                    "is_owner": False,
                    "is_primary_owner": False,
                    "is_restricted": record["is_restricted"],
                    "is_ultra_restricted": record["is_ultra_restricted"],
                    "is_email_confirmed": not record["is_bot"],
                    "who_can_share_contact_card": "EVERYONE",
                }
            )
        if include_locale:
            user["locale"] = "en-US"
        return user

    def _api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _bots_info(self, params: dict[str, Any]) -> dict[str, Any]:
        bot = params.get("bot")
        if not bot:
            raise _invalid_arguments("[ERROR] missing required field: bot")
        if bot != self.bot_id:
            raise SlackError("bot_not_found")
        return {
            "ok": True,
            "bot": {
                "id": self.bot_id,
                "deleted": False,
                "name": self.bot_name,
                "updated": int(self._now()),
                "app_id": self.app_id,
                "user_id": self.bot_user_id,
                "icons": {"image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png"},
            },
        }

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket.issue_url()}

    def _team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        team = self._teams.get(params.get("team") or self.team_id)
        if team is None:
            raise SlackError("team_not_found")
        return {
            "ok": True,
            "team": {
                "id": team["id"],
                "name": team["name"],
                "url": f"https://{team['domain']}.slack.com/",
                "domain": team["domain"],
                "email_domain": "",
                "icon": {
                    "image_default": True,
                    "image_34": "https://a.slack-edge.com/0/img/avatars-teams/ava_0001-34.png",
                },
                "avatar_base_url": "https://ca.slack-edge.com/",
                "is_verified": False,
            },
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._users.get(params.get("user", ""))
        if record is None:
            raise SlackError("user_not_found")
        if not record.get("visible", True):  # e.g. in another organisation, nothing shared
            raise SlackError("user_not_visible")
        return {
            "ok": True,
            "user": self._user_json(record, include_locale=_truthy(params.get("include_locale"))),
        }


METHODS: MethodTable = {
    "api.test": UsersMethods._api_test,
    "auth.test": UsersMethods._auth_test,
    "apps.connections.open": UsersMethods._apps_connections_open,
    "bots.info": UsersMethods._bots_info,
    "team.info": UsersMethods._team_info,
    "users.info": UsersMethods._users_info,
}
