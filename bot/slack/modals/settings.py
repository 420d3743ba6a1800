"""The workspace settings modal (`/promise settings`): built from the settings in force,
read back as the variables' own spellings, so the modal and the environment are checked
by the same rules (bot/config.py)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from bot.config import FIELDS, Defaults
from bot.core import text as txt
from bot.core.durations import format_duration, spell_duration
from bot.slack.blocks.common import context
from bot.slack.modals import frame
from bot.slack.modals.frame import field, plain, submitted
from bot.usecases.workplace import Change

CALLBACK = "workspace_settings"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ON = "on"


def modal(current: Defaults, channel_id: str | None) -> dict[str, Any]:
    """Every setting of the issue's list, filled with what is in force now."""
    days = [_option(d, d.capitalize()) for d in DAYS]
    digest_flag = _option(ON, "Also post each client channel's digest in it")
    blocks = [
        context(
            "These settings apply to this whole workspace and win over the "
            "defaults the bot was started with. Open items are re-planned when you save."
        ),
        _time_input("day_start", "Working day starts", current),
        _time_input("end_of_day", "End of day", current),
        field(
            "workdays",
            "Working days",
            {
                "type": "checkboxes",
                "action_id": "value",
                "options": days,
                "initial_options": [days[i] for i in sorted(current.workdays)],
            },
        ),
        _text_input(
            "holidays",
            "Holiday calendar (country code; empty: none)",
            current.holidays or "",
            "US",
            optional=True,
        ),
        _text_input(
            "timezone", "Time zone when Slack gives none", current.timezone, "Europe/London"
        ),
        _text_input(
            "reply_within",
            'Reply to clients within (4h of working time, or "end of day")',
            spell_duration(current.reply_within) if current.reply_within else "end of day",
            "end of day",
        ),
        _text_input(
            "escalate_after",
            "Tell the lead this long after a missed deadline (working time)",
            spell_duration(current.escalate_after),
            "2h",
        ),
        field(
            "lead",
            "Lead (hears about escalations, sees the team)",
            {
                "type": "users_select",
                "action_id": "value",
                **_initial("initial_user", current.lead),
            },
            optional=True,
        ),
        field(
            "digest_channel",
            "Digest channel (empty: no digest)",
            {
                "type": "conversations_select",
                "action_id": "value",
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
                **_initial("initial_conversation", current.digest_channel),
            },
            optional=True,
        ),
        _text_input(
            "digest_cron",
            "Digest schedule (crontab; empty: end of day on working days)",
            current.digest_cron or "",
            "30 16 * * mon-fri",
            optional=True,
        ),
        _text_input(
            "digest_weekly_cron",
            "Weekly digest with a chart (crontab; empty: Friday at end of day)",
            current.digest_weekly_cron or "",
            "0 17 * * fri",
            optional=True,
        ),
        field(
            "digest_client_channels",
            "Client channels",
            {
                "type": "checkboxes",
                "action_id": "value",
                "options": [digest_flag],
                **({"initial_options": [digest_flag]} if current.digest_client_channels else {}),
            },
            optional=True,
        ),
    ]
    meta = json.dumps({"channel": channel_id})
    return frame.modal(CALLBACK, "Workspace settings", "Save", meta, blocks)


def read(view: dict[str, Any]) -> dict[str, str]:
    """The submitted values, by variable name, spelled as the environment would spell them."""
    value = partial(submitted, view)
    picked = {o["value"] for o in value("workdays").get("selected_options") or []}
    flags = {o["value"] for o in value("digest_client_channels").get("selected_options") or []}
    typed = {
        "day_start": value("day_start").get("selected_time") or "",
        "end_of_day": value("end_of_day").get("selected_time") or "",
        "workdays": ",".join(d for d in DAYS if d in picked),
        "holidays": value("holidays").get("value") or "",
        "timezone": value("timezone").get("value") or "",
        "reply_within": value("reply_within").get("value") or "",
        "escalate_after": value("escalate_after").get("value") or "",
        "lead": value("lead").get("selected_user") or "",
        "digest_channel": value("digest_channel").get("selected_conversation") or "",
        "digest_cron": value("digest_cron").get("value") or "",
        "digest_weekly_cron": value("digest_weekly_cron").get("value") or "",
        "digest_client_channels": "true" if ON in flags else "false",
    }
    return {FIELDS[f][0]: txt.clean(raw).strip() for f, raw in typed.items()}


def errors_by_block(errors: dict[str, str]) -> dict[str, str]:
    """Field problems → Slack's `response_action: errors` (block IDs are field names)."""
    if "workdays" in errors:
        errors["workdays"] = "Pick at least one working day."
    return errors


LABELS = {
    "day_start": "working day starts",
    "end_of_day": "end of day",
    "workdays": "working days",
    "holidays": "holiday calendar",
    "timezone": "fallback time zone",
    "reply_within": "reply SLA",
    "escalate_after": "escalation grace",
    "lead": "lead",
    "digest_channel": "digest channel",
    "digest_cron": "digest schedule",
    "digest_weekly_cron": "weekly digest schedule",
    "digest_client_channels": "digests in client channels",
}


def saved_message(changes: list[Change], replanned: int) -> dict[str, Any]:
    """What the person who saved is told: each change, and how much was re-planned."""
    if not changes:
        text = ":white_check_mark: Settings saved. Nothing changed."
    else:
        lines = [
            f"• {LABELS.get(c.field, c.field)}: {_show(c.field, c.before)} → {_show(c.field, c.after)}"
            for c in changes
        ]
        text = (
            ":white_check_mark: Settings saved for this workspace.\n"
            + "\n".join(lines)
            + f"\nI re-planned the nudges of {replanned} open item{'s' if replanned != 1 else ''}."
        )
    return {"text": text}


def _show(name: str, value: object) -> str:
    if value is None:
        return {
            "reply_within": "end of day",
            "digest_cron": "end of day on working days",
            "digest_weekly_cron": "Friday at end of day",
        }.get(name, "none")
    if name == "workdays" and isinstance(value, frozenset):
        return ", ".join(DAYS[d].capitalize() for d in sorted(value))
    if name in ("lead",):
        return f"<@{value}>"
    if name == "digest_channel":
        return f"<#{value}>"
    if isinstance(value, bool):
        return "on" if value else "off"
    if hasattr(value, "strftime"):
        return f"{value:%H:%M}"
    if hasattr(value, "total_seconds"):
        return format_duration(value)  # type: ignore[arg-type]
    return f"`{value}`"


def _time_input(name: str, label: str, current: Defaults) -> dict[str, Any]:
    """A time picker for a setting, set to the time in force."""
    initial = f"{getattr(current, name):%H:%M}"
    return field(name, label, {"type": "timepicker", "action_id": "value", "initial_time": initial})


def _text_input(
    block: str, label: str, initial: str, placeholder: str, *, optional: bool = False
) -> dict[str, Any]:
    """A one-line text field, filled in with `initial` unless it is empty."""
    element = {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": 100,
        "placeholder": plain(placeholder),
        **_initial("initial_value", initial),
    }
    return field(block, label, element, optional=optional)


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def _initial(key: str, value: str | None) -> dict[str, str]:
    return {key: value} if value else {}
