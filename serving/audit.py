"""The audit trail: one append-only record per request that touches personal data.

A route marks itself audited with the `AuditDep` dependency and fills in what it returned
(position ids, NIPs, model version); `AuditMiddleware` (serving/middleware.py) writes and commits
the record as the response starts, before a byte of it is sent, with the final status. Only
identifiers go in: never a name or another personal field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

from fastapi import Depends, Request
from sqlalchemy import Engine, insert

from serving.db import audit_log, rows_since, write_csv

AUDIT_CSV_COLUMNS: tuple[str, ...] = tuple(c.name for c in audit_log.columns)


@dataclass
class AuditRecord:
    """What one request did; filled in by the auth dependency and the route."""

    method: str
    route: str
    key_label: str | None = None
    role: str | None = None
    position_ids: list[str] = field(default_factory=list)
    nips: list[str] = field(default_factory=list)
    model_version: str | None = None
    snapshot_id: str | None = None

    def returned(
        self,
        *,
        nips: Iterable[str],
        position_ids: Iterable[str] = (),
        model_version: str | None = None,
        snapshot_id: str | None = None,
    ) -> None:
        """Record what the response is about to hand out."""
        self.nips = list(nips)
        self.position_ids = list(dict.fromkeys(position_ids))
        self.model_version = model_version
        self.snapshot_id = snapshot_id


class AuditTrail:
    """Writes and reads the audit table; writes commit before returning."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, record: AuditRecord, *, status: int) -> None:
        row = {
            "at": datetime.now(UTC),
            "key_label": record.key_label,
            "role": record.role,
            "method": record.method,
            "route": record.route,
            "position_ids": ";".join(record.position_ids) or None,
            "nips": ";".join(record.nips) or None,
            "model_version": record.model_version,
            "snapshot_id": record.snapshot_id,
            "status": status,
        }
        with self.engine.begin() as connection:  # commits on leaving the block
            connection.execute(insert(audit_log), [row])

    def rows(self, *, since: datetime | None = None) -> list[dict[str, Any]]:
        return rows_since(self.engine, audit_log, since=since, order=(audit_log.c.id,))

    def export_csv(self, out: TextIO, *, since: datetime | None = None) -> int:
        """Write the records since a time as CSV; return how many were written."""
        return write_csv(out, AUDIT_CSV_COLUMNS, self.rows(since=since))

    def export_file(self, path: Path, *, since: datetime | None = None) -> int:
        with path.open("w", encoding="utf-8", newline="") as handle:
            return self.export_csv(handle, since=since)


def audited(request: Request) -> AuditRecord:
    """Dependency: mark this request as audited and hand the route its record.

    Behind `serving.guard.RequestGuard` the record was opened before the body was read.
    """
    opened = current_audit(request)
    if opened is not None:
        return opened
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    record = AuditRecord(method=request.method, route=template)
    request.state.audit = record
    return record


AuditDep = Annotated[AuditRecord, Depends(audited)]


def current_audit(request: Request) -> AuditRecord | None:
    record = getattr(request.state, "audit", None)
    return record if isinstance(record, AuditRecord) else None
