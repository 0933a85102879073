"""Slack's Block Kit rules per surface, so the fake Slack refuses what real Slack refuses.

Sources: Slack's reference pages (docs.slack.dev/reference/block-kit: blocks, block elements,
composition objects, views; chat.postMessage) and the validators of `slack_sdk.models`, which are
run as well. Neither checks uniqueness, so that is done here: an `action_id` is unique within its
block, a `block_id` within its message or view.

Problems are worded like Slack's own: "<what is wrong> [json-pointer:/blocks/0/text/text]".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE, MODAL, HOME = "message", "modal", "home"

MAX_BLOCKS = {MESSAGE: 50, MODAL: 100, HOME: 100}
MAX_MESSAGE_TEXT = 40_000
MAX_ID = 255  # action_id, block_id, callback_id, external_id
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTION_DESCRIPTION = 75
MAX_SELECT_OPTIONS = 100
MAX_PLACEHOLDER = 150
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_VIEW_TITLE = 24  # also submit and close
MAX_PRIVATE_METADATA = 3000
MAX_CONFIRM = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
MAX_OVERFLOW_OPTIONS = 5
MAX_CHOICE_OPTIONS = 10  # checkboxes, radio buttons
MAX_OPTION_GROUPS = 100
MAX_OPTION_GROUP_LABEL = 75
MAX_TEXT_INPUT_LENGTH = 3000  # plain_text_input min_length and max_length
# Elements whose options may be mrkdwn; select menus and overflow menus take plain_text only.
MRKDWN_OPTION_ELEMENTS = frozenset({"checkboxes", "radio_buttons"})

BLOCK_TYPES = frozenset(
    {"section", "divider", "header", "context", "actions", "input", "image", "rich_text",
     "video", "file", "markdown", "table"}
)  # fmt: skip
ACTIONS_ELEMENTS = frozenset(
    {"button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons",
     "static_select", "external_select", "users_select", "conversations_select",
     "channels_select", "multi_static_select", "multi_external_select", "multi_users_select",
     "multi_conversations_select", "multi_channels_select", "timepicker",
     "workflow_button", "rich_text_input", "plain_text_input"}
)  # fmt: skip
INPUT_ELEMENTS = frozenset(
    {"checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input",
     "multi_static_select", "multi_external_select", "multi_users_select",
     "multi_conversations_select", "multi_channels_select", "number_input",
     "plain_text_input", "radio_buttons", "rich_text_input", "static_select",
     "external_select", "users_select", "conversations_select", "channels_select",
     "timepicker", "url_text_input"}
)  # fmt: skip
SECTION_ACCESSORIES = ACTIONS_ELEMENTS | {"image"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class _Checker:
    problems: list[str]

    def fail(self, message: str, path: str) -> None:
        self.problems.append(f"{message} [json-pointer:{path}]")

    # -- composition objects ---------------------------------------------------------------------

    def text(
        self,
        obj: Any,
        path: str,
        *,
        limit: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        if obj is None:
            if required:
                self.fail("missing required field: text", path)
            return
        if not isinstance(obj, dict):
            self.fail("must be an object", path)
            return
        kinds = {"plain_text"} if plain_only else {"plain_text", "mrkdwn"}
        kind = obj.get("type")
        if kind not in kinds:
            self.fail(f"must be one of {sorted(kinds)}", f"{path}/type")
        # "emoji" is only usable with plain_text, "verbatim" only with mrkdwn.
        if kind == "mrkdwn" and "emoji" in obj:
            self.fail("invalid additional property: emoji", path)
        if kind == "plain_text" and "verbatim" in obj:
            self.fail("invalid additional property: verbatim", path)
        text = obj.get("text")
        if not isinstance(text, str):
            self.fail("missing required field: text", f"{path}/text")
        elif not text:
            self.fail("must be more than 0 characters", f"{path}/text")
        elif len(text) > limit:
            self.fail(f"must be less than {limit + 1} characters", f"{path}/text")

    def string(self, value: Any, path: str, limit: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.fail("missing required field", path)
            return
        if not isinstance(value, str):
            self.fail("must be a string", path)
        elif len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", path)
        elif required and not value:
            self.fail("must be more than 0 characters", path)

    def option(self, obj: Any, path: str, *, plain_only: bool = True) -> None:
        if not isinstance(obj, dict):
            self.fail("must be an object", path)
            return
        self.text(obj.get("text"), f"{path}/text", limit=MAX_OPTION_TEXT, plain_only=plain_only)
        self.string(obj.get("value"), f"{path}/value", MAX_OPTION_VALUE, required=True)
        self.text(
            obj.get("description"),
            f"{path}/description",
            limit=MAX_OPTION_DESCRIPTION,
            plain_only=plain_only,
            required=False,
        )

    def options(
        self, options: Any, path: str, *, low: int, high: int, plain_only: bool = True
    ) -> None:
        if not isinstance(options, list):
            self.fail("missing required field: options", path)
            return
        if not low <= len(options) <= high:
            self.fail(f"must have between {low} and {high} items", path)
        for n, option in enumerate(options):
            self.option(option, f"{path}/{n}", plain_only=plain_only)

    def option_groups(self, groups: Any, path: str) -> list[Any]:
        """Checks `option_groups`; returns every option in them."""
        if not isinstance(groups, list):
            self.fail("must be an array", path)
            return []
        if not 1 <= len(groups) <= MAX_OPTION_GROUPS:
            self.fail(f"must have between 1 and {MAX_OPTION_GROUPS} items", path)
        found: list[Any] = []
        for n, group in enumerate(groups):
            where = f"{path}/{n}"
            if not isinstance(group, dict):
                self.fail("must be an object", where)
                continue
            self.text(
                group.get("label"), f"{where}/label", limit=MAX_OPTION_GROUP_LABEL, plain_only=True
            )
            self.options(group.get("options"), f"{where}/options", low=1, high=MAX_SELECT_OPTIONS)
            if isinstance(group.get("options"), list):
                found += group["options"]
        return found

    def initial_options(self, element: dict[str, Any], offered: list[Any], path: str) -> None:
        """Slack: an initial option must exactly match one of the options offered."""
        initial = element.get("initial_option")
        chosen = [initial] if "initial_option" in element else element.get("initial_options")
        key = "initial_option" if "initial_option" in element else "initial_options"
        if not isinstance(chosen, list):
            return
        for n, option in enumerate(chosen):
            where = f"{path}/{key}" if key == "initial_option" else f"{path}/{key}/{n}"
            self.option(option, where)
            if option not in offered:
                self.fail("must match one of the provided options", where)

    def confirm(self, obj: Any, path: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.fail("must be an object", path)
            return
        for key, limit in MAX_CONFIRM.items():
            self.text(obj.get(key), f"{path}/{key}", limit=limit, plain_only=key != "text")

    # -- elements --------------------------------------------------------------------------------

    def element(self, obj: Any, path: str, allowed: frozenset[str]) -> None:
        if not isinstance(obj, dict):
            self.fail("must be an object", path)
            return
        kind = obj.get("type")
        if kind not in allowed:
            self.fail(f"unsupported element type {kind!r} here", f"{path}/type")
            return
        if kind != "image":
            self.string(obj.get("action_id"), f"{path}/action_id", MAX_ID)
        if "placeholder" in obj:
            self.text(
                obj["placeholder"], f"{path}/placeholder", limit=MAX_PLACEHOLDER, plain_only=True
            )
        self.confirm(obj.get("confirm"), f"{path}/confirm")
        if kind == "button":
            self.text(obj.get("text"), f"{path}/text", limit=MAX_BUTTON_TEXT, plain_only=True)
            self.string(obj.get("value"), f"{path}/value", MAX_BUTTON_VALUE)
            self.string(obj.get("url"), f"{path}/url", MAX_URL)
            if obj.get("style") not in (None, "primary", "danger"):
                self.fail("must be 'primary' or 'danger'", f"{path}/style")
        elif kind in {"static_select", "multi_static_select"}:
            if "option_groups" in obj:
                if "options" in obj:
                    self.fail("options and option_groups cannot both be given", path)
                offered = self.option_groups(obj["option_groups"], f"{path}/option_groups")
            else:
                self.options(obj.get("options"), f"{path}/options", low=1, high=MAX_SELECT_OPTIONS)
                offered = obj.get("options") if isinstance(obj.get("options"), list) else []
            self.initial_options(obj, offered, path)
        elif kind == "overflow":
            self.options(obj.get("options"), f"{path}/options", low=2, high=MAX_OVERFLOW_OPTIONS)
        elif kind in MRKDWN_OPTION_ELEMENTS:
            self.options(
                obj.get("options"),
                f"{path}/options",
                low=1,
                high=MAX_CHOICE_OPTIONS,
                plain_only=False,
            )
        elif kind == "datepicker":
            initial = obj.get("initial_date")
            if initial is not None and not (isinstance(initial, str) and _DATE.match(initial)):
                self.fail("must be a date in the format YYYY-MM-DD", f"{path}/initial_date")
        elif kind == "image":
            self.string(obj.get("alt_text"), f"{path}/alt_text", 2000, required=True)
        elif kind == "plain_text_input":
            # min_length 0–3000, max_length 1–3000 (inclusive), and min not above max.
            for key, low in (("min_length", 0), ("max_length", 1)):
                value = obj.get(key)
                if value is not None and not (
                    isinstance(value, int) and low <= value <= MAX_TEXT_INPUT_LENGTH
                ):
                    self.fail(f"must be between {low} and {MAX_TEXT_INPUT_LENGTH}", f"{path}/{key}")
            shortest, longest = obj.get("min_length"), obj.get("max_length")
            if isinstance(shortest, int) and isinstance(longest, int) and shortest > longest:
                self.fail("min_length must not be greater than max_length", f"{path}/min_length")

    # -- blocks ----------------------------------------------------------------------------------

    def blocks(self, blocks: Any, path: str, surface: str) -> None:
        if not isinstance(blocks, list):
            self.fail("must be an array", path)
            return
        limit = MAX_BLOCKS[surface]
        if len(blocks) > limit:
            self.fail(f"no more than {limit} items allowed", path)
        block_ids: dict[str, int] = {}
        for n, block in enumerate(blocks):
            where = f"{path}/{n}"
            if not isinstance(block, dict):
                self.fail("must be an object", where)
                continue
            block_id = block.get("block_id")
            self.string(block_id, f"{where}/block_id", MAX_ID)
            if isinstance(block_id, str):
                if block_id in block_ids:
                    self.fail(
                        f"duplicate block_id {block_id!r} (also block {block_ids[block_id]})",
                        f"{where}/block_id",
                    )
                block_ids.setdefault(block_id, n)
            self.block(block, where)
            self.unique_action_ids(block, where)
            self.sdk_block(block, where)

    def block(self, block: dict[str, Any], path: str) -> None:
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.fail(f"unknown block type {kind!r}", f"{path}/type")
            return
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.fail("must provide either text or fields", path)
            if "text" in block:
                self.text(block["text"], f"{path}/text", limit=MAX_SECTION_TEXT)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or not fields:
                    self.fail("must be a non-empty array", f"{path}/fields")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        self.fail(
                            f"no more than {MAX_SECTION_FIELDS} items allowed", f"{path}/fields"
                        )
                    for n, field in enumerate(fields):
                        self.text(field, f"{path}/fields/{n}", limit=MAX_SECTION_FIELD_TEXT)
            if "accessory" in block:
                self.element(block["accessory"], f"{path}/accessory", SECTION_ACCESSORIES)
        elif kind == "header":
            self.text(block.get("text"), f"{path}/text", limit=MAX_HEADER_TEXT, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self.fail("must be a non-empty array", f"{path}/elements")
                return
            if len(elements) > MAX_CONTEXT_ELEMENTS:
                self.fail(f"no more than {MAX_CONTEXT_ELEMENTS} items allowed", f"{path}/elements")
            for n, element in enumerate(elements):
                where = f"{path}/elements/{n}"
                if isinstance(element, dict) and element.get("type") == "image":
                    self.element(element, where, frozenset({"image"}))
                else:
                    self.text(element, where, limit=MAX_SECTION_TEXT)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self.fail("must be a non-empty array", f"{path}/elements")
                return
            if len(elements) > MAX_ACTIONS_ELEMENTS:
                self.fail(f"no more than {MAX_ACTIONS_ELEMENTS} items allowed", f"{path}/elements")
            for n, element in enumerate(elements):
                self.element(element, f"{path}/elements/{n}", ACTIONS_ELEMENTS)
        elif kind == "input":
            self.text(block.get("label"), f"{path}/label", limit=MAX_INPUT_LABEL, plain_only=True)
            if "hint" in block:
                self.text(block["hint"], f"{path}/hint", limit=MAX_INPUT_HINT, plain_only=True)
            if "element" not in block:
                self.fail("missing required field: element", path)
            else:
                self.element(block["element"], f"{path}/element", INPUT_ELEMENTS)

    def unique_action_ids(self, block: dict[str, Any], path: str) -> None:
        seen: set[str] = set()
        for where, element in _elements_of(block, path):
            action_id = element.get("action_id")
            if not isinstance(action_id, str):
                continue
            if action_id in seen:
                self.fail(f"duplicate action_id {action_id!r} within a block", where)
            seen.add(action_id)

    def sdk_block(self, block: dict[str, Any], path: str) -> None:
        """slack_sdk's own validators, for what the rules above do not spell out."""
        try:
            parsed = Block.parse(block)
            if parsed is not None:
                parsed.validate_json()
        except (SlackObjectFormationError, KeyError, TypeError, ValueError, AttributeError) as e:
            self.fail(f"slack_sdk: {e}", path)


