"""data versions: on PostgreSQL, raised at commit, in name order, once per transaction

The triggers of 0004-0006 raised a version at the end of each statement, so a transaction held
its version row locked from its first write to its commit, and took its other row locks while
holding it. Two writers of the same kind of data then deadlocked: A wrote action item 1 (locking
the "actions" version), B wrote action item 2 and waited for that version, A went on to item 2
and waited for B. PostgreSQL aborted one of them ("deadlock detected"); it happened between a
message being deleted and the confirmation of the action logged from it.

Now a changed row only notes, in a transaction-local setting, which version it changes; a
deferred constraint trigger raises them when the transaction commits, after every row lock it
takes, all in one statement in name order. Writers of the same data then wait for each other's
commit instead of deadlocking, and writers of several kinds take the versions in the same order.
A version now moves once per transaction (was: per statement), and a statement that changes no
row no longer moves it. TRUNCATE (an operator's SQL; no row triggers fire for it) still raises
the version at once.

SQLite takes one lock for the whole database, so it cannot deadlock this way; its triggers stay.

Revision ID: 0008_versions_at_commit
Revises: 0007_action_lines
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_versions_at_commit"
down_revision: str | None = "0007_action_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every tracked table and its version, as 0004-0006 left them (kept in this file, so the
# migration stays as written; storage.versions.TRACKED_TABLES must list the same pairs, tested).
TRACKED_TABLES = {
    "people": "team",
    "tasks": "team",
    "meeting_series": "meetings",
    "meeting_occurrence_changes": "meetings",
    "piket_state": "piket",
    "piket_shifts": "piket",
    "access_settings": "access",
    "action_items": "actions",
    "programme": "programme",
    "programme_activities": "programme",
    "programme_updates": "programme",
    "capacity_state": "capacity",
}

# The versions this transaction changed, comma-separated; set_config(..., true) keeps it to the
# transaction (and to a savepoint that is rolled back: it reverts with it).
_NOTE_FUNCTION = """
CREATE FUNCTION oov_note_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('oov.changed_versions', true), '');
BEGIN
    IF NOT TG_ARGV[0] = ANY(string_to_array(noted, ',')) THEN
        PERFORM set_config('oov.changed_versions', concat_ws(',', nullif(noted, ''), TG_ARGV[0]),
                           true);
    END IF;
    RETURN NULL;
END
$$
"""

# Fires at commit, per changed row; the first firing raises every noted version and clears the
# note, so the others return at once. ORDER BY: the rows are locked in name order.
_RAISE_FUNCTION = """
CREATE FUNCTION oov_raise_noted_data_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('oov.changed_versions', true), '');
BEGIN
    IF noted <> '' THEN
        PERFORM set_config('oov.changed_versions', '', true);
        INSERT INTO data_versions (name, version)
        SELECT name, 1 FROM unnest(string_to_array(noted, ',')) AS name ORDER BY name
        ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1;
    END IF;
    RETURN NULL;
END
$$
"""


def _on_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _on_postgres():
        return
    op.execute(_NOTE_FUNCTION)
    op.execute(_RAISE_FUNCTION)
    for table, name in TRACKED_TABLES.items():
        op.execute(f"DROP TRIGGER data_version_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER data_version_note_{table} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION oov_note_data_version('{name}')"
        )
        op.execute(
            f"CREATE CONSTRAINT TRIGGER data_version_raise_{table} AFTER INSERT OR UPDATE OR "
            f"DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION oov_raise_noted_data_versions()"
        )
        op.execute(
            f"CREATE TRIGGER data_version_truncate_{table} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION oov_bump_data_version('{name}')"
        )


def downgrade() -> None:
    if not _on_postgres():
        return
    for table, name in TRACKED_TABLES.items():
        for kind in ("note", "raise", "truncate"):
            op.execute(f"DROP TRIGGER data_version_{kind}_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER data_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION oov_bump_data_version('{name}')"
        )
    op.execute("DROP FUNCTION oov_raise_noted_data_versions()")
    op.execute("DROP FUNCTION oov_note_data_version()")
