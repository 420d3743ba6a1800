"""Modals as plain dicts: the frame every button's form shares, and reading back what a
submitted form holds (each input's element has the action ID `value`)."""

from __future__ import annotations

from typing import Any


def modal(
    callback_id: str, title: str, submit: str, meta: str, blocks: list[dict[str, Any]]
) -> dict[str, Any]:
    """A modal for views.open, with a Cancel button; the title cut to Slack's 24 characters."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": meta,
        "blocks": blocks,
    }


def submitted(view: dict[str, Any], block: str) -> dict[str, Any]:
    """The state of the input `block` in a submitted view; empty when it was left out."""
    return view["state"]["values"].get(block, {}).get("value", {})
