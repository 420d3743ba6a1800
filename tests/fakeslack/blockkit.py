"""Block Kit limit checks, written from Slack's Block Kit reference (not from slack-sdk).

Slack rejects a whole message or view when one field is out of bounds. An app that renders
client-supplied text (long promise descriptions, many items in a digest) must truncate and
paginate itself; these checks make the fake reject what Slack would, so those bugs surface
in tests instead of in a customer's workspace.

Each error is a string like Slack's: ``"must be less than 3001 characters
[json-pointer:/blocks/0/text/text]"``. Callers wrap them in Slack's response shape.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MESSAGE_MAX_BLOCKS",
    "MESSAGE_TEXT_MAX",
    "VIEW_MAX_BLOCKS",
    "blocks_errors",
    "slack_messages",
    "view_errors",
]

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000

SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
ACTION_ID_MAX = 255
BLOCK_ID_MAX = 255
BUTTON_VALUE_MAX = 2000
URL_MAX = 3000
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
EXTERNAL_ID_MAX = 255
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
SELECT_OPTIONS_MAX = 100
OPTION_GROUPS_MAX = 100
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTION_DESCRIPTION_MAX = 75
PLACEHOLDER_MAX = 150
OVERFLOW_OPTIONS_MAX = 5
CHECKBOX_OPTIONS_MAX = 10
IMAGE_ALT_TEXT_MAX = 2000
MARKDOWN_BLOCK_TEXT_MAX = 12_000
PLAIN_TEXT_INPUT_LENGTH_MAX = 3000

_SELECTS_WITH_PLACEHOLDER = {
    "external_select",
    "multi_external_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
    "datepicker",
    "timepicker",
    "email_text_input",
    "url_text_input",
    "number_input",
}
_PASSIVE_ELEMENTS = {"datetimepicker", "rich_text_input", "file_input"}
_PASSIVE_BLOCKS = {"divider", "rich_text", "video", "file", "call", "table"}


def slack_messages(errors: list[str]) -> list[str]:
    """Slack repeats each error in ``response_metadata.messages`` with an ``[ERROR]`` tag."""
    return [f"[ERROR] {e}" for e in errors]


class _Checker:
    """Collects errors while walking one message's blocks or one view."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    # --- primitives -----------------------------------------------------------------

    def string(
        self, value: Any, limit: int, pointer: str, *, required: bool = False, min_len: int = 0
    ) -> None:
        if value is None:
            if required:
                self.add("missing required field", pointer)
            return
        if not isinstance(value, str):
            self.add(f"expected: string, got: {type(value).__name__}", pointer)
            return
        if len(value) > limit:
            self.add(f"must be less than {limit + 1} characters", pointer)
        elif len(value) < min_len:
            self.add(f"must be more than {min_len - 1} characters", pointer)

    def items(self, value: Any, limit: int, pointer: str, *, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.add(f"expected: array, got: {type(value).__name__}", pointer)
            return []
        if len(value) > limit:
            self.add(f"no more than {limit} items allowed", pointer)
        elif len(value) < min_items:
            self.add(f"must provide at least {min_items} items", pointer)
        return value

    def text(
        self,
        obj: Any,
        limit: int,
        pointer: str,
        *,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        """A composition text object: ``{"type": "plain_text"|"mrkdwn", "text": ...}``."""
        if obj is None:
            if required:
                self.add("missing required field", pointer)
            return
        if not isinstance(obj, dict):
            self.add(f"expected: object, got: {type(obj).__name__}", pointer)
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in allowed:
            self.add(f"must be one of: {', '.join(allowed)}", f"{pointer}/type")
        self.string(obj.get("text"), limit, f"{pointer}/text", required=True, min_len=1)

    def url(self, value: Any, pointer: str) -> None:
        self.string(value, URL_MAX, pointer)

    def action_id(self, element: dict[str, Any], pointer: str, seen: set[str]) -> None:
        action_id = element.get("action_id")
        self.string(action_id, ACTION_ID_MAX, f"{pointer}/action_id")
        if isinstance(action_id, str):
            if action_id in seen:
                self.add(f"duplicate action_id: {action_id}", f"{pointer}/action_id")
            seen.add(action_id)

    # --- composition objects --------------------------------------------------------

    def option(self, option: Any, pointer: str, *, plain_only: bool) -> None:
        if not isinstance(option, dict):
            self.add("expected: object", pointer)
            return
        self.text(option.get("text"), OPTION_TEXT_MAX, f"{pointer}/text", plain_only=plain_only)
        self.string(option.get("value"), OPTION_VALUE_MAX, f"{pointer}/value", required=True)
        self.text(
            option.get("description"),
            OPTION_DESCRIPTION_MAX,
            f"{pointer}/description",
            plain_only=plain_only,
            required=False,
        )
        self.url(option.get("url"), f"{pointer}/url")

    def options(self, value: Any, limit: int, pointer: str, *, plain_only: bool) -> None:
        for i, option in enumerate(self.items(value, limit, pointer, min_items=1)):
            self.option(option, f"{pointer}/{i}", plain_only=plain_only)

    # --- elements -------------------------------------------------------------------

    def element(self, element: Any, pointer: str, action_ids: set[str]) -> None:
        if not isinstance(element, dict):
            self.add("expected: object", pointer)
            return
        kind = element.get("type")
        if kind == "image":
            self._image_fields(element, pointer)
            return
        self.action_id(element, pointer, action_ids)
        if kind in ("button", "workflow_button"):
            self.text(element.get("text"), BUTTON_TEXT_MAX, f"{pointer}/text", plain_only=True)
            self.string(element.get("value"), BUTTON_VALUE_MAX, f"{pointer}/value")
            self.url(element.get("url"), f"{pointer}/url")
            self.string(
                element.get("accessibility_label"),
                BUTTON_TEXT_MAX,
                f"{pointer}/accessibility_label",
            )
            style = element.get("style")
            if style is not None and style not in ("primary", "danger"):
                self.add("must be one of: primary, danger", f"{pointer}/style")
        elif kind in ("static_select", "multi_static_select"):
            self.text(
                element.get("placeholder"),
                PLACEHOLDER_MAX,
                f"{pointer}/placeholder",
                plain_only=True,
                required=False,
            )
            if "options" in element:
                self.options(
                    element["options"], SELECT_OPTIONS_MAX, f"{pointer}/options", plain_only=True
                )
            elif "option_groups" in element:
                groups = self.items(
                    element["option_groups"], OPTION_GROUPS_MAX, f"{pointer}/option_groups"
                )
                for i, group in enumerate(groups):
                    gp = f"{pointer}/option_groups/{i}"
                    if not isinstance(group, dict):
                        self.add("expected: object", gp)
                        continue
                    self.text(group.get("label"), OPTION_TEXT_MAX, f"{gp}/label", plain_only=True)
                    self.options(
                        group.get("options"), SELECT_OPTIONS_MAX, f"{gp}/options", plain_only=True
                    )
            else:
                self.add("must provide either options or option_groups", pointer)
        elif kind == "overflow":
            self.options(
                element.get("options"), OVERFLOW_OPTIONS_MAX, f"{pointer}/options", plain_only=True
            )
        elif kind in ("checkboxes", "radio_buttons"):
            self.options(
                element.get("options"), CHECKBOX_OPTIONS_MAX, f"{pointer}/options", plain_only=False
            )
        elif kind == "plain_text_input":
            self.text(
                element.get("placeholder"),
                PLACEHOLDER_MAX,
                f"{pointer}/placeholder",
                plain_only=True,
                required=False,
            )
            for key in ("min_length", "max_length"):
                value = element.get(key)
                if isinstance(value, int) and value > PLAIN_TEXT_INPUT_LENGTH_MAX:
                    self.add(f"must be at most {PLAIN_TEXT_INPUT_LENGTH_MAX}", f"{pointer}/{key}")
            self.string(
                element.get("initial_value"),
                PLAIN_TEXT_INPUT_LENGTH_MAX,
                f"{pointer}/initial_value",
            )
        elif kind in _SELECTS_WITH_PLACEHOLDER:
            self.text(
                element.get("placeholder"),
                PLACEHOLDER_MAX,
                f"{pointer}/placeholder",
                plain_only=True,
                required=False,
            )
        elif kind in _PASSIVE_ELEMENTS:
            pass
        else:
            self.add(f"unsupported element type: {kind!r}", f"{pointer}/type")

    def _image_fields(self, obj: dict[str, Any], pointer: str) -> None:
        if "image_url" not in obj and "slack_file" not in obj:
            self.add("must provide either image_url or slack_file", pointer)
        self.url(obj.get("image_url"), f"{pointer}/image_url")
        self.string(
            obj.get("alt_text"), IMAGE_ALT_TEXT_MAX, f"{pointer}/alt_text", required=True, min_len=1
        )

    # --- blocks ---------------------------------------------------------------------

    def blocks(self, blocks: Any, limit: int, pointer: str) -> list[dict[str, Any]]:
        block_ids: set[str] = set()
        checked = self.items(blocks, limit, pointer)
        for i, block in enumerate(checked):
            self.block(block, f"{pointer}/{i}", block_ids)
        return [b for b in checked if isinstance(b, dict)]

    def block(self, block: Any, pointer: str, block_ids: set[str]) -> None:
        if not isinstance(block, dict):
            self.add(f"expected: object, got: {type(block).__name__}", pointer)
            return
        block_id = block.get("block_id")
        self.string(block_id, BLOCK_ID_MAX, f"{pointer}/block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                self.add(f"duplicate block_id: {block_id}", f"{pointer}/block_id")
            block_ids.add(block_id)
        action_ids: set[str] = set()
        kind = block.get("type")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.add("must provide either text or fields", pointer)
            self.text(block.get("text"), SECTION_TEXT_MAX, f"{pointer}/text", required=False)
            if "fields" in block:
                fields = self.items(block["fields"], SECTION_FIELDS_MAX, f"{pointer}/fields")
                for i, field in enumerate(fields):
                    self.text(field, SECTION_FIELD_TEXT_MAX, f"{pointer}/fields/{i}")
            if "accessory" in block:
                self.element(block["accessory"], f"{pointer}/accessory", action_ids)
        elif kind == "header":
            self.text(block.get("text"), HEADER_TEXT_MAX, f"{pointer}/text", plain_only=True)
        elif kind == "actions":
            elements = self.items(
                block.get("elements"), ACTIONS_ELEMENTS_MAX, f"{pointer}/elements", min_items=1
            )
            for i, element in enumerate(elements):
                self.element(element, f"{pointer}/elements/{i}", action_ids)
        elif kind == "context":
            elements = self.items(
                block.get("elements"), CONTEXT_ELEMENTS_MAX, f"{pointer}/elements", min_items=1
            )
            for i, element in enumerate(elements):
                ep = f"{pointer}/elements/{i}"
                if isinstance(element, dict) and element.get("type") == "image":
                    self._image_fields(element, ep)
                else:
                    self.text(element, SECTION_TEXT_MAX, ep)
        elif kind == "input":
            self.text(block.get("label"), INPUT_LABEL_MAX, f"{pointer}/label", plain_only=True)
            self.text(
                block.get("hint"),
                INPUT_HINT_MAX,
                f"{pointer}/hint",
                plain_only=True,
                required=False,
            )
            if "element" not in block:
                self.add("missing required field", f"{pointer}/element")
            else:
                self.element(block["element"], f"{pointer}/element", action_ids)
        elif kind == "image":
            self._image_fields(block, pointer)
            self.text(
                block.get("title"),
                IMAGE_ALT_TEXT_MAX,
                f"{pointer}/title",
                plain_only=True,
                required=False,
            )
        elif kind == "markdown":
            self.string(
                block.get("text"),
                MARKDOWN_BLOCK_TEXT_MAX,
                f"{pointer}/text",
                required=True,
                min_len=1,
            )
        elif kind in _PASSIVE_BLOCKS:
            pass
        else:
            self.add(f"unsupported block type: {kind!r}", f"{pointer}/type")


def blocks_errors(
    blocks: Any, *, limit: int = MESSAGE_MAX_BLOCKS, pointer: str = "/blocks"
) -> list[str]:
    """Errors for a message's ``blocks`` (an empty list means Slack would accept them)."""
    checker = _Checker()
    checker.blocks(blocks, limit, pointer)
    return checker.errors


def view_errors(view: Any, *, allowed_types: tuple[str, ...] = ("modal", "home")) -> list[str]:
    """Errors for a ``view`` passed to views.open/push/update/publish."""
    checker = _Checker()
    pointer = "/view"
    if not isinstance(view, dict):
        checker.add("expected: object", pointer)
        return checker.errors
    kind = view.get("type")
    if kind not in allowed_types:
        checker.add(f"must be one of: {', '.join(allowed_types)}", f"{pointer}/type")
        return checker.errors
    if "blocks" not in view:
        checker.add("missing required field", f"{pointer}/blocks")
        blocks: list[dict[str, Any]] = []
    else:
        blocks = checker.blocks(view["blocks"], VIEW_MAX_BLOCKS, f"{pointer}/blocks")
    if kind == "modal":
        checker.text(view.get("title"), MODAL_TITLE_MAX, f"{pointer}/title", plain_only=True)
        for key in ("submit", "close"):
            checker.text(
                view.get(key), MODAL_BUTTON_MAX, f"{pointer}/{key}", plain_only=True, required=False
            )
        if view.get("submit") is None and any(b.get("type") == "input" for b in blocks):
            checker.add("submit is required when the view has an input block", f"{pointer}/submit")
    checker.string(
        view.get("private_metadata"), PRIVATE_METADATA_MAX, f"{pointer}/private_metadata"
    )
    checker.string(view.get("callback_id"), CALLBACK_ID_MAX, f"{pointer}/callback_id")
    checker.string(view.get("external_id"), EXTERNAL_ID_MAX, f"{pointer}/external_id")
    return checker.errors
