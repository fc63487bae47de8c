"""The serving database's schema comes from Alembic migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DatabaseError

from serving.db import alembic_config, make_engine, metadata


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_new_database_is_migrated_to_the_newest_revision(database_url: str) -> None:
    assert _revision(make_engine(database_url)) == _head()


def test_starting_again_on_a_migrated_database_changes_nothing(database_url: str) -> None:
    make_engine(database_url).dispose()
    assert _revision(make_engine(database_url)) == _head()


def test_a_database_made_before_migrations_gets_the_replace_guard(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    metadata.create_all(create_engine(url))  # the tables as `create_all` made them before
    engine = make_engine(url)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        for _ in range(2):
            connection.execute(
                text(
                    "INSERT OR REPLACE INTO audit_log (id, at, method, route, status) "
                    "VALUES (1, '2026-01-01', 'GET', '/x', 200)"
                )
            )
