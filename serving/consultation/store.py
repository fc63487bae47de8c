"""Consultation rounds and answers in the serving database.

HR opens a round (a window, the positions on offer, an invitation) and closes it; while it is
open (inside its window and not closed) each employee keeps one current answer, changed as
often as they like; every version sent is also kept in the history. The constraint note goes
in encrypted (crypto.py) and comes out only through `answer_of(..., with_note=True)`, which
the routes call under an audit record. `purge` deletes rounds closed longer ago than the
retention: the one deliberate deletion of personal data in Mutasi.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from models.contract.enums import PreferenceKind
from models.planning.preferences import MAX_CHOICES
from serving.consultation.crypto import NoteCipher
from serving.consultation.tables import answer_versions, answers, rounds, unit_rankings
from serving.errors import ConflictError, InvalidInputError, NotFoundError

MAX_WISHES = 9


class RoundClosedError(ConflictError):
    """An answer sent outside the round's window or after its close."""


@dataclass(frozen=True)
class Round:
    id: str
    opened_by: str
    opened_at: datetime
    window_from: datetime
    window_until: datetime
    positions: list[str]
    invitation: str
    closed_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and self.window_from <= now < self.window_until


@dataclass(frozen=True)
class Wish:
    kind: str
    value: str
    priority: int


@dataclass(frozen=True)
class Answer:
    round_id: str
    nip: str
    positions: list[str]
    wishes: list[Wish]
    consent_at: datetime
    updated_at: datetime
    version: int
    has_note: bool
    note: str | None = field(default=None)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive (they were written in UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _round(row: Any) -> Round:
    return Round(
        id=row.id,
        opened_by=row.opened_by,
        opened_at=_aware(row.opened_at),  # type: ignore[arg-type]
        window_from=_aware(row.window_from),  # type: ignore[arg-type]
        window_until=_aware(row.window_until),  # type: ignore[arg-type]
        positions=json.loads(row.positions),
        invitation=row.invitation,
        closed_at=_aware(row.closed_at),
    )


def open_round(
    engine: Engine,
    *,
    opened_by: str,
    window_from: datetime,
    window_until: datetime,
    positions: list[str],
    invitation: str,
) -> Round:
    if _aware(window_until) <= _aware(window_from):  # type: ignore[operator]
        raise InvalidInputError(
            "Akhir jendela harus setelah awalnya / The window must end after it starts"
        )
    if not positions:
        raise InvalidInputError("Tidak ada jabatan yang ditawarkan / No positions on offer")
    round_id = str(uuid.uuid4())
    row = {
        "id": round_id,
        "opened_by": opened_by,
        "opened_at": datetime.now(UTC),
        "window_from": window_from,
        "window_until": window_until,
        "positions": json.dumps(list(dict.fromkeys(positions))),
        "invitation": invitation.strip(),
        "closed_at": None,
    }
    with engine.begin() as connection:
        connection.execute(insert(rounds), [row])
    return get_round(engine, round_id)


def get_round(engine: Engine, round_id: str) -> Round:
    with engine.connect() as connection:
        row = connection.execute(select(rounds).where(rounds.c.id == round_id)).first()
    if row is None:
        raise NotFoundError(
            f"Putaran konsultasi tidak ditemukan: {round_id} / No consultation round: {round_id}"
        )
    return _round(row)


def list_rounds(engine: Engine) -> list[Round]:
    with engine.connect() as connection:
        rows = connection.execute(select(rounds).order_by(rounds.c.opened_at.desc())).all()
    return [_round(row) for row in rows]


def open_rounds(engine: Engine, now: datetime) -> list[Round]:
    return [r for r in list_rounds(engine) if r.is_open(now)]


def close_round(engine: Engine, round_id: str, *, now: datetime) -> Round:
    get_round(engine, round_id)
    statement = (
        update(rounds).where(rounds.c.id == round_id, rounds.c.closed_at.is_(None))
    ).values(closed_at=now)
    with engine.begin() as connection:
        connection.execute(statement)
    return get_round(engine, round_id)


def check_answer(consultation: Round, positions: list[str], wishes: list[Wish]) -> None:
    """InvalidInputError naming what is wrong with a ranking or a wish."""
    problems = []
    if len(positions) > MAX_CHOICES:
        problems.append(f"paling banyak {MAX_CHOICES} jabatan / at most {MAX_CHOICES} positions")
    if len(set(positions)) != len(positions):
        problems.append("jabatan dipilih dua kali / a position chosen twice")
    offered = set(consultation.positions)
    problems += [
        f"jabatan tidak ditawarkan: {p} / position not on offer: {p}"
        for p in positions
        if p not in offered
    ]
    if len(wishes) > MAX_WISHES:
        problems.append(f"paling banyak {MAX_WISHES} keinginan / at most {MAX_WISHES} wishes")
    kinds = {k.value for k in PreferenceKind}
    problems += [
        f"jenis keinginan tidak dikenal: {w.kind} / unknown wish kind: {w.kind}"
        for w in wishes
        if w.kind not in kinds
    ]
    if problems:
        raise InvalidInputError("; ".join(problems))


def save_answer(
    engine: Engine,
    cipher: NoteCipher,
    *,
    consultation: Round,
    nip: str,
    positions: list[str],
    wishes: list[Wish],
    note: str | None,
    now: datetime,
) -> Answer:
    """Store the employee's answer (a new version) while the round is open."""
    if not consultation.is_open(now):
        raise RoundClosedError(
            "Putaran konsultasi sudah ditutup atau belum dibuka / "
            "The consultation round is closed or not open yet"
        )
    check_answer(consultation, positions, wishes)
    current = answer_of(engine, cipher, consultation.id, nip)
    row = {
        "round_id": consultation.id,
        "nip": nip,
        "positions": json.dumps(positions),
        "wishes": json.dumps([w.__dict__ for w in wishes]),
        "note_encrypted": cipher.encrypt(note),
        "consent_at": now if current is None else current.consent_at,
        "version": 1 if current is None else current.version + 1,
    }
    key = (answers.c.round_id == consultation.id) & (answers.c.nip == nip)
    with engine.begin() as connection:
        if current is None:
            connection.execute(insert(answers), [{**row, "updated_at": now}])
        else:
            connection.execute(update(answers).where(key).values(**row, updated_at=now))
        connection.execute(insert(answer_versions), [{**row, "saved_at": now}])
    saved = answer_of(engine, cipher, consultation.id, nip)
    assert saved is not None
    return saved


def _answer(row: Any, cipher: NoteCipher | None) -> Answer:
    """The answer of a row; its note decrypted only when a cipher is given."""
    return Answer(
        round_id=row.round_id,
        nip=row.nip,
        positions=json.loads(row.positions),
        wishes=[Wish(**w) for w in json.loads(row.wishes)],
        consent_at=_aware(row.consent_at),  # type: ignore[arg-type]
        updated_at=_aware(row.updated_at),  # type: ignore[arg-type]
        version=row.version,
        has_note=row.note_encrypted is not None,
        note=None if cipher is None else cipher.decrypt(row.note_encrypted),
    )


def answer_of(
    engine: Engine, cipher: NoteCipher, round_id: str, nip: str, *, with_note: bool = False
) -> Answer | None:
    """One employee's current answer; the note only when asked (the caller audits the read)."""
    query = select(answers).where(answers.c.round_id == round_id, answers.c.nip == nip)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _answer(row, cipher if with_note else None)


def round_answers(engine: Engine, round_id: str) -> list[Answer]:
    """Every current answer of a round, without notes."""
    query = select(answers).where(answers.c.round_id == round_id).order_by(answers.c.nip)
    with engine.connect() as connection:
        return [_answer(row, None) for row in connection.execute(query)]


def newest_answers(engine: Engine) -> list[Answer]:
    """Each employee's newest answer over every round kept (open or closed), without notes."""
    query = select(answers).order_by(
        answers.c.nip, answers.c.updated_at.desc(), answers.c.round_id.desc()
    )
    newest: list[Answer] = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            if not newest or newest[-1].nip != row.nip:
                newest.append(_answer(row, None))
    return newest


def answers_version(engine: Engine) -> tuple[int, int, str]:
    """(last answer version saved, answers kept, when the last was saved): changes whenever an
    answer is saved or a round is purged (the time too, so an id that SQLite reuses after a
    purge never passes for the earlier version), so what is built from the answers can be
    kept until it does."""
    last = select(func.coalesce(func.max(answer_versions.c.id), 0)).scalar_subquery()
    kept = select(func.count()).select_from(answers).scalar_subquery()
    saved = select(func.max(answer_versions.c.saved_at)).scalar_subquery()
    with engine.connect() as connection:
        row = connection.execute(select(last, kept, saved)).one()
    return int(row[0]), int(row[1]), str(row[2])


def answer_counts(engine: Engine) -> dict[str, int]:
    """Respondents per round id (rounds nobody answered are absent), in one query."""
    query = select(answers.c.round_id, func.count()).group_by(answers.c.round_id)
    with engine.connect() as connection:
        return {str(round_id): int(n) for round_id, n in connection.execute(query)}


def answer_history(engine: Engine, round_id: str, nip: str) -> list[int]:
    """The versions sent, oldest first."""
    query = (
        select(answer_versions.c.version)
        .where(answer_versions.c.round_id == round_id, answer_versions.c.nip == nip)
        .order_by(answer_versions.c.id)
    )
    with engine.connect() as connection:
        return [int(v) for v in connection.execute(query).scalars()]


def purge(engine: Engine, *, retention_days: int, now: datetime) -> list[str]:
    """Delete every round closed (or past its window) more than `retention_days` ago, with
    its answers, their history and the units' rankings; return the ids deleted."""
    cutoff = now - timedelta(days=retention_days)
    expired = [
        r.id
        for r in list_rounds(engine)
        if min(r.closed_at or r.window_until, r.window_until) < cutoff
    ]
    if expired:
        with engine.begin() as connection:
            connection.execute(
                delete(answer_versions).where(answer_versions.c.round_id.in_(expired))
            )
            connection.execute(delete(answers).where(answers.c.round_id.in_(expired)))
            connection.execute(delete(rounds).where(rounds.c.id.in_(expired)))
            # rankings refuse DELETE while their round exists (PostgreSQL cascades them)
            connection.execute(delete(unit_rankings).where(unit_rankings.c.round_id.in_(expired)))
    return expired
