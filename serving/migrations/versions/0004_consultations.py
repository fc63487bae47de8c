"""Employee consultation: rounds, the current answer of each respondent and every version sent.

Also gives `api_keys` a `nip` column: a key of role `pegawai` is bound to one employee. The
constraint note is stored only encrypted (Fernet, serving/consultation/crypto.py). The answer
history refuses UPDATE (each version is kept as sent) but not DELETE: `mutasi consultation
purge` deletes a round with its answers and history after the retention, the one deliberate
deletion of personal data in Mutasi.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.migrations.append_only import refuse_update

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _answer_columns() -> list[sa.Column]:
    return [
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("positions", sa.Text, nullable=False, comment="JSON list, best first, <= 5"),
        sa.Column("wishes", sa.Text, nullable=False, comment="JSON [{kind, value, priority}]"),
        sa.Column("note_encrypted", sa.Text, nullable=True, comment="Fernet token, never plain"),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    ]


def upgrade() -> None:
    # serving.db.metadata now lists the column, so a database made by its `create_all` (before
    # migrations, stamped 0001) may have it already.
    if "nip" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("api_keys")}:
        op.add_column("api_keys", sa.Column("nip", sa.String(18), nullable=True))
    op.create_table(
        "consultation_rounds",
        sa.Column("id", sa.String(36), primary_key=True, comment="uuid4 given by the server"),
        sa.Column("opened_by", sa.String(200), nullable=False, comment="key label"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("positions", sa.Text, nullable=False, comment="JSON list of position ids"),
        sa.Column("invitation", sa.Text, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("window_until > window_from", name="window_ordered"),
    )
    op.create_table(
        "consultation_answers",
        sa.Column(
            "round_id",
            sa.String(36),
            sa.ForeignKey("consultation_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        *_answer_columns(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "nip"),
    )
    op.create_table(
        "consultation_answer_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "round_id",
            sa.String(36),
            sa.ForeignKey("consultation_rounds.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        *_answer_columns(),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )
    refuse_update("consultation_answer_versions")


def downgrade() -> None:
    raise NotImplementedError("Consultation answers are deleted only by their retention purge")
