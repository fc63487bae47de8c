"""The decision record: what the officer did with each recommended move, append-only.

Every override (changed, rejected) must carry its reason and a changed decision must name the
post chosen; the table checks both itself, beside the request model (serving/decisions.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.migrations.append_only import make_append_only

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(36), primary_key=True, comment="uuid4 given by the server"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("key_label", sa.String(200), nullable=False, comment="who decided"),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False, comment="shortlist or plan"),
        sa.Column("plan_id", sa.String(64), nullable=True),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("position_id", sa.String(200), nullable=False, comment="the recommended post"),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("chosen_position_id", sa.String(200), nullable=True, comment="when changed"),
        sa.Column("reason", sa.Text, nullable=True, comment="mandatory for every override"),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("snapshot_id", sa.String(128), nullable=False),
        sa.Column("fit", sa.Float, nullable=True),
        sa.Column("risk", sa.Float, nullable=True),
        sa.Column("reasons", sa.Text, nullable=False, comment="JSON list of reasons as shown"),
        sa.Column("fairness_flags", sa.Text, nullable=False, comment="JSON list as shown"),
        sa.CheckConstraint("decision IN ('adopted', 'changed', 'rejected')", name="decision_kind"),
        sa.CheckConstraint(
            "decision = 'adopted' OR (reason IS NOT NULL AND length(trim(reason)) > 0)",
            name="override_has_reason",
        ),
        sa.CheckConstraint(
            "decision <> 'changed' OR chosen_position_id IS NOT NULL", name="changed_names_post"
        ),
    )
    make_append_only("decisions")


def downgrade() -> None:
    raise NotImplementedError("The decision record is never dropped by a migration")
