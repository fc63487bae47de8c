"""Units' rankings of the candidates who asked for their posts (the consultation's other side).

For each position on offer in a round, the unit that holds it may rank the people who put that
position in their current answer, best first. Every version sent is a row of `unit_rankings`
(append-only: no UPDATE, no DELETE while the round exists); the current ranking of a position
is its newest version, changeable while the round is open. An empty list withdraws a ranking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from serving.consultation import store
from serving.consultation.tables import unit_rankings
from serving.db import make_engine
from serving.errors import ConflictError, InvalidInputError

RANKING_COLUMNS: tuple[str, ...] = ("position_id", "nip", "unit_rank", "ranked")
MAX_RANKED = 200


@dataclass(frozen=True)
class UnitRanking:
    round_id: str
    unit_id: str
    position_id: str
    nips: list[str]
    version: int
    ranked_by: str
    saved_at: datetime


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive (they were written in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ranking(row: Any) -> UnitRanking:
    return UnitRanking(
        round_id=row.round_id,
        unit_id=row.unit_id,
        position_id=row.position_id,
        nips=json.loads(row.nips),
        version=int(row.version),
        ranked_by=row.ranked_by,
        saved_at=_aware(row.saved_at),
    )


def candidates_by_position(engine: Engine, round_id: str) -> dict[str, dict[str, int]]:
    """position id -> {nip: the rank that person gave it} over the round's current answers."""
    asked: dict[str, dict[str, int]] = {}
    for answer in store.round_answers(engine, round_id):
        for rank, position_id in enumerate(answer.positions, 1):
            asked.setdefault(position_id, {})[answer.nip] = rank
    return asked


def current_rankings(engine: Engine, round_id: str) -> dict[str, UnitRanking]:
    """position id -> its newest ranking in the round (withdrawn ones, empty, included)."""
    query = (
        select(unit_rankings)
        .where(unit_rankings.c.round_id == round_id)
        .order_by(unit_rankings.c.position_id, unit_rankings.c.version)
    )
    with engine.connect() as connection:
        return {row.position_id: _ranking(row) for row in connection.execute(query)}


def ranking_history(engine: Engine, round_id: str, position_id: str) -> list[UnitRanking]:
    """Every version sent for one position, oldest first."""
    query = (
        select(unit_rankings)
        .where(unit_rankings.c.round_id == round_id, unit_rankings.c.position_id == position_id)
        .order_by(unit_rankings.c.version)
    )
    with engine.connect() as connection:
        return [_ranking(row) for row in connection.execute(query)]


def check_ranking(
    consultation: store.Round, position_id: str, nips: list[str], asked: dict[str, int]
) -> None:
    """InvalidInputError naming what is wrong: the position must be on offer, every NIP must
    have asked for it, none twice."""
    problems = []
    if position_id not in consultation.positions:
        problems.append(
            f"jabatan tidak ditawarkan: {position_id} / position not on offer: {position_id}"
        )
    if len(nips) > MAX_RANKED:
        problems.append(f"paling banyak {MAX_RANKED} orang / at most {MAX_RANKED} people")
    if len(set(nips)) != len(nips):
        problems.append("NIP disebut dua kali / a NIP listed twice")
    strangers = [nip for nip in dict.fromkeys(nips) if nip not in asked]
    if strangers:
        problems.append(
            f"{len(strangers)} NIP tidak memilih jabatan ini (urutan "
            f"{', '.join(str(nips.index(n) + 1) for n in strangers[:10])}) / "
            f"{len(strangers)} NIPs did not choose this position (places "
            f"{', '.join(str(nips.index(n) + 1) for n in strangers[:10])})"
        )
    if problems:
        raise InvalidInputError("; ".join(problems))


def save_ranking(
    engine: Engine,
    *,
    consultation: store.Round,
    unit_id: str,
    position_id: str,
    nips: list[str],
    ranked_by: str,
    now: datetime,
) -> UnitRanking:
    """Store a new version of the unit's ranking for one position while the round is open;
    only people whose current answer ranks the position may be ranked."""
    if not consultation.is_open(now):
        raise store.RoundClosedError(
            "Putaran konsultasi sudah ditutup atau belum dibuka / "
            "The consultation round is closed or not open yet"
        )
    asked = candidates_by_position(engine, consultation.id).get(position_id, {})
    check_ranking(consultation, position_id, nips, asked)
    previous = current_rankings(engine, consultation.id).get(position_id)
    row = {
        "round_id": consultation.id,
        "unit_id": unit_id,
        "position_id": position_id,
        "nips": json.dumps(nips),
        "version": 1 if previous is None else previous.version + 1,
        "ranked_by": ranked_by,
        "saved_at": now,
    }
    try:
        with engine.begin() as connection:
            connection.execute(insert(unit_rankings), [row])
    except IntegrityError:
        raise ConflictError(
            "Peringkat diubah bersamaan; muat ulang / The ranking changed meanwhile; reload"
        ) from None
    return UnitRanking(**{**row, "nips": list(nips)})  # type: ignore[arg-type]


def ranking_frame(engine: Engine, round_id: str) -> pd.DataFrame:
    """RANKING_COLUMNS for the plan: each current ranking of the round cut to the people who
    still rank that position in their current answer (an answer may change after a unit
    ranked it), `unit_rank` 1 = best, `ranked` = how many the unit ranked for the position."""
    asked = candidates_by_position(engine, round_id)
    rows = []
    for position_id, ranking in current_rankings(engine, round_id).items():
        kept = [nip for nip in ranking.nips if nip in asked.get(position_id, {})]
        rows += [(position_id, nip, rank, len(kept)) for rank, nip in enumerate(kept, 1)]
    frame = pd.DataFrame(rows, columns=list(RANKING_COLUMNS))
    return frame.astype({"unit_rank": "int64", "ranked": "int64"})


def round_rankings(database_url: str, round_id: str) -> pd.DataFrame:
    """The round's unit rankings for a plan, read through an engine of its own (as
    frames.round_choices, for a plan job in a worker thread)."""
    engine = make_engine(database_url)
    try:
        store.get_round(engine, round_id)
        return ranking_frame(engine, round_id)
    finally:
        engine.dispose()
