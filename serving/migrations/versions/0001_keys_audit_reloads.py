"""Keys, the audit trail (refusing UPDATE and DELETE) and the reload generations.

The schema the service had before migrations (created by `metadata.create_all`); a database
created that way is stamped at this revision instead of running it (serving/db.py).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.migrations.append_only import refuse_update_and_delete

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(16), primary_key=True, comment="public lookup part"),
        sa.Column("label", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("key_hash", sa.String(128), nullable=False, comment="sha256(salt + secret)"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("key_label", sa.String(200), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("position_ids", sa.Text, nullable=True, comment="';'-separated position ids"),
        sa.Column("nips", sa.Text, nullable=True, comment="';'-separated NIPs returned"),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("snapshot_id", sa.String(128), nullable=True),
        sa.Column("status", sa.Integer, nullable=False),
    )
    refuse_update_and_delete("audit_log")
    op.create_table(
        "reloads",
        sa.Column("generation", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("snapshot_id", sa.String(128), nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("The audit trail is never dropped by a migration")
