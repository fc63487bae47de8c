"""Alembic environment: migrations run on a connection handed over by `serving.db.migrate`.

Run from code (`make_engine` migrates to head on start) or by hand, e.g.
`alembic -c serving/migrations/alembic.ini upgrade head`, which migrates the database of
`MUTASI_DATABASE_URL` (default: SQLite under the data home).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from pipelines.settings import get_settings


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(get_settings().db_url).begin() as own_connection:
        _run(own_connection)
