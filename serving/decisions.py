"""The decision record: what the officer did with each recommended move, append-only.

The AI is advice; the officer decides. Each record keeps who decided, when, the recommendation
as it was shown (model version, snapshot, fit, risk, reasons, fairness flags) and the decision:
adopted, changed (another post than recommended) or rejected. Every override (changed,
rejected) carries its reason, checked by the request model and again by the table itself.
Post-move evaluation compares outcomes with these records.

Append-only on every backend, like the audit trail (serving/migrations/append_only.py):
triggers refuse UPDATE, DELETE, an INSERT OR REPLACE of an id that exists (SQLite) and
TRUNCATE (PostgreSQL). Only identifiers and the recommendation go in: never a name.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)

from serving.db import rows_since, write_csv

Decision = Literal["adopted", "changed", "rejected"]
OVERRIDES: frozenset[str] = frozenset({"changed", "rejected"})

# What the code queries; the schema itself (with its append-only triggers) is made by the
# Alembic revision 0003 (serving/migrations/versions/0003_decisions.py). Its own MetaData:
# serving.db.metadata is the schema as it was before migrations (revision 0001).
metadata = MetaData()

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(36), primary_key=True, comment="uuid4 given by the server"),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("key_label", String(200), nullable=False, comment="who decided (API key label)"),
    Column("role", String(16), nullable=False),
    Column("source", String(16), nullable=False, comment="shortlist or plan"),
    Column("plan_id", String(64), nullable=True),
    Column("nip", String(18), nullable=False),
    Column("position_id", String(200), nullable=False, comment="the recommended post"),
    Column("decision", String(16), nullable=False),
    Column("chosen_position_id", String(200), nullable=True, comment="when changed"),
    Column("reason", Text, nullable=True, comment="mandatory for every override"),
    Column("model_version", String(64), nullable=False),
    Column("snapshot_id", String(128), nullable=False),
    Column("fit", Float, nullable=True),
    Column("risk", Float, nullable=True),
    Column("reasons", Text, nullable=False, comment="JSON list of the reasons as shown"),
    Column("fairness_flags", Text, nullable=False, comment="JSON list of flags as shown"),
    CheckConstraint("decision IN ('adopted', 'changed', 'rejected')", name="decision_kind"),
    CheckConstraint(
        "decision = 'adopted' OR (reason IS NOT NULL AND length(trim(reason)) > 0)",
        name="override_has_reason",
    ),
    CheckConstraint(
        "decision <> 'changed' OR chosen_position_id IS NOT NULL", name="changed_names_post"
    ),
)


DECISION_CSV_COLUMNS: tuple[str, ...] = tuple(c.name for c in decisions.columns)


@dataclass(frozen=True)
class DecisionRecord:
    """One decision about one recommended move, as the route received and checked it."""

    key_label: str
    role: str
    source: str
    nip: str
    position_id: str
    decision: Decision
    model_version: str
    snapshot_id: str
    reasons: list[str]
    fairness_flags: list[str]
    fit: float | None = None
    risk: float | None = None
    chosen_position_id: str | None = None
    reason: str | None = None
    plan_id: str | None = None


class DecisionLog:
    """Appends decisions (committed before returning) and reads them back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine  # migrated to head by serving.db.make_engine

    def append(self, record: DecisionRecord) -> dict[str, Any]:
        row: dict[str, Any] = {
            **record.__dict__,
            "id": str(uuid.uuid4()),
            "at": datetime.now(UTC),
            "reasons": json.dumps(record.reasons, ensure_ascii=False),
            "fairness_flags": json.dumps(record.fairness_flags, ensure_ascii=False),
        }
        with self.engine.begin() as connection:
            connection.execute(insert(decisions), [row])
        return row

    def rows(self, *, since: datetime | None = None) -> list[dict[str, Any]]:
        return rows_since(
            self.engine, decisions, since=since, order=(decisions.c.at, decisions.c.id)
        )

    def latest(
        self, *, source: str, plan_id: str | None = None, position_id: str | None = None
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """The last decision per (nip, recommended position) of one plan or one position's
        shortlist; a later record supersedes an earlier one (nothing is ever changed)."""
        query = select(decisions).where(decisions.c.source == source)
        if plan_id is not None:
            query = query.where(decisions.c.plan_id == plan_id)
        if position_id is not None:
            query = query.where(decisions.c.position_id == position_id)
        query = query.order_by(decisions.c.at, decisions.c.id)
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        return {(row["nip"], row["position_id"]): row for row in rows}

    def export_csv(self, out: TextIO, *, since: datetime | None = None) -> int:
        """Write the decisions since a time as CSV; return how many were written."""
        return write_csv(out, DECISION_CSV_COLUMNS, self.rows(since=since))
