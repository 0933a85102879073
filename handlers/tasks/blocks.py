"""Block Kit for tasks: the task card, the /wie answers, /taken and the owner modal."""

from __future__ import annotations

import re
from typing import Any

from bot.core.cadence import format_hours
from bot.core.config_files import CATEGORY_LABELS, Category
from bot.services.tasks import PersonTasks, TaskGroup, TaskSearch, hours_per_week
from handlers.blocks import (
    Block,
    DrawnOnce,
    Reply,
    actions,
    bullet_lines,
    button,
    context,
    divider,
    escape,
    fields,
    header,
    input_block,
    line_sections,
    mention,
    modal,
    plain_text,
    section,
)
from storage.team import PersonView, TaskView

OWNER_MODAL = "task_owner_modal"
OWNER_PERSON = "person"  # the users_select of the owner and deputy inputs
SHOW_BUTTON = "task_show"
# "task_show" alone, or numbered ("task_show:1") where several share one actions block.
SHOW_BUTTONS = re.compile(rf"^{SHOW_BUTTON}(:\d+)?$")
SHARE_BUTTON = "task_share"
CHANGE_OWNER_BUTTON = "task_change_owner"


def plain_name(person: PersonView | None) -> str:
    return person.name if person else "niemand"


def time_summary(task: TaskView) -> str:
    if not task.time_text:
        return "_niet opgegeven_"
    hours = hours_per_week(task)
    if hours is None:
        return escape(task.time_text)
    return f"{escape(task.time_text)}\n≈ {format_hours(hours)} uur per week"


def category_label(task: TaskView) -> str:
    try:
        return CATEGORY_LABELS[Category(task.category)]
    except ValueError:
        return task.category


def duties_text(duties: str) -> str:
    # The overview separates duties with " / "; "en/of" (no spaces) stays intact.
    parts = [p.strip() for p in re.split(r"\s+/\s*|\s*/\s+", duties) if p.strip()]
    return bullet_lines(escape(p) for p in parts) if len(parts) > 1 else escape(duties)


def task_card(
    task: TaskView, *, with_buttons: bool = True, owner_button: bool = True
) -> list[Block]:
    """The task's card; `owner_button` is False for someone who may not change its owner (the
    button is then not offered at all)."""
    blocks: list[Block] = [
        header(task.subject),
        fields(
            [
                ("Eigenaar", mention(task.owner)),
                ("Vervanger", mention(task.deputy)),
                ("Tijd", time_summary(task)),
                ("Wettelijke taak", escape(task.legal_basis) or "_geen_"),
            ]
        ),
    ]
    if task.duties:
        blocks.append(section(f"*Taken*\n{duties_text(task.duties)}"))
    notes = [category_label(task)]
    if task.description:
        notes.append(escape(task.description))
    blocks.append(context(*notes))
    if with_buttons:
        buttons = [button("Delen in kanaal", SHARE_BUTTON, str(task.id))]
        if owner_button:
            buttons.append(button("Eigenaar wijzigen", CHANGE_OWNER_BUTTON, str(task.id)))
        blocks.append(actions(*buttons, block_id=f"task_{task.id}"))
    return blocks


def card_text(task: TaskView) -> str:
    """The card's notification text: mrkdwn as well, so the subject and name are escaped."""
    return escape(f"{task.subject}: eigenaar {plain_name(task.owner)}")


def card_reply(task: TaskView, *, owner_button: bool = True) -> Reply:
    return Reply(
        text=card_text(task),
        blocks=task_card(task, owner_button=owner_button),
    )


def search_reply(found: TaskSearch, *, owner_button: bool) -> Reply:
    """The answer to `/wie <query>`: a card (with the owner-change button when `owner_button`),
    a pick list, or suggestions."""
    return (_search_with_button if owner_button else _search_without_button)(found)