def _elements_of(block: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The interactive elements of a block, with their json-pointers."""
    for n, element in enumerate(block.get("elements") or []):
        if isinstance(element, dict):
            yield f"{path}/elements/{n}", element
    for key in ("accessory", "element"):
        element = block.get(key)
        if isinstance(element, dict):
            yield f"{path}/{key}", element


def action_ids(blocks: Any) -> Iterator[tuple[str, str | None]]:
    """(action_id, block_id) of every element in a list of blocks that sends a block_actions
    payload when used. Elements of input blocks only do with `dispatch_action`; otherwise their
    values arrive with the view submission."""
    if not isinstance(blocks, list):
        return
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "input" and not block.get("dispatch_action"):
            continue
        block_id = block.get("block_id")
        for _, element in _elements_of(block, ""):
            if isinstance(element.get("action_id"), str) and element.get("type") != "image":
                yield element["action_id"], block_id if isinstance(block_id, str) else None


def message_problems(message: dict[str, Any], *, needs_content: bool = True) -> list[str]:
    """What Slack refuses in a message (chat.postMessage/postEphemeral/update, response_url)."""
    checker = _Checker([])
    text = message.get("text")
    if text is not None and not isinstance(text, str):
        checker.fail("must be a string", "/text")
    elif isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        checker.fail(f"must be less than {MAX_MESSAGE_TEXT + 1} characters", "/text")
    if "blocks" in message:
        checker.blocks(message["blocks"], "/blocks", MESSAGE)
    elif needs_content and not text and not message.get("attachments"):
        checker.fail("must provide text, blocks or attachments", "/text")
    return checker.problems


def view_problems(view: Any, surface: str | None = None) -> list[str]:
    """What Slack refuses in a view (views.open/push/update/publish, response_action)."""
    checker = _Checker([])
    if not isinstance(view, dict):
        checker.fail("must be an object", "/view")
        return checker.problems
    kind = view.get("type")
    if kind not in {MODAL, HOME} or (surface is not None and kind != surface):
        checker.fail(f"must be {surface or 'modal or home'}", "/view/type")
        return checker.problems
    if kind == MODAL:
        checker.text(view.get("title"), "/view/title", limit=MAX_VIEW_TITLE, plain_only=True)
    for key in ("submit", "close"):
        if key in view:
            if kind == HOME:
                checker.fail("not allowed in a home view", f"/view/{key}")
            checker.text(view[key], f"/view/{key}", limit=MAX_VIEW_TITLE, plain_only=True)
    checker.string(view.get("private_metadata"), "/view/private_metadata", MAX_PRIVATE_METADATA)
    checker.string(view.get("callback_id"), "/view/callback_id", MAX_ID)
    checker.string(view.get("external_id"), "/view/external_id", MAX_ID)
    blocks = view.get("blocks")
    checker.blocks(blocks, "/view/blocks", kind)
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == MODAL and has_input and "submit" not in view:
        checker.fail("a modal with input blocks needs a submit button", "/view/submit")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError, AttributeError) as e:
        # slack_sdk asks for at least one block; Slack itself accepts an empty view.
        if "between 1 and" not in str(e):
            checker.fail(f"slack_sdk: {e}", "/view")
    return checker.problems
