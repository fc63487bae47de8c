"""Two-sided consultation: hr keys scoped to one unit, and the units' rankings of candidates.

`api_keys.unit_id`: an hr key (and a console session signed in with it) may carry one unit;
such a caller ranks and sees only the candidates for its own unit's posts. `unit_rankings`
keeps every version a unit sent for one position of a round (the NIPs it ranked, best first,
chosen among the people who ranked that position); the current ranking is the newest version.
Rows refuse UPDATE, REPLACE and TRUNCATE, and DELETE while their round exists: they go only
with their round, when `mutasi consultation purge` deletes it after the retention.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.migrations.append_only import keep_while_parent

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # serving.db.metadata lists the column, so a database made by its `create_all` (before
    # migrations, stamped 0001) may have it already.
    if "unit_id" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("api_keys")}:
        op.add_column("api_keys", sa.Column("unit_id", sa.String(200), nullable=True))
    op.create_table(
        "unit_rankings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "round_id",
            sa.String(36),
            sa.ForeignKey("consultation_rounds.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("unit_id", sa.String(200), nullable=False),
        sa.Column("position_id", sa.String(200), nullable=False),
        sa.Column("nips", sa.Text, nullable=False, comment="JSON list of NIPs, best first"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("ranked_by", sa.String(200), nullable=False, comment="key label"),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("round_id", "position_id", "version", name="one_version_each"),
    )
    keep_while_parent(
        "unit_rankings",
        parent="consultation_rounds",
        column="round_id",
        unique=("round_id", "position_id", "version"),
    )


def downgrade() -> None:
    raise NotImplementedError("Unit rankings are deleted only with their round, by its purge")