def _draw_search(found: TaskSearch, owner_button: bool) -> Reply:
    if found.best is not None:
        return card_reply(found.best, owner_button=owner_button)
    query = found.query
    shown = escape(query)
    if found.matches:
        # One uncertain candidate is a question, not a choice between "several" tasks.
        several = len(found.matches) > 1
        question = (
            f"Meerdere taken passen bij “{shown}”. Welke bedoel je?"
            if several
            else f"Ik weet niet zeker welke taak je bedoelt met “{shown}”. Bedoel je deze?"
        )
        blocks: list[Block] = [section(question)]
        for task in found.matches:
            blocks.append(
                section(
                    f"*{escape(task.subject)}*\nEigenaar: {mention(task.owner)}",
                    accessory=button("Toon", SHOW_BUTTON, str(task.id)),
                )
            )
        summary = (
            f"Meerdere taken passen bij “{query}”"
            if several
            else f"Bedoel je {found.matches[0].subject}?"
        )
        return Reply(text=summary, blocks=blocks)
    text = f"Geen taak gevonden voor “{shown}”."
    blocks = [section(text)]
    if found.suggestions:
        blocks.append(section("Bedoel je een van deze?"))
        blocks.append(
            actions(
                *(
                    # One actions block needs a distinct action_id per button, or Slack
                    # refuses the whole reply (invalid_blocks).
                    button(task.subject, f"{SHOW_BUTTON}:{n}", str(task.id))
                    for n, task in enumerate(found.suggestions)
                )
            )
        )
    blocks.append(
        context(
            "Probeer een ander woord, een afkorting (bijv. BIBOB, TVO, AZC) of "
            "`/taken` voor je eigen taken."
        )
    )
    return Reply(text=f"Geen taak gevonden voor “{escape(query)}”", blocks=blocks)


# Each search drawn once per kind of asker (the finder hands out the same object per query).
_search_with_button: DrawnOnce[TaskSearch] = DrawnOnce(lambda found: _draw_search(found, True))
_search_without_button: DrawnOnce[TaskSearch] = DrawnOnce(lambda found: _draw_search(found, False))


def _timed_line(task: TaskView, hours: float) -> str:
    return f"{escape(task.subject)} — {escape(task.time_text)} (≈ {format_hours(hours)} u/week)"


def _untimed_line(task: TaskView, why: str) -> str:
    return f"{escape(task.subject)} _({escape(why)})_"


MORE_TASKS = "_… en nog {n} taken_"


def _draw_person_tasks(found: PersonTasks) -> Reply:
    person = found.person
    if not found.owned.tasks and not found.deputy.tasks:
        message = f"{mention(person)} heeft geen taken in het taakoverzicht."
        return Reply(text=message, blocks=[section(message)])
    blocks: list[Block] = [header(f"Taken van {person.name}")]
    groups: tuple[tuple[str, TaskGroup], ...] = (
        ("Eigenaar", found.owned),
        ("Vervanger", found.deputy),
    )
    for title, group in groups:
        if not group.tasks:
            continue
        count = len(group.tasks)
        summary = f"*{title}* van {count} {'taak' if count == 1 else 'taken'}"
        if group.timed:
            summary += f" — samen ≈ *{format_hours(group.total)} uur per week*"
        blocks.append(section(summary))
        # At most 10 sections a list keeps the reply within a message's 50 blocks.
        if group.timed:
            timed = [f"• {_timed_line(t, h)}" for t, h in group.timed]
            blocks += line_sections(timed, more=MORE_TASKS)
        if group.untimed:
            untimed = [f"• {_untimed_line(t, why)}" for t, why in group.untimed]
            blocks += line_sections(untimed, heading="_Zonder vaste tijd:_", more=MORE_TASKS)
        blocks.append(divider())
    blocks.append(
        context(
            "Geschat op basis van de tijden in het taakoverzicht: "
            f"≈ {format_hours(found.owned.total)} van {format_hours(person.hours_per_week)} "
            "contracturen per week als eigenaar."
        )
    )
    return Reply(text=f"Taken van {escape(person.name)}", blocks=blocks)


CAPACITY_BLOCK = "capacity_impact"


def owner_modal(task: TaskView, private_metadata: str, impact: str | None = None) -> dict[str, Any]:
    """The owner modal; `impact` (mrkdwn) says what the chosen owner does to both people's load.
    Choosing an owner sends an action (dispatch_action), so the impact is redrawn before saving."""

    def select(person: PersonView | None) -> Block:
        element: Block = {
            "type": "users_select",
            "action_id": OWNER_PERSON,
            "placeholder": plain_text("Kies een collega"),
        }
        if person and person.slack_id:
            element["initial_user"] = person.slack_id
        return element

    return modal(
        "Eigenaar wijzigen",
        [
            section(
                f"*{escape(task.subject)}*\nNu: eigenaar {mention(task.owner)}, "
                f"vervanger {mention(task.deputy)}"
            ),
            input_block("owner", "Nieuwe eigenaar", select(task.owner), dispatch_action=True),
            *([section(impact) | {"block_id": CAPACITY_BLOCK}] if impact else []),
            input_block("deputy", "Vervanger", select(task.deputy), optional=True),
        ],
        callback_id=OWNER_MODAL,
        private_metadata=private_metadata,
    )


person_tasks_reply: DrawnOnce[PersonTasks] = DrawnOnce(_draw_person_tasks)  # each drawn once
