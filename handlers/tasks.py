"""Who owns which task: `/wie <onderwerp>`, `/taken [@persoon]`, sharing a task card and changing
its owner through a modal."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.cadence import Cadence, CadenceError, format_hours, parse_cadence
from bot.config_files import CATEGORY_LABELS, Category
from bot.context import AppContext
from bot.language import PersonRef, is_help, parse_person_ref, resolve_person
from bot.task_search import SearchableTask, TaskIndex
from handlers.blocks import (
    Block,
    Reply,
    actions,
    bullet_lines,
    button,
    context,
    divider,
    escape,
    fields,
    header,
    mention,
    section,
    without_actions,
)
from handlers.commands import SlashCommand, Usage
from handlers.feature import Feature
from handlers.payloads import (
    MAX_ID,
    Interaction,
    InteractionRefused,
    PayloadModel,
    UnreadablePayload,
    ViewState,
    button_id,
    on_action,
    on_view,
    private_metadata,
    reply,
    required_trigger,
)
from storage.team import OwnershipChangeView, PersonView, TaskView, UnknownTaskError

log = logging.getLogger(__name__)

OWNER_MODAL = "task_owner_modal"
SHOW_BUTTON = "task_show"
# "task_show" alone, or numbered ("task_show:1") where several share one actions block.
SHOW_BUTTONS = re.compile(rf"^{SHOW_BUTTON}(:\d+)?$")
PICK_LIMIT = 5


def cadence_of(task: TaskView) -> Cadence | None:
    try:
        return parse_cadence(task.time_text)
    except CadenceError:
        return None  # `oov-bot check` reports it; the card then shows the text as written


def time_summary(task: TaskView) -> str:
    if not task.time_text:
        return "_niet opgegeven_"
    cadence = cadence_of(task)
    hours = cadence.hours_per_week if cadence else None
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


def task_card(task: TaskView, *, with_buttons: bool = True) -> list[Block]:
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
        blocks.append(
            actions(
                button("Delen in kanaal", "task_share", str(task.id)),
                button("Eigenaar wijzigen", "task_change_owner", str(task.id)),
                block_id=f"task_{task.id}",
            )
        )
    return blocks


class TaskFinder:
    """The search index over the active tasks and the answers given, rebuilt when the tasks
    change. Another process's change is noticed within VERSION_TTL seconds; this process's own
    changes call `invalidate()`."""

    VERSION_TTL = 2.0
    ANSWER_CACHE_SIZE = 1024

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._lock = threading.Lock()
        self._version: object = None
        self._checked_at = float("-inf")
        self._index: TaskIndex | None = None
        self._tasks: dict[int, TaskView] = {}
        self._answers: dict[str, Reply] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")
            self._version = None

    def _current(self) -> tuple[TaskIndex, dict[int, TaskView]]:
        with self._lock:
            fresh = time.monotonic() - self._checked_at < self.VERSION_TTL
            if fresh and self._index is not None:
                return self._index, self._tasks
        try:
            version = self._ctx.team.tasks_version()
        except SQLAlchemyError as exc:
            with self._lock:
                if self._index is None:
                    raise
                # The database is away: answer from the last known list (tasks change rarely),
                # and look again after VERSION_TTL instead of on every command.
                self._checked_at = time.monotonic()
                log.warning("task list version unknown (%s): answering from the last known list",
                            exc.__class__.__name__)  # fmt: skip
                return self._index, self._tasks
        with self._lock:
            if self._index is None or version != self._version:
                tasks = self._ctx.team.tasks()
                self._tasks = {t.id: t for t in tasks}
                self._index = TaskIndex(
                    [
                        SearchableTask(t.id, t.subject, t.description, t.duties, t.aliases)
                        for t in tasks
                    ]
                )
                self._answers = {}
                self._version = version
            self._checked_at = time.monotonic()
            return self._index, self._tasks

    def answer(self, query: str) -> Reply:
        """The reply to `/wie <query>`; identical queries reuse the rendered answer."""
        index, tasks = self._current()
        key = " ".join(query.split()).casefold()
        with self._lock:
            cached = self._answers.get(key)
        if cached is not None:
            return cached
        reply = self._render(query, index, tasks)
        with self._lock:
            if len(self._answers) >= self.ANSWER_CACHE_SIZE:
                self._answers.clear()
            self._answers[key] = reply
        return reply

    def _render(self, query: str, index: TaskIndex, tasks: dict[int, TaskView]) -> Reply:
        query = query.strip()
        if not query or is_help(query):
            return WIE.help_reply()
        result = index.search(query)
        shown = escape(query)
        if result.best is not None:
            task = tasks[result.best.task.id]
            return Reply(
                text=f"{task.subject}: eigenaar {plain_name(task.owner)}", blocks=task_card(task)
            )
        if result.matches:
            blocks: list[Block] = [
                section(f"Meerdere taken passen bij “{shown}”. Welke bedoel je?")
            ]
            for match in result.matches[:PICK_LIMIT]:
                task = tasks[match.task.id]
                blocks.append(
                    section(
                        f"*{escape(task.subject)}*\nEigenaar: {mention(task.owner)}",
                        accessory=button("Toon", SHOW_BUTTON, str(task.id)),
                    )
                )
            return Reply(text=f"Meerdere taken passen bij “{query}”", blocks=blocks)
        text = f"Geen taak gevonden voor “{shown}”."
        blocks = [section(text)]
        if result.suggestions:
            blocks.append(section("Bedoel je een van deze?"))
            blocks.append(
                actions(
                    *(
                        # One actions block needs a distinct action_id per button, or Slack
                        # refuses the whole reply (invalid_blocks).
                        button(s.subject, f"{SHOW_BUTTON}:{n}", str(s.id))
                        for n, s in enumerate(result.suggestions[:PICK_LIMIT])
                    )
                )
            )
        blocks.append(
            context(
                "Probeer een ander woord, een afkorting (bijv. BIBOB, TVO, AZC) of "
                "`/taken` voor je eigen taken."
            )
        )
        return Reply(text=f"Geen taak gevonden voor “{query}”", blocks=blocks)


def plain_name(person: PersonView | None) -> str:
    return person.name if person else "niemand"


NOT_LINKED = (
    "Je Slack-account is nog niet gekoppeld aan iemand in het teamoverzicht. "
    "Vraag de beheerder je Slack member-ID in te vullen bij `slack_id` in "
    "`config/people.yaml`, of vraag het voor een collega: `/taken @collega`."
)


def resolve_person_ref(
    ctx: AppContext, text: str, caller_slack_id: str | None
) -> tuple[PersonView | None, str | None]:
    """The person a command argument means, read by the kernel as /acties and /piket read it:
    '' or 'ik'/'mij' (the caller), '<@U..|name>', '@key', key, Slack ID or name.
    Returns (person, Dutch error)."""
    parsed = parse_person_ref(text) if text.strip() else PersonRef("self")
    if parsed is None:
        return None, f"Ik ken geen persoon “{escape(text.strip())}”. {_known_people(ctx)}"
    if parsed.kind == "self" and caller_slack_id is None:
        return None, "Geef een persoon op, bijvoorbeeld `/taken aov-1`."
    found = resolve_person(parsed, ctx.team, caller_slack_id)
    if found.person is not None:
        return found.person, None
    if parsed.kind == "self":
        return None, NOT_LINKED
    if parsed.kind == "mention":
        return None, (
            f"<@{parsed.value}> staat niet in het teamoverzicht en heeft dus geen taken. "
            "De beheerder voegt collega's toe in `config/people.yaml`."
        )
    return None, f"Ik ken geen persoon “{escape(text.strip())}”. {_known_people(ctx)}"


def _known_people(ctx: AppContext) -> str:
    known = ", ".join(f"{p.key} ({p.name})" for p in ctx.team.people()[:12])
    return f"Bekend: {escape(known)}."


def _task_line(task: TaskView) -> str:
    cadence = cadence_of(task)
    hours = cadence.hours_per_week if cadence else None
    time = (
        f" — {escape(task.time_text)} (≈ {format_hours(hours)} u/week)" if hours is not None else ""
    )
    return f"{escape(task.subject)}{time}"


def _unknown_line(task: TaskView) -> str:
    cadence = cadence_of(task)
    why = (
        cadence.reason if cadence and cadence.reason else (task.time_text or "geen tijd opgegeven")
    )
    return f"{escape(task.subject)} _({escape(why)})_"


def _hours(tasks: list[TaskView]) -> tuple[float, list[TaskView], list[TaskView]]:
    total, known, unknown = 0.0, [], []
    for task in tasks:
        cadence = cadence_of(task)
        hours = cadence.hours_per_week if cadence else None
        if hours is None:
            unknown.append(task)
        else:
            total += hours
            known.append(task)
    return total, known, unknown


def taken_reply(ctx: AppContext, text: str, caller_slack_id: str | None) -> Reply:
    if is_help(text):
        return TAKEN.help_reply()
    person, error = resolve_person_ref(ctx, text, caller_slack_id)
    if person is None:
        return Reply(text=error or "", blocks=[section(error or "")])
    owned, deputy = ctx.team.tasks_of(person.id)
    if not owned and not deputy:
        message = f"{mention(person)} heeft geen taken in het taakoverzicht."
        return Reply(text=message, blocks=[section(message)])
    blocks: list[Block] = [header(f"Taken van {person.name}")]
    for title, tasks in (("Eigenaar", owned), ("Vervanger", deputy)):
        if not tasks:
            continue
        total, known, unknown = _hours(tasks)
        summary = f"*{title}* van {len(tasks)} {'taak' if len(tasks) == 1 else 'taken'}"
        if known:
            summary += f" — samen ≈ *{format_hours(total)} uur per week*"
        blocks.append(section(summary))
        if known:
            blocks.append(section(bullet_lines(_task_line(t) for t in known)))
        if unknown:
            blocks.append(
                section("_Zonder vaste tijd:_\n" + bullet_lines(_unknown_line(t) for t in unknown))
            )
        blocks.append(divider())
    owned_total = _hours(owned)[0]
    blocks.append(
        context(
            f"Geschat op basis van de tijden in het taakoverzicht: ≈ {format_hours(owned_total)} "
            f"van {format_hours(person.hours_per_week)} contracturen per week als eigenaar."
        )
    )
    return Reply(text=f"Taken van {person.name}", blocks=blocks)


def owner_modal(task: TaskView, private_metadata: str) -> dict[str, Any]:
    owner_select: Block = {
        "type": "users_select",
        "action_id": "person",
        "placeholder": {"type": "plain_text", "text": "Kies een collega"},
    }
    if task.owner and task.owner.slack_id:
        owner_select["initial_user"] = task.owner.slack_id
    deputy_select: Block = {
        "type": "users_select",
        "action_id": "person",
        "placeholder": {"type": "plain_text", "text": "Kies een collega"},
    }
    if task.deputy and task.deputy.slack_id:
        deputy_select["initial_user"] = task.deputy.slack_id
    return {
        "type": "modal",
        "callback_id": OWNER_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Eigenaar wijzigen"},
        "submit": {"type": "plain_text", "text": "Opslaan"},
        "close": {"type": "plain_text", "text": "Annuleren"},
        "blocks": [
            section(
                f"*{escape(task.subject)}*\nNu: eigenaar {mention(task.owner)}, "
                f"vervanger {mention(task.deputy)}"
            ),
            {
                "type": "input",
                "block_id": "owner",
                "label": {"type": "plain_text", "text": "Nieuwe eigenaar"},
                "element": owner_select,
            },
            {
                "type": "input",
                "block_id": "deputy",
                "optional": True,
                "label": {"type": "plain_text", "text": "Vervanger"},
                "element": deputy_select,
            },
        ],
    }


@dataclass(frozen=True)
class OwnerChoice:
    task_id: int
    owner_slack_id: str
    deputy_slack_id: str | None
    response_url: str | None


class OwnerModalMeta(PayloadModel):
    """The owner modal's private_metadata: the task, and where the /wie answer can be redrawn."""

    task_id: int = Field(ge=1, le=MAX_ID)
    response_url: str | None = None


def parse_owner_submission(body: Mapping[str, Any]) -> OwnerChoice:
    meta = private_metadata(body, OwnerModalMeta)
    state = ViewState(body)
    owner = state.user("owner", "person")
    if owner is None:
        raise UnreadablePayload("Kies een collega.", field="owner")
    return OwnerChoice(
        task_id=meta.task_id,
        owner_slack_id=owner,
        deputy_slack_id=state.user("deputy", "person"),
        response_url=meta.response_url,
    )


def _slack_name(client: WebClient, slack_id: str) -> str:
    try:
        user = client.users_info(user=slack_id)["user"]
        profile = user.get("profile", {})
        return profile.get("real_name") or user.get("real_name") or user.get("name") or slack_id
    except SlackApiError:
        return slack_id


def _notify_change(client: WebClient, change: OwnershipChangeView, changed_by: str) -> None:
    """DM the previous and the new person; a failed DM is logged, never fatal."""
    role = "eigenaar" if change.role == "owner" else "vervanger"
    subject = escape(change.task.subject)
    messages = []
    if change.new and change.new.slack_id:
        messages.append(
            (
                change.new.slack_id,
                f"Je bent nu {role} van *{subject}* (gewijzigd door <@{changed_by}>).",
            )
        )
    if change.previous and change.previous.slack_id:
        messages.append(
            (
                change.previous.slack_id,
                f"Je bent geen {role} meer van *{subject}*: dat is nu "
                f"{mention(change.new)} (gewijzigd door <@{changed_by}>).",
            )
        )
    for channel, text in messages:
        try:
            client.chat_postMessage(channel=channel, text=text)
        except SlackApiError as exc:
            log.warning("ownership DM to %s failed: %s", channel, exc.response.get("error"))


