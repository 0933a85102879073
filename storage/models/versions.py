"""One version number per kind of data that processes cache (the team, meetings, the piket rota,
access settings, action items).

Database triggers raise it in the same transaction as any insert, update or delete of the tables
behind it (see migrations 0004_versions to 0006_programme_versions), whoever writes: this
process, another web process, the clock, `oov-bot import` or an operator's SQL. On PostgreSQL
they raise it when the transaction commits (0008_versions_at_commit), so that writers do not
deadlock over it. A cache that read version N before reading its data is current exactly as long
as the version still reads N.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from storage.models.base import metadata

data_versions = Table(
    "data_versions",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", BigInteger, default=0, nullable=False),
)
