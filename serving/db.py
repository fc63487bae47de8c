"""The serving database: API keys, the audit trail and reload generations.

SQLite in the data home by default; PostgreSQL by URL (`MUTASI_DATABASE_URL=
postgresql+psycopg://user:password@host/db`). The tables below are what the code queries; the
schema itself is made by the Alembic migrations in serving/migrations, which `make_engine` runs
to head (one process at a time). The audit table is append-only on both backends: triggers
refuse UPDATE, DELETE, REPLACE and TRUNCATE (serving/migrations/append_only.py), so even a
direct SQL session cannot rewrite history.
"""

from __future__ import annotations

import csv
import fcntl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from alembic import command
from alembic.config import Config
from sqlalchemy import (
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
    inspect,
    select,
    text,
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
    Column("nip", String(18), nullable=True, comment="the employee of a pegawai key (0004)"),
    Column("unit_id", String(200), nullable=True, comment="the unit of a scoped hr key (0005)"),
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
    migrate(engine)
    return engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "serving:migrations")
    return config


# Revision that matches a database created before migrations (by `metadata.create_all`).
_BEFORE_MIGRATIONS = "0001"
# Any constant: the PostgreSQL advisory lock that serialises migrations across processes.
_MIGRATION_LOCK = 0x6D757461


@contextmanager
def _one_migrator(engine: Engine) -> Iterator[None]:
    """Workers starting together migrate one at a time (SQLite: a file lock)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there already)."""
    config = alembic_config()
    with _one_migrator(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        tables = inspect(connection)
        if tables.has_table("audit_log") and not tables.has_table("alembic_version"):
            command.stamp(config, _BEFORE_MIGRATIONS)
        command.upgrade(config, "head")


def rows_since(
    engine: Engine, table: Table, *, since: datetime | None, order: Any
) -> list[dict[str, Any]]:
    """The rows of an append-only record (audit, decisions) from `since` on, in `order`."""
    query = select(table).order_by(*order)
    if since is not None:
        if engine.dialect.name == "sqlite":  # SQLite keeps naive UTC timestamps
            since = since.astimezone(UTC).replace(tzinfo=None)
        query = query.where(table.c.at >= since)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def write_csv(out: TextIO, columns: Sequence[str], rows: list[dict[str, Any]]) -> int:
    """Rows as CSV with ISO-8601 UTC times in `at`; returns how many were written."""
    writer = csv.DictWriter(out, fieldnames=list(columns))
    writer.writeheader()
    for row in rows:
        at = row["at"]
        if isinstance(at, datetime):
            at = (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()
        writer.writerow({**row, "at": at})
    return len(rows)