def register(app: App, ctx: AppContext) -> None:
    finder = TaskFinder(ctx)

    def clicked_task(it: Interaction) -> TaskView:
        """The task a button refers to; refused when it was removed meanwhile."""
        try:
            return ctx.team.task(button_id(it.body))
        except UnknownTaskError:
            raise InteractionRefused("Die taak bestaat niet meer.") from None

    @app.command("/wie")
    def wie(ack: Ack, command: dict[str, Any]) -> None:
        reply = finder.answer(command.get("text", ""))
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    @app.command("/taken")
    def taken(ack: Ack, command: dict[str, Any]) -> None:
        reply = taken_reply(ctx, command.get("text", ""), command.get("user_id"))
        ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    def show(it: Interaction, client: WebClient) -> None:
        task = clicked_task(it)
        reply(it, client, text=task.subject, blocks=task_card(task), replace_original=True)

    def share(it: Interaction, client: WebClient) -> None:
        task = clicked_task(it)
        if it.response_url is None:  # the Home tab: no channel to share into
            raise InteractionRefused("Delen in een kanaal kan alleen vanuit `/wie` in dat kanaal.")
        blocks = without_actions(task_card(task))
        blocks.append(context(f"Gedeeld door <@{it.user_id}> via /wie"))
        Respond(response_url=it.response_url)(
            text=f"{task.subject}: eigenaar {plain_name(task.owner)}",
            blocks=blocks,
            response_type="in_channel",
            replace_original=False,
        )

    def change_owner(it: Interaction, client: WebClient) -> None:
        task = clicked_task(it)
        meta = OwnerModalMeta(task_id=task.id, response_url=it.response_url)
        client.views_open(
            trigger_id=required_trigger(it), view=owner_modal(task, meta.model_dump_json())
        )

    on_action(app, SHOW_BUTTONS, show, examples=(SHOW_BUTTON, f"{SHOW_BUTTON}:1"))
    on_action(app, "task_share", share)
    on_action(app, "task_change_owner", change_owner)

    def owner_submitted(ack: Ack, it: Interaction, client: WebClient) -> None:
        choice = parse_owner_submission(it.body)
        if choice.deputy_slack_id and choice.deputy_slack_id == choice.owner_slack_id:
            ack(
                response_action="errors",
                errors={"deputy": "De vervanger moet iemand anders zijn dan de eigenaar."},
            )
            return
        # Store before acknowledging: if it fails, the modal stays open with the explanation
        # (the app's error handler) instead of closing as if the change were saved.
        changed_by = it.user_id
        now = ctx.now()
        assignments = {}
        for role, slack_id in (
            ("owner", choice.owner_slack_id),
            ("deputy", choice.deputy_slack_id),
        ):
            if slack_id:
                person = ctx.team.person_by_slack_id(slack_id) or (
                    ctx.team.ensure_person_for_slack_user(
                        slack_id, _slack_name(client, slack_id), now
                    )
                )
                assignments[role] = person.id
        try:
            changes = ctx.team.change_owners(
                choice.task_id, assignments, changed_by=changed_by, source="slack", now=now
            )
        except UnknownTaskError:
            ack(response_action="errors", errors={"owner": "Deze taak bestaat niet meer."})
            return
        ack()
        finder.invalidate()
        for change in changes:
            _notify_change(client, change, changed_by)
            ctx.user_data_changed(client, *(p.slack_id for p in (change.previous, change.new) if p))
        if choice.response_url and changes:
            task = ctx.team.task(choice.task_id)
            respond = Respond(response_url=choice.response_url)
            respond(text=task.subject, blocks=task_card(task), replace_original=True)

    on_view(app, OWNER_MODAL, owner_submitted)


WIE = SlashCommand(
    name="/wie",
    summary="wie is eigenaar van een taak uit het taakoverzicht OOV?",
    usages=(
        Usage(
            "<onderwerp>",
            "eigenaar, vervanger, werkzaamheden, tijd en wettelijke basis van de taak",
            "owner, deputy, duties, time budget and legal basis of the task meant — tolerant of "
            "case, accents, plurals, typos, partial words and abbreviations; several matches → a "
            "pick list; none → suggestions. Buttons: *Delen in kanaal*, *Eigenaar wijzigen* "
            "(modal; audited; old and new owner get a DM)",
            examples=("bibob", "huisverbod", "jaarwisseling", "coffeeshop"),
        ),
    ),
    notes="Hoofdletters, accenten, meervoud, afkortingen en tikfouten maken niet uit.",
    shell=lambda ctx: TaskFinder(ctx).answer,
)
TAKEN = SlashCommand(
    name="/taken",
    summary="de taken van iemand, als eigenaar en als vervanger, met de geschatte tijd per week",
    usages=(
        Usage("", "jouw taken", "your tasks as owner and as deputy, with their hours per week"),
        Usage(
            "@persoon",
            "de taken van een collega",
            "a colleague's tasks (a mention, a person key or a name); tasks without a fixed "
            "time are listed apart",
            examples=("@collega", "aov-1"),
        ),
    ),
    shell=lambda ctx: lambda text: taken_reply(ctx, text, caller_slack_id=None),
)


FEATURE = Feature(
    name="tasks",
    order=10,
    listeners=register,
    commands=(WIE, TAKEN),
    models="storage.models.team",
)
