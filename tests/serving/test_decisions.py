"""The decision record: append-only (no UPDATE, DELETE or REPLACE), and every override says why."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from serving.db import make_engine
from serving.decisions import DECISION_CSV_COLUMNS, DecisionLog, DecisionRecord


@pytest.fixture
def log(database_url: str) -> DecisionLog:
    """On SQLite, and on a real PostgreSQL server in the integration run (tests/databases.py)."""
    return DecisionLog(make_engine(database_url))


def _record(**changes: object) -> DecisionRecord:
    fields: dict[str, object] = dict(
        key_label="hr-desk",
        role="hr",
        source="shortlist",
        nip="198501152010012001",
        position_id="P1",
        decision="adopted",
        model_version="3",
        snapshot_id="snap-1",
        fit=4.12,
        risk=0.18,
        reasons=["12 tahun pengalaman: menaikkan perkiraan kinerja 0,3 poin / ..."],
        fairness_flags=[],
    )
    return DecisionRecord(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_decision_is_stored_with_the_recommendation_as_shown(log: DecisionLog) -> None:
    log.append(_record())
    (row,) = log.rows()
    assert (row["decision"], row["fit"], row["model_version"], row["key_label"]) == (
        "adopted",
        4.12,
        "3",
        "hr-desk",
    )
    assert "menaikkan perkiraan kinerja" in row["reasons"]


_INSERT = (
    "INTO decisions (id, at, key_label, role, source, nip, position_id, decision, "
    "model_version, snapshot_id, reasons, fairness_flags) VALUES (:id, :at, 'x', 'hr', "
    "'shortlist', '198501152010012001', 'P1', 'adopted', '3', 's', '[]', '[]')"
)
_REWRITES = {
    "sqlite": [
        "UPDATE decisions SET decision = 'rejected'",
        "DELETE FROM decisions",
        f"INSERT OR REPLACE {_INSERT}",
        f"INSERT {_INSERT} ON CONFLICT (id) DO UPDATE SET decision = 'rejected'",
    ],
    "postgresql": [
        "UPDATE decisions SET decision = 'rejected'",
        "DELETE FROM decisions",
        f"INSERT {_INSERT} ON CONFLICT (id) DO UPDATE SET decision = 'rejected'",
        "TRUNCATE decisions",
    ],
}


@pytest.mark.parametrize(
    ("database_url", "statement"),
    [
        pytest.param(backend, statement, marks=marks, id=f"{backend}-{statement.split()[0]}-{i}")
        for backend, marks in (("sqlite", ()), ("postgresql", pytest.mark.integration))
        for i, statement in enumerate(_REWRITES[backend])
    ],
    indirect=["database_url"],
)
def test_decisions_refuse_every_rewrite(log: DecisionLog, statement: str) -> None:
    first = log.append(_record())
    with pytest.raises(DatabaseError, match="append-only"), log.engine.begin() as connection:
        connection.execute(text(statement), {"id": first["id"], "at": datetime.now(UTC)})
    (row,) = log.rows()
    assert (row["key_label"], row["decision"]) == ("hr-desk", "adopted")


@pytest.mark.parametrize("decision", ["changed", "rejected"])
def test_the_table_refuses_an_override_without_a_reason(log: DecisionLog, decision: str) -> None:
    with pytest.raises(IntegrityError):
        log.append(_record(decision=decision, chosen_position_id="P2", reason="   "))
    assert log.rows() == []


def test_export_keeps_the_decisions_since_the_date(log: DecisionLog) -> None:
    log.append(_record(decision="rejected", reason="Pegawai sedang merawat orang tua sakit"))
    out = io.StringIO()
    count = log.export_csv(out, since=datetime.now(UTC) - timedelta(minutes=5))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (count, list(rows[0]), rows[0]["decision"]) == (
        1,
        list(DECISION_CSV_COLUMNS),
        "rejected",
    )
    assert log.export_csv(io.StringIO(), since=datetime.now(UTC) + timedelta(minutes=5)) == 0
