"""Block Kit building blocks and the plain-text rendering the CLI shell uses. All shared rendering
lives here so each feature's handler only decides *what* to show."""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from msgspec import Struct, field

from bot.language import MENTION_RE, format_short_date

# Shared with the services, which word notices in the same mrkdwn.
from bot.services.notices import escape as escape
from bot.services.notices import mention as mention
from storage.actions import ActionItemView

Block = dict[str, Any]

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
MESSAGE_BLOCK_LIMIT = 50
MODAL_TITLE_LIMIT = 24  # a modal's title, and its submit and close texts


A = TypeVar("A")


class Reply(Struct):
    """What a command answers: a fallback text (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


class DrawnOnce(Generic[A]):
    """A reply drawn once per answer object: services hand out the same object (compared by
    identity, `eq=False, weakref=True`) until its data changes, and a drawing goes when its
    answer does, so nothing of a dropped answer stays in memory. `draw`'s other arguments must be
    the same for every call in a process (its time zone)."""

    def __init__(self, draw: Callable[..., Reply]) -> None:
        self._draw = draw
        self._drawn: weakref.WeakKeyDictionary[A, Reply] = weakref.WeakKeyDictionary()

    def __call__(self, answer: A, *args: Any) -> Reply:
        drawn = self._drawn.get(answer)
        if drawn is None:
            drawn = self._drawn[answer] = self._draw(answer, *args)
        return Reply(drawn.text, list(drawn.blocks))  # a list of its own for each answer


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shorten(text: str, limit: int) -> str:
    """mrkdwn shortened to `limit` characters without cutting a <@U…>/<link|…> token or an
    escaped character in half: a cut mention shows as raw text, a cut '&amp;' as '&am…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    if re.search(r"&[a-z]{0,3}$", cut):
        cut = cut[: cut.rfind("&")]
    return cut.rstrip() + "…"


def line_sections(
    lines: Sequence[str],
    *,
    heading: str = "",
    max_sections: int = 10,
    max_lines: int | None = None,
    more: str = "_… en nog {n}_",
) -> list[Block]:
    """Lines (mrkdwn) packed whole into sections of at most Slack's 3,000 characters, under an
    optional heading; past `max_sections` (or `max_lines`) the rest is counted in a last line
    (`more`, with {n}), so a long list neither loses its end silently nor outgrows a message's
    50 blocks."""
    room = SECTION_TEXT_LIMIT - len(more.format(n=len(lines))) - 1
    chunks: list[list[str]] = [[heading]] if heading else []
    shown = 0
    for line in lines[:max_lines]:
        line = shorten(line, room)
        if chunks and len("\n".join([*chunks[-1], line])) <= SECTION_TEXT_LIMIT:
            chunks[-1].append(line)
        elif len(chunks) < max_sections:
            chunks.append([line])
        else:
            break
        shown += 1
    if shown < len(lines):
        last = chunks[-1]
        while len(last) > 1 and len("\n".join(last)) > room:
            last.pop()
            shown -= 1
        last.append(more.format(n=len(lines) - shown))
    return [section("\n".join(chunk)) for chunk in chunks]


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, HEADER_TEXT_LIMIT), "emoji": True},
    }


def section(text: str, *, accessory: Block | None = None) -> Block:
    block: Block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": shorten(text, SECTION_TEXT_LIMIT)},
    }
    if accessory:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[tuple[str, str]]) -> Block:
    """A section of up to 10 label/value pairs shown in two columns."""
    return {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": shorten(f"*{label}*\n{value}", FIELD_TEXT_LIMIT)}
            for label, value in items[:10]
        ],
    }


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": shorten(t, FIELD_TEXT_LIMIT)} for t in texts[:10]],
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


def plain_text(text: str) -> Block:
    return {"type": "plain_text", "text": text}


def modal(
    title: str,
    blocks: Sequence[Block],
    *,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    submit: str | None = "Opslaan",
    close: str = "Annuleren",
) -> Block:
    """A modal view; without `submit` it only informs (one button, `close`)."""
    view: Block = {"type": "modal", "title": plain_text(truncate(title, MODAL_TITLE_LIMIT))}
    if callback_id is not None:
        view["callback_id"] = callback_id
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    if submit is not None:
        view["submit"] = plain_text(submit)
    view["close"] = plain_text(close)
    view["blocks"] = list(blocks)
    return view


def input_block(
    block_id: str,
    label: str,
    element: Block,
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch_action: bool = False,
) -> Block:
    """One field of a modal; a refusal names it by `block_id` (handlers.payloads)."""
    block: Block = {"type": "input", "block_id": block_id, "label": plain_text(label)}
    if optional:
        block["optional"] = True
    if dispatch_action:
        block["dispatch_action"] = True
    if hint is not None:
        block["hint"] = plain_text(hint)
    block["element"] = element
    return block


