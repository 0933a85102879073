"""Block Kit for the programme: the overview, lists, the activity card, the update modal, the
monthly DM, the deadline warning and the lines a meeting reminder gets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, tzinfo
from typing import Any

from bot.core.programme import STATUS_EMOJI, Status, euro
from bot.language import format_date, format_number, format_short_date
from bot.language.format import day_month_text
from bot.services.programma import (
    ActivityList,
    Card,
    Digest,
    MeetingLine,
    Overview,
    Picks,
    Row,
)
from handlers.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    Block,
    Reply,
    actions,
    button,
    context,
    divider,
    escape,
    fields,
    header,
    inert,
    input_block,
    mention,
    modal,
    plain_text,
    section,
    shorten,
    truncate,
)
from storage.programme import ActivityView, UpdateView

SHOW_BUTTON = "programma_show"
SHOW_BUTTONS = re.compile(rf"^{SHOW_BUTTON}(:\d+)?$")
SHARE_BUTTON = "programma_share"
UPDATE_BUTTON = "programma_update"
UPDATE_BUTTONS = re.compile(rf"^{UPDATE_BUTTON}(:\d+)?$")
NO_CHANGE_BUTTON = "programma_no_change"
NO_CHANGE_BUTTONS = re.compile(rf"^{NO_CHANGE_BUTTON}(:\d+)?$")
UPDATE_MODAL = "programma_update_modal"

LIST_LIMIT = 40  # rows in one list reply; the rest is counted
HISTORY_LIMIT = 15


def _who(by: str) -> str:
    if re.fullmatch(r"[UW][A-Z0-9]{2,20}", by):
        return f"<@{by}>"
    return {"import": "import", "cli": "de beheerder", "shell": "de beheerder"}.get(by, escape(by))


def status_text(status: Status) -> str:
    return f"{STATUS_EMOJI[status]} {status.value}"


def deadline_text(view: ActivityView) -> str:
    text = format_date(view.deadline)
    if view.moved:
        text += f" _(oorspronkelijk {format_date(view.original_deadline)})_"
    return text


def row_line(row: Row) -> str:
    view = row.view
    flag = " ⏰ *te laat*" if row.late else (" ⚠️ *risico*" if row.at_risk else "")
    owner = mention(row.owner, empty="_geen actiehouder_")
    when = day_month_text(view.deadline)
    extra = f" ({row.note})" if row.note else ""
    return (
        f"{STATUS_EMOJI[view.status]} *{escape(view.name)}* — {view.status.value}{flag} · "
        f"deadline {when}{extra} · {owner}"
    )


def text_chunks(lines: Sequence[str]) -> list[str]:
    """Lines joined into texts of at most one section each, split only between lines."""
    chunks = [""]
    for line in lines:
        if chunks[-1] and len(chunks[-1]) + 1 + len(line) > SECTION_TEXT_LIMIT:
            chunks.append(line)
        else:
            chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return [c for c in chunks if c]


def overview_reply(found: Overview) -> Reply:
    blocks: list[Block] = [header(truncate(found.name, 150))]
    lines = []
    for p in found.priorities:
        counts = " · ".join(
            f"{STATUS_EMOJI[s]} {n} {s.value}" for s, n in found_counts(p.counts) if n
        )
        lines.append(f"*{escape(p.name)}* ({p.total}): {counts or 'geen activiteiten'}")
    blocks += [section(chunk) for chunk in text_chunks(lines)]
    if found.late:
        blocks.append(divider())
        blocks.append(section(f"*⏰ Te laat ({len(found.late)})*"))
        blocks += [section(c) for c in text_chunks([row_line(r) for r in found.late[:LIST_LIMIT]])]
        if len(found.late) > LIST_LIMIT:
            blocks.append(
                context(f"… en nog {len(found.late) - LIST_LIMIT} (zie `/programma achter`).")
            )
    if found.at_risk:
        blocks.append(divider())
        blocks.append(
            section(f"*⚠️ Risico: vertraagd of deadline binnen 4 weken ({len(found.at_risk)})*")
        )
        blocks += [
            section(c) for c in text_chunks([row_line(r) for r in found.at_risk[:LIST_LIMIT]])
        ]
        if len(found.at_risk) > LIST_LIMIT:
            blocks.append(context(f"… en nog {len(found.at_risk) - LIST_LIMIT}."))
    if not found.late and not found.at_risk:
        blocks.append(context("Niets is te laat of loopt risico."))
    blocks.append(
        context(
            "`/programma <activiteit>` toont één activiteit · `/programma mijn` · "
            "`/programma achter` · `/programma rapport`"
        )
    )
    total = sum(p.total for p in found.priorities)
    return Reply(
        text=f"{escape(found.name)}: {total} activiteiten", blocks=blocks[:MESSAGE_BLOCK_LIMIT]
    )


def found_counts(counts: dict[Status, int]) -> list[tuple[Status, int]]:
    return [(s, counts.get(s, 0)) for s in Status]


def list_reply(found: ActivityList) -> Reply:
    blocks: list[Block] = [header(found.title)]
    if not found.rows:
        blocks.append(section(found.empty))
        return Reply(text=found.empty, blocks=blocks)
    shown = found.rows[:LIST_LIMIT]
    for n, row in enumerate(shown):
        blocks.append(
            section(row_line(row), accessory=button("Toon", f"{SHOW_BUTTON}:{n}", str(row.view.id)))
        )
        if len(blocks) >= MESSAGE_BLOCK_LIMIT - 1:
            break
    hidden = len(found.rows) - (len(blocks) - 1)
    if hidden > 0:
        blocks.append(context(f"… en nog {hidden} activiteiten."))
    return Reply(text=f"{escape(found.title)}: {len(found.rows)} activiteiten", blocks=blocks)


def _history_line(u: UpdateView, tz: tzinfo) -> str:
    day = format_short_date(u.at.astimezone(tz).date())
    parts = []
    if u.kind == "no_change":
        parts.append("geen wijziging")
    if u.status_to is not None and u.status_from != u.status_to:
        parts.append(f"{u.status_from.value if u.status_from else '?'} → *{u.status_to.value}*")
    if u.deadline_to is not None:
        parts.append(
            f"deadline {format_short_date(u.deadline_from) if u.deadline_from else '?'} → "
            f"*{format_short_date(u.deadline_to)}*"
        )
    if u.spent is not None:
        parts.append(f"uitgegeven {euro(u.spent)}")
    line = f"{day} · {_who(u.by)}"
    if parts:
        line += f" · {', '.join(parts)}"
    if u.note:
        line += f"\n      “{escape(truncate(u.note, 400))}”"
    elif u.note_purged:
        line += " · _toelichting verwijderd (bewaartermijn)_"
    return line


def card_blocks(
    card: Card, tz: tzinfo, *, with_buttons: bool = True, update_button: bool = True
) -> list[Block]:
    """The activity's card; `update_button` is False for someone who may not update it (the
    button is then not offered at all)."""
    view = card.row.view
    config = view.activity.config
    flag = " — ⏰ te laat" if card.row.late else (" — ⚠️ risico" if card.row.at_risk else "")
    blocks: list[Block] = [
        header(view.name),
        context(f"{escape(view.activity.priority_name)} · `#{view.key}`"),
        fields(
            [
                ("Status", status_text(view.status) + flag),
                ("Deadline", deadline_text(view) + (f"\n{card.row.note}" if card.row.note else "")),
                ("Actiehouder", mention(card.row.owner, empty="_niemand_")),
                (
                    "Bestuurlijk aanspreekpunt",
                    escape(config.portfolio_holder) or "_niet opgegeven_",
                ),
                ("Partijen", escape(config.partners) or "_geen_"),
                (
                    "Budget",
                    (escape(config.budget) or "_niet opgegeven_")
                    + (f"\nUitgegeven: {euro(card.spent)}" if card.spent else ""),
                ),
            ]
        ),
    ]
    if config.criterion:
        blocks.append(section(f"*Doel behaald als*\n{escape(config.criterion)}"))
    if len(view.activity.milestones) > 1:
        lines = [
            f"• {format_date(m.due)}: {escape(truncate(m.sentence, 200))}"
            for m in view.activity.milestones
        ]
        blocks.append(section("*Mijlpalen*\n" + "\n".join(lines)))
    if config.approach:
        blocks.append(section(f"*Aanpak*\n{escape(truncate(config.approach, 2500))}"))
    scope = "gedeeld met de partnergemeenten" if config.scope == "gedeeld" else "lokaal"
    notes = [scope]
    if config.hours:
        notes.append(f"≈ {format_number(config.hours, decimals=2)} uur")
    if config.meeting:
        notes.append(f"besproken in overleg `{escape(config.meeting)}`")
    blocks.append(context(*notes))
    if card.items:
        lines = []
        for item in card.items[:10]:
            done = "✅ " if item.status != "open" else ""
            due = f" (voor {format_short_date(item.due_on)})" if item.due_on else ""
            link = f" <{item.permalink}|bericht>" if item.permalink else ""
            # One line per item (a message's line breaks would strand its owner), cut where
            # no mention, link or '&amp;' is split: a cut '<@U…' shows as raw text.
            text = shorten(inert(" ".join(item.text.split())), 200)
            lines.append(f"• {done}{text} — <@{item.owner_slack_id}>{due}{link}")
        blocks.append(section(f"*Actiepunten ({len(card.items)})*\n" + "\n".join(lines)))
    history = [u for u in card.history]
    if history:
        shown = history[-HISTORY_LIMIT:]
        lines = [_history_line(u, tz) for u in shown]
        title = "*Geschiedenis*" + (
            f" (laatste {len(shown)} van {len(history)})" if len(history) > len(shown) else ""
        )
        for n, chunk in enumerate(text_chunks(lines)):
            blocks.append(section((title + "\n" if n == 0 else "") + chunk))
    else:
        blocks.append(context("Nog geen updates."))
    if with_buttons:
        buttons = [button("Delen in kanaal", SHARE_BUTTON, str(view.id))]
        if update_button:
            buttons.insert(0, button("Bijwerken", UPDATE_BUTTON, str(view.id), style="primary"))
        blocks.append(actions(*buttons, block_id=f"programma_{view.id}"))
    return blocks[:MESSAGE_BLOCK_LIMIT]


def card_reply(card: Card, tz: tzinfo, *, update_button: bool = True) -> Reply:
    view = card.row.view
    return Reply(
        text=f"{escape(view.name)}: {view.status.value}, deadline {format_date(view.deadline)}",
        blocks=card_blocks(card, tz, update_button=update_button),
    )


def picks_reply(found: Picks) -> Reply:
    shown = escape(found.query)
    if found.matches:
        blocks: list[Block] = [
            section(f"Meerdere activiteiten passen bij “{shown}”. Welke bedoel je?")
        ]
        for n, view in enumerate(found.matches):
            blocks.append(
                section(
                    f"*{escape(view.name)}* — {view.status.value}",
                    accessory=button("Toon", f"{SHOW_BUTTON}:{n}", str(view.id)),
                )
            )
        if found.more:
            blocks.append(
                context(
                    f"… en nog {found.more}. Typ meer van de naam, of `/programma <prioriteit>` "
                    "voor alle activiteiten van een prioriteit."
                )
            )
        return Reply(text=f"Meerdere activiteiten passen bij “{shown}”", blocks=blocks)
    text = (
        f"Geen activiteit, prioriteit of commando gevonden voor “{shown}”. "
        "Typ `/programma help` voor wat kan."
    )
    blocks = [section(text)]
    if found.suggestions:
        blocks.append(section("Bedoel je een van deze?"))
        blocks.append(
            actions(
                *(
                    button(view.name, f"{SHOW_BUTTON}:{n}", str(view.id))
                    for n, view in enumerate(found.suggestions)
                )
            )
        )
    return Reply(text=f"Geen activiteit gevonden voor “{shown}”", blocks=blocks)


def message_reply(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)])


STATUS_OPTIONS = [{"text": plain_text(status.label), "value": status.value} for status in Status]


def update_modal(card: Card, private_metadata: str) -> dict[str, Any]:
    view = card.row.view
    current = next(o for o in STATUS_OPTIONS if o["value"] == view.status.value)
    next_year = card.today.year + 1  # examples that are never in the past
    return modal(
        "Activiteit bijwerken",
        [
            section(
                f"*{escape(view.name)}*\nNu: {status_text(view.status)}, deadline "
                f"{deadline_text(view)}"
            ),
            input_block(
                "status",
                "Status",
                {
                    "type": "static_select",
                    "action_id": "value",
                    "options": STATUS_OPTIONS,
                    "initial_option": current,
                },
            ),
            input_block(
                "note",
                "Toelichting",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 2000,
                },
                optional=True,
                hint="Wat is er gedaan? Bij ‘vertraagd’, ‘geschrapt’ of een nieuwe deadline: de "
                "reden. Komt in de voortgangsrapportage.",
            ),
            input_block(
                "deadline",
                "Nieuwe deadline",
                {"type": "plain_text_input", "action_id": "value", "max_length": 60},
                optional=True,
                hint=f"Alleen als de deadline verschuift, bijv. ‘1 juli {next_year}’ of "
                f"‘eind {next_year}’. De oorspronkelijke blijft zichtbaar.",
            ),
            input_block(
                "spent",
                "Uitgegeven sinds de vorige update (€)",
                {"type": "plain_text_input", "action_id": "value", "max_length": 30},
                optional=True,
            ),
        ],
        callback_id=UPDATE_MODAL,
        private_metadata=private_metadata,
    )


def digest_message(digest: Digest, tz: tzinfo) -> Reply:
    count = len(digest.rows)
    blocks: list[Block] = [
        section(
            f"👋 Je maandelijkse overzicht van het uitvoeringsprogramma: je bent actiehouder van "
            f"{count} open {'activiteit' if count == 1 else 'activiteiten'}. Klopt de status "
            "nog? Eén klik is genoeg."
        )
    ]
    for n, row in enumerate(digest.rows[:20]):
        view = row.view
        line = (
            f"*{escape(view.name)}* — {status_text(view.status)}, "
            f"deadline {format_date(view.deadline)}"
        )
        if row.late:
            line += "\n⏰ *De deadline is verstreken.*"
        elif row.note and (view.deadline - digest.today).days <= 28:
            line += f"\n⚠️ Deadline binnen 4 weken ({row.note})."
        blocks.append(section(line))
        blocks.append(
            actions(
                button("Geen wijziging", f"{NO_CHANGE_BUTTON}:{n}", str(view.id)),
                button("Bijwerken", f"{UPDATE_BUTTON}:{n}", str(view.id), style="primary"),
                block_id=f"programma_dm_{view.id}",
            )
        )
    if count > 20:
        blocks.append(context(f"… en nog {count - 20}; zie `/programma mijn`."))
    return Reply(text=f"Uitvoeringsprogramma: {count} open activiteiten van jou", blocks=blocks)


def meeting_blocks(lines: Sequence[MeetingLine], tz: tzinfo) -> list[Block]:
    """The programme section of a linked meeting's reminder."""
    if not lines:
        return []
    out = []
    for line in lines:
        text = f"• {row_line(line.row)}"
        for u in line.changes[-3:]:
            text += f"\n      {_history_line(u, tz)}"
        if not line.changes:
            text += "\n      _geen wijziging sinds het vorige overleg_"
        out.append(text)
    chunks = text_chunks(out)
    title = f"*📋 Uitvoeringsprogramma ({len(lines)})*"
    return [section((title + "\n" if n == 0 else "") + c) for n, c in enumerate(chunks)]


def notes_withheld_note(card: Card) -> str:
    """Said on a card shared without its notes: why, and where the team reads them."""
    return (
        "🔒 De toelichtingen bij de updates staan niet in dit bericht: niet iedereen in dit "
        "kanaal mag ze lezen (gasten of leden van een andere organisatie lezen mee). Teamleden "
        f"zien ze met `/programma {card.row.view.key}`."
    )


def notes_withheld_answer(card: Card) -> str:
    """The sharer's own answer when the card went out without its notes."""
    return (
        f"Gedeeld, maar zonder de toelichtingen bij de updates van *{escape(card.row.view.name)}*"
        ": in dit kanaal lezen gasten of leden van een andere organisatie mee (of ik kon niet "
        "nagaan wie er meelezen). De hele kaart, met toelichtingen, zie je met "
        f"`/programma {card.row.view.key}`."
    )


def shared_card(card: Card, tz: tzinfo, user_id: str) -> list[Block]:
    below = [context(f"Gedeeld door <@{user_id}> via /programma")]
    if card.notes_withheld:
        below.insert(0, context(notes_withheld_note(card)))
    # What is said below the card is never the part cut off at Slack's limit.
    blocks = card_blocks(card, tz, with_buttons=False)[: MESSAGE_BLOCK_LIMIT - len(below)]
    return blocks + below


def report_ready_text(until: date) -> str:
    return (
        f"📄 De voortgangsrapportage tot en met {format_date(until)} komt zo als Word- en "
        "Markdown-bestand in je berichten met oov-bot."
    )
