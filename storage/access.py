"""The access settings and the team as the permission check needs them: one read gives the
whole picture (Slack ID -> person key, team leads' Slack IDs, readers), rebuilt only when the
data version changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bot.core.access import AccessConfig
from bot.core.config_files import AccessSection, TeamConfig
from storage.import_report import ImportReport
from storage.models.access import access_settings
from storage.models.team import people
from storage.session import Database
from storage.versions import ACCESS, TEAM, read_versions

EMPTY: dict[str, Any] = {
    "team_leads": [],
    "readers": [],
    "reader_groups": [],
    "register_open": False,
}

# The access block: the config of the one row (the first, should there be more).
_CONFIG = select(access_settings.c.config).order_by(access_settings.c.id).limit(1)


def section_data(section: AccessSection) -> dict[str, Any]:
    return {
        "team_leads": list(section.team_leads),
        "readers": list(section.readers),
        "reader_groups": list(section.reader_groups),
        "register_open": section.register_open,
    }


class AccessStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def version(self) -> tuple[Any, ...]:
        """Changes whenever a person or the access block changes, whichever process wrote it
        (the data versions' triggers; a count and newest updated_at missed same-instant
        changes): a cheap cache key."""
        versions = read_versions(self.db)
        return versions.get(TEAM, 0), versions.get(ACCESS, 0)

    def load(self) -> AccessConfig:
        with self.db.transaction() as conn:
            data = {**EMPTY, **(conn.scalar(_CONFIG) or {})}
            team = {
                slack_id: key
                for key, slack_id in conn.execute(
                    select(people.c.key, people.c.slack_id).where(
                        people.c.active, people.c.slack_id.is_not(None)
                    )
                )
                if slack_id
            }
        by_key = {key: slack_id for slack_id, key in team.items()}
        return AccessConfig(
            team_leads=frozenset(by_key[k] for k in data["team_leads"] if k in by_key),
            readers=frozenset(data["readers"]),
            reader_groups=tuple(data["reader_groups"]),
            register_open=bool(data["register_open"]),
            team=team,
        )


def import_access(conn: Connection, team: TeamConfig, now: datetime, report: ImportReport) -> None:
    """The access block is set in the YAML only (nothing in Slack changes it): the YAML wins."""
    data = section_data(team.access)
    row = conn.execute(select(access_settings).order_by(access_settings.c.id).limit(1)).first()
    if row is None:
        conn.execute(insert(access_settings).values(config=data, updated_at=now))
        if data != EMPTY:
            report.created.append("toegang (access)")
    elif row.config != data:
        conn.execute(
            update(access_settings)
            .where(access_settings.c.id == row.id)
            .values(config=data, updated_at=now)
        )
        report.updated.append("toegang (access)")


def export_access(conn: Connection) -> dict[str, Any] | None:
    """people.yaml's access block, or None when nothing is granted beyond the team."""
    data = {**EMPTY, **(conn.scalar(_CONFIG) or {})}
    return None if data == EMPTY else data
