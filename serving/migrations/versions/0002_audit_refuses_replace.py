"""The audit trail also refuses REPLACE (SQLite) and TRUNCATE (PostgreSQL).

`INSERT OR REPLACE INTO audit_log (id, ...)` deleted record `id` without firing the DELETE
trigger of revision 0001 (issue 13, finding 1).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from serving.migrations.append_only import refuse_replace

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    refuse_replace("audit_log")


def downgrade() -> None:
    raise NotImplementedError("The audit trail's guards are never removed by a migration")
