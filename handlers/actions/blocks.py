"""Block Kit for action items: the `/acties` list with its page buttons, the capture modal and
the overdue digest. The item blocks themselves (text, meta line, Afgerond/Heropenen) are shared
with the reminders and the Home tab in handlers.blocks."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.language import MENTION_RE
from bot.services.actions import PAGE_SIZE, Draft, ItemPage
from handlers.blocks import (
    Block,
    DrawnOnce,
    Reply,
    action_item_blocks,
    action_item_list,
    actions,
    button,
    context,
    escape,
    header,
    input_block,
    modal,
    section,
)
from storage.actions import ActionItemView

CAPTURE_MODAL = "action_item_modal"
PAGE_BUTTON = "action_items_page"
# Its own action_id: Slack refuses two buttons with one action_id in one actions block.
FIRST_PAGE_BUTTON = "action_items_page_first"

CAPTURE_HELP = (
    "Vastleggen: begin een antwoord in de draad van een overleg met `actie:` (of `actiepunt:`, "
    "`AP:`, `TODO:`), zet er een :{emoji}: bij, of kies *Actiepunt vastleggen* in het menu van "
    "een bericht. De eerste @vermelding is de eigenaar (“ik” of niemand: de schrijver); een "
    "datum als “voor vrijdag”, “uiterlijk 1 december” of “voor het volgende overleg” is de "
    "deadline. Meer acties in één bericht: zet elke actie op een eigen regel met `actie:`; "
    "elke regel wordt een eigen actiepunt."
)


def list_state(query: str, before_id: int | None) -> dict[str, Any]:
    """What a button needs to redraw the list it is in (its value may hold 2000 characters)."""
    return {"q": query[:200], "c": before_id}


def _draw_page(page: ItemPage) -> Reply:
    """One page of `/acties`: the items with their buttons, and Volgende / Terug naar het begin."""
    blocks: list[Block] = [header(page.title)]
    if not page.items:
        empty = (
            "Niets meer op deze pagina."
            if page.before_id
            else "Geen actiepunten gevonden. Leg er een vast met `actie:` in de draad van "
            "een overleg."
        )
        blocks.append(section(empty))
    state = list_state(page.query_text, page.before_id)
    for item in page.items:
        name = page.series_names.get(item.series_key) if item.series_key else None
        blocks += action_item_blocks(
            item,
            page.today,
            state=state,
            series_name=name,
            with_button=item.id in page.changeable,
        )
    nav = []
    if page.more:
        next_page = json.dumps(list_state(page.query_text, page.items[-1].id))
        nav.append(button(f"Volgende {PAGE_SIZE}", PAGE_BUTTON, next_page))
    if page.before_id:
        first_page = json.dumps(list_state(page.query_text, None))
        nav.append(button("Terug naar het begin", FIRST_PAGE_BUTTON, first_page))
    if nav:
        blocks.append(actions(*nav, block_id="action_items_nav"))
    return Reply(text=page.summary, blocks=blocks)


def refusal_reply(message: str) -> Reply:
    return Reply(text=message, blocks=[section(message)])


# --- the capture modal ---------------------------------------------------------------------------

_SLACK_TOKEN = re.compile(r"<(?:[@#!][^<>]*|https?://[^<>]*)>")


def modal_text_to_mrkdwn(text: str, mentions: Mapping[str, str] | None = None) -> str:
    """Plain text from a modal as stored mrkdwn: & < > escaped, Slack's own <@U…> tokens kept,
    and each "@Naam" the modal showed for a mention (`mentions`: "@Naam" → Slack ID) a mention
    again."""
    for shown, slack_id in sorted((mentions or {}).items(), key=lambda m: -len(m[0])):
        text = text.replace(shown, f"<@{slack_id}>")
    parts, last = [], 0
    for match in _SLACK_TOKEN.finditer(text):
        parts += [escape(text[last : match.start()]), match[0]]
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts).strip()


def mrkdwn_to_modal_text(
    text: str, names: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """Stored mrkdwn as the modal's plain text field shows it: a mention of a colleague whose
    name is known (`names`: Slack ID → name) as "@Naam", never a raw <@U…>. Also what "@Naam"
    stands for, to turn it back into a mention on saving."""
    mentions: dict[str, str] = {}

    def named(match: re.Match[str]) -> str:
        name = (names or {}).get(match[1])
        if name is None:
            return match[0]
        mentions[f"@{name}"] = match[1]
        return f"@{name}"

    text = MENTION_RE.sub(named, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), mentions


MAX_PRIVATE_METADATA = 3000  # Slack's limit for a view's private_metadata


def capture_modal(draft: Draft, metadata: dict[str, Any]) -> dict[str, Any]:
    due_element: Block = {"type": "datepicker", "action_id": "value"}
    text, mentions = mrkdwn_to_modal_text(draft.text, draft.names)
    if len(json.dumps({**metadata, "mentions": mentions})) > MAX_PRIVATE_METADATA:
        # Slack refuses a modal whose private_metadata is longer: with very many long names
        # mentioned, the field shows Slack's own mention tokens instead, kept as they are.
        text, mentions = mrkdwn_to_modal_text(draft.text)
    metadata = {**metadata, "mentions": mentions}
    if draft.due_on:
        due_element["initial_date"] = draft.due_on.isoformat()
    blocks: list[Block] = []
    if draft.note:
        blocks.append(context(draft.note))
    blocks += [
        input_block(
            "text",
            "Actiepunt",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": 3000,
                "initial_value": text[:3000],
            },
        ),
        input_block(
            "owner",
            "Eigenaar",
            {"type": "users_select", "action_id": "value", "initial_user": draft.owner},
        ),
        input_block("due", "Uiterlijk", due_element, optional=True),
    ]
    title = f"Actiepunt #{draft.existing_id}" if draft.existing_id else "Actiepunt vastleggen"
    return modal(title, blocks, callback_id=CAPTURE_MODAL, private_metadata=json.dumps(metadata))


# --- the weekly overdue DM -----------------------------------------------------------------------


def digest_text(items: Sequence[ActionItemView], today: date) -> tuple[str, list[Block]]:
    count = len(items)
    title = (
        f"Je hebt {count} actiepunt{'en' if count != 1 else ''} over de deadline. "
        "Rond ze af met `/acties` of spreek een nieuwe datum af."
    )
    return title, action_item_list(f"*{title}*", items, today, limit=30, with_owner=False)


page_reply: DrawnOnce[ItemPage] = DrawnOnce(_draw_page)  # each page drawn once
