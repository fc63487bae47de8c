"""What the code queries; the schema (with the history's UPDATE-refusing trigger) is made by
the Alembic revisions 0004 (serving/migrations/versions/0004_consultations.py) and 0005
(unit rankings)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()


def _answer_columns() -> list[Column]:
    return [
        Column("round_id", String(36), nullable=False),
        Column("nip", String(18), nullable=False),
        Column("positions", Text, nullable=False),
        Column("wishes", Text, nullable=False),
        Column("note_encrypted", Text, nullable=True),
        Column("consent_at", DateTime(timezone=True), nullable=False),
        Column("version", Integer, nullable=False),
    ]


rounds = Table(
    "consultation_rounds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("opened_by", String(200), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("window_from", DateTime(timezone=True), nullable=False),
    Column("window_until", DateTime(timezone=True), nullable=False),
    Column("positions", Text, nullable=False),
    Column("invitation", Text, nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
)

answers = Table(
    "consultation_answers",
    metadata,
    *_answer_columns(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

answer_versions = Table(
    "consultation_answer_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_answer_columns(),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)

unit_rankings = Table(
    "unit_rankings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", String(36), nullable=False),
    Column("unit_id", String(200), nullable=False),
    Column("position_id", String(200), nullable=False),
    Column("nips", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("ranked_by", String(200), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)