def bullet_lines(items: Iterable[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def without_actions(blocks: Sequence[Block]) -> list[Block]:
    """The same message without its buttons, e.g. when it is shared into a channel."""
    return [b for b in blocks if b.get("type") != "actions"]


# --- action items: one rendering for /acties, the App Home and meeting reminders ---------------

ACTION_TEXT_LIMIT = 300
CLOSE_ITEM_ACTION = "action_item_close"
REOPEN_ITEM_ACTION = "action_item_reopen"
_BROADCAST = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_USER_GROUP = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")


def inert(text: str) -> str:
    """Message text made safe to show again: @here, @channel and group mentions lose their ping
    (user mentions stay, so the owner shows as a name)."""
    text = _BROADCAST.sub(lambda m: "@" + m[1], text)
    return _USER_GROUP.sub(lambda m: m[1] or "@groep", text)


def action_due(item: ActionItemView, today: date) -> str:
    """'vr 4 dec', 'z.s.m.', '⚠️ te laat (vr 4 dec)' or 'geen datum'."""
    if item.due_on is None:
        return "geen datum"
    on = format_short_date(item.due_on)
    if abs((item.due_on - today).days) > 180:  # "di 29 feb" alone would read as this one
        on += f" {item.due_on.year}"
    shown = "z.s.m." if item.due_kind == "asap" else on
    if item.is_overdue(today):
        since = f", sinds {on}" if item.due_kind == "asap" else ""
        return f"⚠️ *te laat* ({shown}{since})"
    return shown


def action_item_text(
    item: ActionItemView, *, limit: int = ACTION_TEXT_LIMIT, one_line: bool = False
) -> str:
    """'*#12* text'; `one_line` for a bullet list, where a message's line breaks would leave
    its owner and deadline stranded under a line of their own."""
    status = {"done": " ✅", "cancelled": " _(vervallen)_"}.get(item.status, "")
    text = " ".join(item.text.split()) if one_line else item.text
    return f"*#{item.id}*{status} {shorten(inert(text), limit)}"


def action_item_meta(item: ActionItemView, today: date, *, series_name: str | None = None) -> str:
    parts = [f"👤 <@{item.owner_slack_id}>", f"📅 {action_due(item, today)}"]
    if series_name:
        parts.append(escape(series_name))
    if item.closed_at and item.closed_by:
        parts.append(f"afgerond door <@{item.closed_by}>")
    if item.permalink:
        parts.append(f"<{item.permalink}|bericht>")
    return " · ".join(parts)


def action_item_button(item: ActionItemView, state: dict[str, Any] | None = None) -> Block | None:
    """An "Afgerond" button for an open item, "Heropenen" for a done one. `state` rides along in
    the value, so the list the button is in can be drawn again."""
    value = json.dumps({"id": item.id, **(state or {})})
    if item.status == "open":
        return button("Afgerond", CLOSE_ITEM_ACTION, value, style="primary")
    if item.status == "done":
        return button("Heropenen", REOPEN_ITEM_ACTION, value)
    return None


def action_item_blocks(
    item: ActionItemView,
    today: date,
    *,
    state: dict[str, Any] | None = None,
    series_name: str | None = None,
    with_button: bool = True,
) -> list[Block]:
    """Two blocks per item: the text with its button (`with_button` False for a viewer who may
    not close or reopen it: the button is then not offered), and a context line."""
    button = action_item_button(item, state) if with_button else None
    return [
        section(action_item_text(item), accessory=button),
        context(action_item_meta(item, today, series_name=series_name)),
    ]


def action_item_list(
    title: str,
    items: Sequence[ActionItemView],
    today: date,
    *,
    limit: int = 15,
    with_owner: bool = True,
) -> list[Block]:
    """A compact list of items under a title (a reminder, a DM): one line each, no buttons."""
    lines = []
    for item in items[:limit]:
        owner = f"<@{item.owner_slack_id}>, " if with_owner else ""
        link = f" · <{item.permalink}|bericht>" if item.permalink else ""
        lines.append(
            f"• {action_item_text(item, limit=200, one_line=True)} — {owner}"
            f"{action_due(item, today)}{link}"
        )
    if len(items) > limit:
        lines.append(f"_… en nog {len(items) - limit}; zie `/acties`_")
    # Whole lines per section, so no mention or link is cut at Slack's text limit.
    chunks = [title]
    for line in lines:
        if len(chunks[-1]) + 1 + len(line) > SECTION_TEXT_LIMIT:
            chunks.append(line)
        else:
            chunks[-1] += "\n" + line
    return [section(chunk) for chunk in chunks]


def reminder_action_items(
    items: Sequence[ActionItemView], today: date, *, limit: int = 15
) -> list[Block]:
    """The open action items section of a meeting reminder (items: overdue first, see
    ActionStore.open_for_series); nothing when there are none."""
    if not items:
        return []
    return action_item_list(f"*Openstaande actiepunten ({len(items)})*", items, today, limit=limit)


# --- plain text, for `oov-bot shell` -------------------------------------------------------------

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


def mrkdwn_to_text(text: str) -> str:
    text = MENTION_RE.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
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
