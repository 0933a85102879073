"""Tasks in Slack: `/wie`, `/taken`, the task card's buttons (show, share, change owner) and the
owner modal. Each listener reads the payload, asks `bot.services.tasks`, and draws the answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from msgspec import Struct
from pydantic import Field
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.context import AppContext
from bot.core.access import Action, Actor
from bot.gateway import SlackError, SlackGateway
from bot.language import command_words
from bot.services.access import AccessDenied, require
from bot.services.capacity import build_capacity_service
from bot.services.errors import DomainError
from bot.services.tasks import OwnerChangeRefused, TaskService
from handlers.access import access_service, actor_of
from handlers.blocks import Reply, context, escape, section, without_actions
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
from handlers.tasks import TAKEN, WIE
from handlers.tasks.blocks import (
    CHANGE_OWNER_BUTTON,
    OWNER_MODAL,
    OWNER_PERSON,
    SHARE_BUTTON,
    SHOW_BUTTON,
    SHOW_BUTTONS,
    card_reply,
    card_text,
    owner_modal,
    person_tasks_reply,
    search_reply,
    task_card,
)
from storage.team import TaskView
from storage.versions import read_once

log = logging.getLogger(__name__)


def _build_task_service(ctx: AppContext) -> TaskService:
    return TaskService(ctx.team)


def task_service(ctx: AppContext) -> TaskService:
    """The context's one task service: its search index is built once per team version for the
    listeners and the shell alike."""
    return ctx.service(_build_task_service)


def build_read_models(ctx: AppContext) -> None:
    task_service(ctx).finder.refresh()
    # Who may read what: every command asks it first; the first feature builds it for all.
    access_service(ctx).config(ctx.now())


def wie_reply(service: TaskService, text: str, actor: Actor) -> Reply:
    """The answer to `/wie <text>`."""
    words = command_words(text)
    if not words.words or words.is_help:
        return WIE.help_reply()
    try:
        found = service.find(text, actor)
    except DomainError as exc:
        return Reply(text=exc.message, blocks=[section(exc.message)])
    may_change = found.best is not None and service.may_change_owner(found.best, actor)
    return search_reply(found, owner_button=may_change)


def taken_reply(service: TaskService, text: str, actor: Actor) -> Reply:
    """The answer to `/taken [persoon]`."""
    if command_words(text).is_help:
        return TAKEN.help_reply()
    try:
        return person_tasks_reply(service.tasks_of(text, actor))
    except DomainError as exc:
        return Reply(text=exc.message, blocks=[section(exc.message)])


class OwnerChoice(Struct, frozen=True):
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


def slack_name(gateway: SlackGateway, slack_id: str) -> str:
    """How Slack names a user; their ID when Slack cannot say."""
    try:
        user = gateway.user(slack_id)
    except SlackError:
        return slack_id
    profile = user.get("profile", {})
    return profile.get("real_name") or user.get("real_name") or user.get("name") or slack_id


def register(app: App, ctx: AppContext) -> None:
    service = task_service(ctx)

    def clicked_task(it: Interaction) -> tuple[TaskView, Actor]:
        """The task a button refers to and who clicked; refused when it was removed meanwhile
        or the clicker may not read the register."""
        actor = actor_of(ctx, it.body)
        try:
            return service.task(button_id(it.body), actor), actor
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None

    # Read-only answers: who asks, the team and the tasks from one reading of the data versions
    # (storage.versions.read_once), not a version query per read model asked.
    @app.command("/wie")
    def wie(ack: Ack, command: dict[str, Any]) -> None:
        with read_once():
            answer = wie_reply(service, command.get("text", ""), actor_of(ctx, command))
        ack(text=answer.text, blocks=answer.blocks, response_type="ephemeral")

    @app.command("/taken")
    def taken(ack: Ack, command: dict[str, Any]) -> None:
        with read_once():
            answer = taken_reply(service, command.get("text", ""), actor_of(ctx, command))
        ack(text=answer.text, blocks=answer.blocks, response_type="ephemeral")

    def show(it: Interaction, client: WebClient) -> None:
        task, actor = clicked_task(it)
        blocks = task_card(task, owner_button=service.may_change_owner(task, actor))
        reply(it, client, text=escape(task.subject), blocks=blocks, replace_original=True)

    def share(it: Interaction, client: WebClient) -> None:
        task, _ = clicked_task(it)
        if it.response_url is None:  # the Home tab: no channel to share into
            raise InteractionRefused("Delen in een kanaal kan alleen vanuit `/wie` in dat kanaal.")
        blocks = without_actions(task_card(task))
        blocks.append(context(f"Gedeeld door <@{it.user_id}> via /wie"))
        Respond(response_url=it.response_url)(
            text=card_text(task),
            blocks=blocks,
            response_type="in_channel",
            replace_original=False,
        )

    def impact(task_id: int, owner_slack_id: str | None, actor: Actor) -> str | None:
        """What the owner choice does to both people's load; None when it cannot be said or
        the actor may not read capacity figures."""
        try:
            capacity = ctx.service(build_capacity_service)
            return capacity.owner_impact_text(task_id, owner_slack_id, ctx.now(), actor)
        except Exception:  # the modal must open even when the capacity figures cannot be read
            log.exception("capacity impact for the owner modal failed")
            return None

    def change_owner(it: Interaction, client: WebClient) -> None:
        task, actor = clicked_task(it)
        if not service.may_change_owner(task, actor):
            # A button drawn for someone else (a shared card): refused before the modal opens.
            try:
                require(Action.CHANGE_TASK_OWNER, actor, service.held(task, actor))
            except AccessDenied as exc:
                raise InteractionRefused(exc.message) from None
        meta = OwnerModalMeta(task_id=task.id, response_url=it.response_url)
        shown = impact(task.id, task.owner.slack_id if task.owner else None, actor)
        ctx.gateway.open_view(
            required_trigger(it), owner_modal(task, meta.model_dump_json(), shown)
        )

    def owner_chosen(it: Interaction, client: WebClient) -> None:
        """A new owner picked in the modal (not yet saved): redraw it with the load impact."""
        view = it.body.get("view") or {}
        action = (it.body.get("actions") or [{}])[0]
        owner_pick = view.get("callback_id") == OWNER_MODAL and action.get("block_id") == "owner"
        if not owner_pick or not isinstance(view.get("id"), str):
            raise UnreadablePayload()
        meta = private_metadata(it.body, OwnerModalMeta)
        actor = actor_of(ctx, it.body)
        try:
            task = service.task(meta.task_id, actor)
        except DomainError as exc:
            raise InteractionRefused(exc.message) from None
        if not service.may_change_owner(task, actor):
            raise InteractionRefused(
                "Je mag de eigenaar van deze taak niet wijzigen, dus ook niet doorrekenen."
            )
        chosen = ViewState(it.body).user("owner", "person")
        redrawn = owner_modal(task, meta.model_dump_json(), impact(task.id, chosen, actor))
        try:
            ctx.gateway.update_view(view["id"], redrawn, view_hash=view.get("hash"))
        except SlackError as exc:
            if exc.code != "hash_conflict":
                raise
            # Two picks in quick succession carry the same hash; the earlier one's redraw came
            # first, so this one is the latest choice and its load is the one to show.
            ctx.gateway.update_view(view["id"], redrawn)

    on_action(app, SHOW_BUTTONS, show, examples=(SHOW_BUTTON, f"{SHOW_BUTTON}:1"))
    on_action(app, SHARE_BUTTON, share)
    on_action(app, CHANGE_OWNER_BUTTON, change_owner)
    on_action(app, OWNER_PERSON, owner_chosen)

    access = access_service(ctx)

    def owner_submitted(ack: Ack, it: Interaction, client: WebClient) -> None:
        choice = parse_owner_submission(it.body)
        actor = actor_of(ctx, it.body)
        # Store before acknowledging: if it fails, the modal stays open with the explanation
        # (the app's error handler) instead of closing as if the change were saved.
        try:
            changed = service.change_owner(
                choice.task_id,
                choice.owner_slack_id,
                choice.deputy_slack_id,
                changed_by=actor,
                now=ctx.now(),
                name_of=lambda slack_id: slack_name(ctx.gateway, slack_id),
                standing_of=lambda slack_id: access.actor(slack_id, ctx.now()).standing,
            )
        except OwnerChangeRefused as exc:
            ack(response_action="errors", errors={exc.field: exc.message})
            return
        ack()
        for notice in changed.notices:
            ctx.gateway.try_post(notice.to, notice.text, what=notice.what)
        ctx.user_data_changed(client, *changed.people)
        if choice.response_url and changed.task is not None:
            # The button only for who may still change it: an owner who handed the task on
            # (or a deputy who stepped down) no longer may.
            answer = card_reply(
                changed.task, owner_button=service.may_change_owner(changed.task, actor)
            )
            Respond(response_url=choice.response_url)(
                text=answer.text, blocks=answer.blocks, replace_original=True
            )

    on_view(app, OWNER_MODAL, owner_submitted)
