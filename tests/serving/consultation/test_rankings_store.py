"""Units' rankings on SQLite and a real PostgreSQL: a unit ranks only people who asked for the
post, every version is kept and refuses UPDATE and DELETE, and only the round's purge removes
them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from serving.auth import Role, create_key, verify_key
from serving.consultation import rankings, store
from serving.consultation.crypto import NoteCipher
from serving.consultation.store import RoundClosedError
from serving.db import make_engine
from serving.errors import InvalidInputError

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ASKED = {"198501152010012001": ["P1", "P2"], "199002022015031002": ["P1"]}
STRANGER = "197703032000121003"


@pytest.fixture
def engine(database_url: str) -> Engine:
    return make_engine(database_url)


def _round_with_answers(engine: Engine, tmp_path: Path) -> store.Round:
    consultation = store.open_round(
        engine,
        opened_by="hr-desk",
        window_from=NOW - timedelta(days=1),
        window_until=NOW + timedelta(days=13),
        positions=["P1", "P2", "P3"],
        invitation="Silakan",
    )
    cipher = NoteCipher.from_home(tmp_path)
    for nip, positions in ASKED.items():
        store.save_answer(
            engine,
            cipher,
            consultation=consultation,
            nip=nip,
            positions=positions,
            wishes=[],
            note=None,
            now=NOW,
        )
    return consultation


def _rank(engine: Engine, consultation: store.Round, nips: list[str], **changes: object):
    fields: dict[str, object] = dict(
        consultation=consultation,
        unit_id="U1",
        position_id="P1",
        nips=nips,
        ranked_by="kepala-u1",
        now=NOW,
    )
    return rankings.save_ranking(engine, **{**fields, **changes})  # type: ignore[arg-type]


def test_a_unit_changes_its_ranking_until_close_and_every_version_is_kept(
    engine: Engine, tmp_path: Path
) -> None:
    consultation = _round_with_answers(engine, tmp_path)
    first, second = list(ASKED)
    _rank(engine, consultation, [first, second])
    _rank(engine, consultation, [second, first], now=NOW + timedelta(hours=1))
    current = rankings.current_rankings(engine, consultation.id)["P1"]
    assert (current.nips, current.version) == ([second, first], 2)
    history = rankings.ranking_history(engine, consultation.id, "P1")
    assert [r.nips for r in history] == [[first, second], [second, first]]
    closed = store.close_round(engine, consultation.id, now=NOW + timedelta(hours=2))
    with pytest.raises(RoundClosedError):
        _rank(engine, closed, [first], now=NOW + timedelta(hours=3))


def test_a_unit_may_rank_only_people_who_asked_for_the_post(engine: Engine, tmp_path: Path) -> None:
    consultation = _round_with_answers(engine, tmp_path)
    first, second = list(ASKED)
    with pytest.raises(InvalidInputError, match="did not choose this position \\(places 2\\)"):
        _rank(engine, consultation, [first, STRANGER])
    with pytest.raises(InvalidInputError, match="did not choose"):
        _rank(engine, consultation, [second], position_id="P2")  # second asked only for P1
    with pytest.raises(InvalidInputError, match="twice"):
        _rank(engine, consultation, [first, first])
    assert rankings.current_rankings(engine, consultation.id) == {}


@pytest.mark.parametrize(
    "statement",
    ["UPDATE unit_rankings SET nips = '[]'", "DELETE FROM unit_rankings"],
)
def test_rankings_refuse_update_and_delete(engine: Engine, tmp_path: Path, statement: str) -> None:
    consultation = _round_with_answers(engine, tmp_path)
    _rank(engine, consultation, list(ASKED))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    assert rankings.current_rankings(engine, consultation.id)["P1"].nips == list(ASKED)


def test_a_ranking_cannot_be_replaced_by_reinserting_its_version(
    engine: Engine, tmp_path: Path
) -> None:
    """SQLite's INSERT OR REPLACE (and PostgreSQL's plain insert) of a fresh id with an existing
    (round, position, version) must not drop the stored version."""
    consultation = _round_with_answers(engine, tmp_path)
    _rank(engine, consultation, list(ASKED))
    verb = "INSERT OR REPLACE" if engine.dialect.name == "sqlite" else "INSERT"
    statement = (
        f"{verb} INTO unit_rankings (id, round_id, unit_id, position_id, nips, version, "
        "ranked_by, saved_at) SELECT id + 1000, round_id, unit_id, position_id, '[]', version, "
        "ranked_by, saved_at FROM unit_rankings"
    )
    with pytest.raises(DatabaseError), engine.begin() as connection:
        connection.execute(text(statement))
    assert rankings.current_rankings(engine, consultation.id)["P1"].nips == list(ASKED)


def test_the_purge_takes_a_rounds_rankings_with_it(engine: Engine, tmp_path: Path) -> None:
    consultation = _round_with_answers(engine, tmp_path)
    _rank(engine, consultation, list(ASKED))
    store.close_round(engine, consultation.id, now=NOW)
    assert store.purge(engine, retention_days=30, now=NOW + timedelta(days=31)) == [consultation.id]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM unit_rankings")).scalar() == 0


def test_ranking_frame_keeps_only_people_who_still_ask(engine: Engine, tmp_path: Path) -> None:
    consultation = _round_with_answers(engine, tmp_path)
    first, second = list(ASKED)
    _rank(engine, consultation, [second, first])
    store.save_answer(
        engine,
        NoteCipher.from_home(tmp_path),
        consultation=consultation,
        nip=second,
        positions=["P3"],
        wishes=[],
        note=None,
        now=NOW + timedelta(minutes=5),
    )
    frame = rankings.ranking_frame(engine, consultation.id)
    assert frame.to_dict(orient="records") == [
        {"position_id": "P1", "nip": first, "unit_rank": 1, "ranked": 1}
    ]


def test_an_hr_key_carries_its_unit_scope_and_only_hr_may(engine: Engine) -> None:
    raw = create_key(engine, role=Role.HR, label="kepala-u1", unit=" U1 ")
    key = verify_key(engine, raw)
    assert key is not None and key.unit_id == "U1"
    with pytest.raises(InvalidInputError, match="Only an hr key"):
        create_key(engine, role=Role.PLANNER, label="planner-u1", unit="U1")
