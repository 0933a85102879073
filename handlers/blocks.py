"""Block Kit building blocks and the plain-text rendering the CLI shell uses. All shared rendering
lives here so each feature's handler only decides *what* to show."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.team import PersonView

Block = dict[str, Any]

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
MESSAGE_BLOCK_LIMIT = 50


@dataclass
class Reply:
    """What a command answers: a fallback text (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mention(person: PersonView | None, *, empty: str = "_niemand_") -> str:
    if person is None:
        return empty
    if person.slack_id:
        return f"<@{person.slack_id}>"
    return escape(person.name)


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, HEADER_TEXT_LIMIT), "emoji": True},
    }


def section(text: str, *, accessory: Block | None = None) -> Block:
    block: Block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)},
    }
    if accessory:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[tuple[str, str]]) -> Block:
    """A section of up to 10 label/value pairs shown in two columns."""
    return {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", FIELD_TEXT_LIMIT)}
            for label, value in items[:10]
        ],
    }


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(t, FIELD_TEXT_LIMIT)} for t in texts[:10]],
    }


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, BUTTON_TEXT_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def bullet_lines(items: Iterable[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def without_actions(blocks: Sequence[Block]) -> list[Block]:
    """The same message without its buttons, e.g. when it is shared into a channel."""
    return [b for b in blocks if b.get("type") != "actions"]


# --- plain text, for `oov-bot shell` -------------------------------------------------------------

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]+))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


def mrkdwn_to_text(text: str) -> str:
    text = _MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = re.sub(r"(?<!\w)[*_~](\S(?:.*?\S)?)[*_~](?!\w)", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _element_text(element: Block) -> str:
    return (
        mrkdwn_to_text(element.get("text", ""))
        if isinstance(element.get("text"), str)
        else (mrkdwn_to_text(element.get("text", {}).get("text", "")))
    )


def blocks_to_text(blocks: Sequence[Block]) -> str:
    """Render Block Kit roughly as Slack shows it, for a terminal."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if "text" in block:
                lines.append(_element_text(block))
            for item in block.get("fields", []):
                lines.append(_element_text(item).replace("\n", ": ", 1))
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                lines.append(f"  [{accessory['text']['text']}]")
        elif kind == "context":
            lines.append("  " + "  ".join(_element_text(e) for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append(
                "  " + " ".join(f"[{e['text']['text']}]" for e in block["elements"] if "text" in e)
            )
    return "\n".join(lines)
