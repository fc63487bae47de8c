from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from pipelines.settings import Settings
from serving.audit import AUDIT_CSV_COLUMNS, AuditDep, AuditRecord, AuditTrail
from serving.auth import Role
from serving.db import make_engine
from serving.errors import install_error_handlers
from serving.middleware import AuditMiddleware


@pytest.fixture
def bare_settings(tmp_path: Path, database_url: str) -> Settings:
    """The bare app (tests/serving/conftest.py) on each database backend."""
    return Settings(home=tmp_path / "home", as_of=date(2025, 6, 30), database_url=database_url)


@pytest.fixture
def trail(database_url: str) -> AuditTrail:
    return AuditTrail(make_engine(database_url))


def _record(**changes: object) -> AuditRecord:
    record = AuditRecord(method="GET", route="/v1/positions/{position_id}/shortlist")
    record.returned(nips=["198501152010012001", "197803202003121002"], position_ids=["P1"])
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def test_write_stores_nips_and_status(trail: AuditTrail) -> None:
    trail.write(_record(key_label="hr-1", role="hr"), status=200)
    (row,) = trail.rows()
    assert (row["nips"], row["position_ids"], row["status"]) == (
        "198501152010012001;197803202003121002",
        "P1",
        200,
    )


_ROW = "(1, '2026-01-01 00:00:00', 'GET', '/x', 200)"
_INSERT = f"INTO audit_log (id, at, method, route, status) VALUES {_ROW}"
# Every way of changing or removing record 1, per backend (REPLACE is SQLite's, TRUNCATE is
# PostgreSQL's; both understand the upsert).
_REWRITES = {
    "sqlite": [
        "UPDATE audit_log SET status = 500",
        "DELETE FROM audit_log",
        f"INSERT OR REPLACE {_INSERT}",
        f"REPLACE {_INSERT}",
        f"INSERT {_INSERT} ON CONFLICT (id) DO UPDATE SET status = 500",
    ],
    "postgresql": [
        "UPDATE audit_log SET status = 500",
        "DELETE FROM audit_log",
        f"INSERT {_INSERT} ON CONFLICT (id) DO UPDATE SET status = 500",
        "TRUNCATE audit_log",
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
def test_audit_table_refuses_every_rewrite(trail: AuditTrail, statement: str) -> None:
    trail.write(_record(), status=200)
    with pytest.raises(DatabaseError, match="append-only"), trail.engine.begin() as connection:
        connection.execute(text(statement))


def test_audit_table_still_takes_new_records(trail: AuditTrail) -> None:
    trail.write(_record(), status=200)
    trail.write(_record(), status=404)
    assert [row["status"] for row in trail.rows()] == [200, 404]


def test_export_csv_keeps_records_since_the_date(trail: AuditTrail) -> None:
    trail.write(_record(), status=200)
    out = io.StringIO()
    count = trail.export_csv(out, since=datetime.now(UTC) - timedelta(minutes=5))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (count, list(rows[0]), rows[0]["status"]) == (1, list(AUDIT_CSV_COLUMNS), "200")


def test_export_csv_skips_records_before_the_date(trail: AuditTrail) -> None:
    trail.write(_record(), status=200)
    assert trail.export_csv(io.StringIO(), since=datetime.now(UTC) + timedelta(minutes=5)) == 0


def test_refused_request_on_personal_data_is_audited(bare_client: TestClient) -> None:
    bare_client.get("/v1/employees/198501152010012001")
    (row,) = bare_client.app.state.audit.rows()  # type: ignore[attr-defined]
    assert (row["route"], row["key_label"], row["status"]) == ("/v1/employees/{nip}", None, 401)


def test_audit_names_the_caller_and_final_status(
    bare_client: TestClient, bare_keys: dict[Role, str]
) -> None:
    bare_client.get("/v1/employees/198501152010012001", headers={"X-API-Key": bare_keys[Role.HR]})
    (row,) = bare_client.app.state.audit.rows()  # type: ignore[attr-defined]
    assert (row["key_label"], row["role"], row["status"]) == ("test-hr", "hr", 503)


def test_health_routes_are_not_audited(bare_client: TestClient) -> None:
    bare_client.get("/healthz")
    bare_client.get("/readyz")
    assert bare_client.app.state.audit.rows() == []  # type: ignore[attr-defined]


def test_failed_audit_write_withholds_the_response(
    bare_client: TestClient, bare_keys: dict[Role, str]
) -> None:
    # The audit table disappears (e.g. a DBA mistake): no data may leave without its record.
    with bare_client.app.state.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("DROP TABLE audit_log"))
    response = bare_client.get(
        "/v1/employees/198501152010012001", headers={"X-API-Key": bare_keys[Role.HR]}
    )
    assert (response.status_code, response.json()["code"]) == (503, "audit_unavailable")


def test_a_crash_on_an_audited_route_is_recorded_as_500(trail: AuditTrail) -> None:
    app = FastAPI()

    @app.get("/boom")
    def boom(audit: AuditDep) -> None:
        audit.returned(nips=["198501152010012001"])
        raise RuntimeError("bug")

    install_error_handlers(app)
    app.add_middleware(AuditMiddleware, trail=trail)
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    (row,) = trail.rows()
    assert (response.status_code, row["route"], row["status"]) == (500, "/boom", 500)
