"""Append-only tables for migrations: triggers that refuse every way of changing a row.

SQLite: BEFORE UPDATE and BEFORE DELETE triggers, and a BEFORE INSERT trigger that refuses a
row whose id already exists: `INSERT OR REPLACE` (and `REPLACE INTO`) would otherwise delete
the old row without firing the DELETE trigger. An upsert (`ON CONFLICT DO UPDATE`) fires the
UPDATE trigger. PostgreSQL: a row trigger refusing UPDATE and DELETE (upserts included) and a
statement trigger refusing TRUNCATE. Neither stops a database owner from dropping the table;
that is a matter of database roles (see the README's security section).

A new append-only table (e.g. a decision record) calls `make_append_only("decisions")` in its
revision's `upgrade()`, after creating the table with an integer primary key `id`.
"""

from __future__ import annotations

from alembic import op

MESSAGE = "is append-only"


def _dialect() -> str:
    return str(op.get_bind().dialect.name)


def _postgres_function() -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION mutasi_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '% {MESSAGE}', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
    )


def refuse_update_and_delete(table: str) -> None:
    if _dialect() == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
            )
    elif _dialect() == "postgresql":
        _postgres_function()
        op.execute(
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mutasi_append_only()"
        )
    else:
        raise NotImplementedError(f"append-only {table}: no triggers for {_dialect()}")


def refuse_update(table: str) -> None:
    """Rows are kept as written, but may be deleted (a history with a retention purge)."""
    if _dialect() == "sqlite":
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
        )
    elif _dialect() == "postgresql":
        _postgres_function()
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mutasi_append_only()"
        )
    else:
        raise NotImplementedError(f"append-only {table}: no triggers for {_dialect()}")


def refuse_replace(table: str, *, key: str = "id", unique: tuple[str, ...] = ()) -> None:
    """Refuse rewriting a row by re-inserting its key (SQLite) or emptying the table (TRUNCATE).

    On SQLite, INSERT OR REPLACE also deletes a row that shares a UNIQUE constraint's columns
    with the new one, without firing delete triggers: `unique` names such columns, and an insert
    that repeats them is refused too (an IntegrityError, as the constraint itself would raise).
    """
    if _dialect() == "sqlite":
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
        )
        if unique:
            same = " AND ".join(f"{c} = NEW.{c}" for c in unique)
            op.execute(
                f"CREATE TRIGGER {table}_no_replace_unique BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {same}) "
                f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
            )
    elif _dialect() == "postgresql":
        _postgres_function()
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION mutasi_append_only()"
        )
    else:
        raise NotImplementedError(f"append-only {table}: no triggers for {_dialect()}")


def make_append_only(table: str, *, key: str = "id") -> None:
    """Every guard at once: what a new append-only table's revision calls."""
    refuse_update_and_delete(table)
    refuse_replace(table, key=key)


def keep_while_parent(
    table: str, *, parent: str, column: str, unique: tuple[str, ...] = ()
) -> None:
    """Rows are kept as written (no UPDATE, no REPLACE, no TRUNCATE) and refuse DELETE while
    the parent row they belong to (`parent.id = column`) exists: a history that goes only with
    its parent, e.g. when a retention purge deletes a consultation round."""
    if _dialect() == "sqlite":
        refuse_update(table)
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {parent} WHERE id = OLD.{column}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
        )
    elif _dialect() == "postgresql":
        refuse_update(table)
        op.execute(
            f"CREATE OR REPLACE FUNCTION {table}_keep_while_parent() RETURNS trigger AS $$ "
            f"BEGIN IF EXISTS (SELECT 1 FROM {parent} WHERE id = OLD.{column}) THEN "
            f"RAISE EXCEPTION '% {MESSAGE}', TG_TABLE_NAME; END IF; RETURN OLD; END; $$ "
            "LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_keep_while_parent()"
        )
    else:
        raise NotImplementedError(f"append-only {table}: no triggers for {_dialect()}")
    refuse_replace(table, unique=unique)
