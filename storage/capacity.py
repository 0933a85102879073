"""Capacity: importing and exporting capaciteit.yaml, and reading the model's inputs (people,
tasks, meeting series, piket rules, programme estimates, settings) with one version key for
caching the picture."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from bot.core import capacity
from bot.core.capacity_config import CAPACITY_FILE, CapacityFile, parse_capacity_config
from bot.core.config_files import TeamConfig
from bot.core.programme import Status
from storage.import_report import ImportReport
from storage.meetings import MeetingStore
from storage.models.capacity import capacity_state
from storage.piket import PiketStore
from storage.programme import ProgrammeStore
from storage.session import Database
from storage.team import TeamStore
from storage.versions import CAPACITY, MEETINGS, PIKET, PROGRAMME, TEAM, read_versions

STATE_ID = 1
_PICTURE_DEPENDS = (TEAM, MEETINGS, PIKET, CAPACITY, PROGRAMME)


def import_capacity(
    conn: Connection, team: TeamConfig, now: datetime, report: ImportReport
) -> None:
    """The import step for capaciteit.yaml: store the settings as written."""
    found: CapacityFile | None = team.extra.get(CAPACITY_FILE)
    if found is None:
        return
    digest = conn.scalar(
        select(capacity_state.c.config_digest).where(capacity_state.c.id == STATE_ID)
    )
    settings = {"config": dict(found.data), "config_digest": found.digest, "imported_at": now}
    if digest is None:
        conn.execute(insert(capacity_state).values(id=STATE_ID, **settings))
        report.created.append("capaciteit: instellingen")
    elif digest != found.digest:
        conn.execute(
            update(capacity_state).where(capacity_state.c.id == STATE_ID).values(**settings)
        )
        report.updated.append("capaciteit: instellingen")


def export_capacity(conn: Connection) -> dict[str, Any]:
    config = conn.scalar(select(capacity_state.c.config).where(capacity_state.c.id == STATE_ID))
    return {} if config is None else {CAPACITY_FILE: config}


class CapacityStore:
    """The inputs of `bot.core.capacity.compute` as stored."""

    def __init__(
        self,
        db: Database,
        tz: ZoneInfo,
        *,
        team: TeamStore | None = None,
        meetings: MeetingStore | None = None,
        piket: PiketStore | None = None,
    ) -> None:
        self.db = db
        self.tz = tz
        # The process's read models when given: built once, shared with the commands that read
        # the same data (the team's task search, the series' dates, the rota).
        self.team = team if team is not None else TeamStore(db)
        self.meetings = meetings if meetings is not None else MeetingStore(db, tz)
        self.piket = piket if piket is not None else PiketStore(db, tz)
        self.programme = ProgrammeStore(db)

    def version(self) -> tuple[int, ...]:
        """Moves whenever anything the picture is computed from changes, whichever process
        changed it: the team, the meetings, the piket data (its rules; a rota change moves it too),
        these settings and the programme (one query for all, raised by triggers on every
        write)."""
        versions = read_versions(self.db)
        return tuple(versions.get(name, 0) for name in _PICTURE_DEPENDS)

    def settings(self) -> capacity.Settings:
        with self.db.transaction() as conn:
            data = conn.scalar(
                select(capacity_state.c.config).where(capacity_state.c.id == STATE_ID)
            )
        return capacity.Settings() if data is None else parse_capacity_config(data).settings

    def programme_activities(self) -> tuple[capacity.ProgrammeActivity, ...]:
        """The programme's activities that carry an estimate of hours and are still to be done
        (not afgerond or geschrapt), spread from the programme's start to their current
        deadline: a moved deadline spreads what is left over the longer period."""
        settings = self.programme.settings()
        if settings is None:
            return ()
        finished = {Status.AFGEROND, Status.GESCHRAPT}
        return tuple(
            capacity.ProgrammeActivity(
                view.key,
                view.name,
                view.activity.priority_name,
                view.owner_key,
                hours,
                settings.start,
                view.deadline,
            )
            for view in self.programme.activities()
            if (hours := view.activity.config.hours) and view.status not in finished
        )

    def inputs(self) -> capacity.Inputs:
        """The model's inputs, from the read models of the team, the meetings and the rota."""
        people = tuple(
            capacity.Person(p.key, p.name, p.hours_per_week, p.slack_id) for p in self.team.people()
        )
        views = self.team.tasks()
        tasks = tuple(
            capacity.Task(
                t.id,
                t.subject,
                t.category,
                t.time_text,
                t.owner.key if t.owner else None,
                t.deputy.key if t.deputy else None,
            )
            for t in views
        )
        subjects = {t.id: t.subject for t in views}
        all_series = self.meetings.all_series()
        changes = self.meetings.changes()
        meetings = tuple(
            capacity.Meeting(
                v.series,
                subjects.get(v.task_id) if v.task_id is not None else None,
                changes.get(v.key, ()),
            )
            for v in all_series
        )
        piket = self.piket.config()
        return capacity.Inputs(
            people=people,
            tasks=tasks,
            meetings=meetings,
            piket=piket.rules if piket else None,
            programme=self.programme_activities(),
            settings=self.settings(),
        )
