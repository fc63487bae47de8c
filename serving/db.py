"""The serving database: API keys and the audit trail, in one SQLAlchemy metadata.

SQLite in the data home by default; any SQLAlchemy URL (e.g. PostgreSQL) in
`settings.database_url` works. The audit table is append-only: triggers refuse UPDATE and
DELETE on SQLite and PostgreSQL, so even a direct SQL session cannot rewrite history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    DDL,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(16), primary_key=True, comment="public lookup part of the key"),
    Column("label", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("salt", String(64), nullable=False),
    Column("key_hash", String(128), nullable=False, comment="sha256(salt + secret), hex"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("key_label", String(200), nullable=True),
    Column("role", String(16), nullable=True),
    Column("method", String(8), nullable=False),
    Column("route", String(200), nullable=False),
    Column("position_ids", Text, nullable=True, comment="';'-separated position ids asked about"),
    Column("nips", Text, nullable=True, comment="';'-separated NIPs returned"),
    Column("model_version", String(64), nullable=True),
    Column("snapshot_id", String(128), nullable=True),
    Column("status", Integer, nullable=False),
)

reloads = Table(
    "reloads",
    metadata,
    Column("generation", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("model_version", String(64), nullable=True),
    Column("snapshot_id", String(128), nullable=True),
)

_SQLITE_APPEND_ONLY = [
    DDL(
        f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    ).execute_if(dialect="sqlite")
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_APPEND_ONLY = [
    DDL(
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
    ).execute_if(dialect="postgresql"),
    DDL(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    ).execute_if(dialect="postgresql"),
]
for _ddl in (*_SQLITE_APPEND_ONLY, *_POSTGRES_APPEND_ONLY):
    event.listen(audit_log, "after_create", _ddl)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the audit writer
    cursor.execute("PRAGMA synchronous=FULL")  # a committed audit record survives a crash
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for the key/audit database, with its tables created if missing."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        connect_args["check_same_thread"] = False
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine
