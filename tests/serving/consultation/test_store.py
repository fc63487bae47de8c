"""Consultation storage on SQLite and a real PostgreSQL: answers change until close, each
version is kept, the note is encrypted at rest, and the retention purge deletes whole rounds."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from serving.consultation import store
from serving.consultation.crypto import KEY_FILE, NoteCipher
from serving.consultation.store import RoundClosedError, Wish
from serving.db import make_engine
from serving.errors import InvalidInputError

NIP = "198501152010012001"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOTE = "Anak saya bersekolah di Malang sampai 2028"


@pytest.fixture
def engine(database_url: str) -> Engine:
    return make_engine(database_url)


@pytest.fixture
def cipher(tmp_path: Path) -> NoteCipher:
    return NoteCipher.from_home(tmp_path)


def _round(engine: Engine, **changes: object) -> store.Round:
    fields: dict[str, object] = dict(
        opened_by="hr-desk",
        window_from=NOW - timedelta(days=1),
        window_until=NOW + timedelta(days=13),
        positions=["P1", "P2", "P3"],
        invitation="Silakan sampaikan keinginan Anda",
    )
    return store.open_round(engine, **{**fields, **changes})  # type: ignore[arg-type]


def _answer(engine: Engine, cipher: NoteCipher, consultation: store.Round, **changes: object):
    fields: dict[str, object] = dict(
        consultation=consultation,
        nip=NIP,
        positions=["P2", "P1"],
        wishes=[Wish("region", "3573", 1)],
        note=NOTE,
        now=NOW,
    )
    return store.save_answer(engine, cipher, **{**fields, **changes})  # type: ignore[arg-type]


def test_an_answer_can_be_changed_while_the_round_is_open_and_every_version_is_kept(
    engine: Engine, cipher: NoteCipher
) -> None:
    consultation = _round(engine)
    _answer(engine, cipher, consultation)
    later = NOW + timedelta(hours=2)
    changed = _answer(engine, cipher, consultation, positions=["P3", "P2", "P1"], now=later)
    assert (changed.positions, changed.version, changed.consent_at) == (["P3", "P2", "P1"], 2, NOW)
    assert store.answer_history(engine, consultation.id, NIP) == [1, 2]


def test_no_answer_is_taken_after_the_round_closes(engine: Engine, cipher: NoteCipher) -> None:
    consultation = store.close_round(engine, _round(engine).id, now=NOW)
    with pytest.raises(RoundClosedError):
        _answer(engine, cipher, consultation, now=NOW + timedelta(minutes=1))


def test_a_position_not_on_offer_or_a_sixth_choice_is_refused(
    engine: Engine, cipher: NoteCipher
) -> None:
    consultation = _round(engine, positions=[f"P{i}" for i in range(7)])
    with pytest.raises(InvalidInputError, match="not on offer: Q9"):
        _answer(engine, cipher, consultation, positions=["Q9"])
    with pytest.raises(InvalidInputError, match="at most 5 positions"):
        _answer(engine, cipher, consultation, positions=[f"P{i}" for i in range(6)])


def test_the_note_is_stored_encrypted_and_read_back_only_when_asked(
    engine: Engine, cipher: NoteCipher, tmp_path: Path
) -> None:
    consultation = _round(engine)
    _answer(engine, cipher, consultation)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT note_encrypted FROM consultation_answers")
        ).scalar()
    assert "Malang" not in stored
    assert store.answer_of(engine, cipher, consultation.id, NIP).note is None
    assert store.answer_of(engine, cipher, consultation.id, NIP, with_note=True).note == NOTE
    assert stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode) == 0o600


def test_the_answer_history_refuses_updates(engine: Engine, cipher: NoteCipher) -> None:
    _answer(engine, cipher, _round(engine))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE consultation_answer_versions SET positions = '[]'"))


def test_purge_deletes_only_rounds_past_their_retention(engine: Engine, cipher: NoteCipher) -> None:
    old = store.close_round(engine, _round(engine).id, now=NOW)
    kept = _round(engine, window_until=NOW + timedelta(days=400))
    _answer(engine, cipher, kept)
    deleted = store.purge(engine, retention_days=30, now=NOW + timedelta(days=31))
    assert deleted == [old.id]
    assert [r.id for r in store.list_rounds(engine)] == [kept.id]
    assert store.answer_history(engine, kept.id, NIP) == [1]


def test_the_newest_answer_of_each_person_counts_over_every_round_open_or_closed(
    engine: Engine, cipher: NoteCipher
) -> None:
    older, newer = _round(engine), _round(engine)
    _answer(engine, cipher, older, positions=["P1"], now=NOW)
    _answer(engine, cipher, newer, positions=["P3"], now=NOW + timedelta(hours=1))
    other = "199001012015011001"
    _answer(engine, cipher, older, nip=other, positions=["P2"], now=NOW + timedelta(hours=2))
    store.close_round(engine, older.id, now=NOW + timedelta(hours=3))
    newest = {a.nip: (a.round_id, a.positions) for a in store.newest_answers(engine)}
    assert newest == {NIP: (newer.id, ["P3"]), other: (older.id, ["P2"])}


def test_the_answers_version_moves_on_every_save_and_on_a_purge(
    engine: Engine, cipher: NoteCipher
) -> None:
    versions = [store.answers_version(engine)]
    consultation = _round(engine, window_until=NOW + timedelta(days=1))
    _answer(engine, cipher, consultation)
    versions.append(store.answers_version(engine))
    _answer(engine, cipher, consultation, positions=["P1"], now=NOW + timedelta(minutes=5))
    versions.append(store.answers_version(engine))
    store.purge(engine, retention_days=1, now=NOW + timedelta(days=30))
    versions.append(store.answers_version(engine))
    assert all(before != after for before, after in pairwise(versions))
