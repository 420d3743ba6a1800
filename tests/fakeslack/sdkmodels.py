"""A second opinion on Block Kit: slack-sdk's own models (`slack_sdk.models`).

`blockkit.py` is written from Slack's reference; slack-sdk's models encode rules it misses
(a `mrkdwn` text with `emoji`, date and time picker formats, which elements an input block
takes, a Home tab with a submit button, a view without blocks). The fake rejects what
either one rejects, so a payload that passes here passes both.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def blocks_errors(blocks: list[Any], pointer: str = "/blocks") -> list[str]:
    """What slack-sdk says about each block, as Slack-like error strings."""
    errors: list[str] = []
    for n, block in enumerate(blocks):
        where = f"[json-pointer:{pointer}/{n}]"
        try:
            parsed = Block.parse(block)
            if parsed is None:
                errors.append(f"unsupported block {where}")
                continue
            _validate(parsed)
        except (SlackObjectFormationError, TypeError, ValueError, KeyError) as e:
            errors.append(f"{_first_line(e)} {where}")
    return errors


def view_errors(view: dict[str, Any]) -> list[str]:
    """What slack-sdk says about a whole view (type, submit/close, 1 to 100 blocks, …)."""
    try:
        _validate(View(**view))
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as e:
        return [f"{_first_line(e)} [json-pointer:/view]"]
    return []


def _validate(obj: JsonObject) -> None:
    """slack-sdk validates one object at a time (an actions block not its elements): walk."""
    obj.validate_json()
    for name in obj.attributes:
        value = getattr(obj, name, None)
        for child in value if isinstance(value, list | tuple) else [value]:
            if isinstance(child, JsonObject):
                _validate(child)


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
