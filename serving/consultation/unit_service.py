"""The unit's side of a round, one code path for the API routes and the console page.

A unit (an hr key scoped to it, or any unscoped hr key acting for it) sees, for each of its
positions on offer, the people whose current answer ranks that position, with the fit, risk
and reasons the shortlist gives for the pair; never their wishes or their constraint note.
It ranks them, best first, while the round is open.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

import numpy as np
from sqlalchemy import Engine

from models.features.build import current_pair_features
from serving.auth import ApiKey, Role, check_unit_scope
from serving.consultation import rankings, store
from serving.errors import NotFoundError
from serving.explain import explain_pairs
from serving.ranking import score_frame
from serving.schemas.unit_rankings import (
    RankingModel,
    RankingResponse,
    UnitCandidate,
    UnitCandidatesResponse,
    UnitPosition,
)
from serving.state import LoadedState

NAME_ROLES = frozenset({Role.HR, Role.ADMIN})


def unit_positions(state: LoadedState, unit_id: str, consultation: store.Round) -> list[str]:
    """The unit's positions among those on offer (404 for a unit the agency does not have)."""
    positions = state.lookups.positions
    if unit_id not in set(positions["unit_id"].astype(str)):
        raise NotFoundError(f"Unit tidak dikenal / Unknown unit: {unit_id}")
    offered = [p for p in consultation.positions if p in positions.index]
    return [p for p in offered if str(positions.at[p, "unit_id"]) == unit_id]


def _model(
    ranking: rankings.UnitRanking | None, *, still_asking: Container[str] | None = None
) -> RankingModel | None:
    """The stored ranking; with `still_asking`, only the people whose current answer still
    chooses the post (as the plan reads it): nobody is shown to a unit who withdrew."""
    if ranking is None:
        return None
    return RankingModel(
        nips=[n for n in ranking.nips if still_asking is None or n in still_asking],
        version=ranking.version,
        ranked_by=ranking.ranked_by,
        saved_at=ranking.saved_at,
    )


def employee_name(state: LoadedState, nip: str) -> str | None:
    """The person's name from the loaded export (None when unknown or not exported)."""
    employees = state.lookups.employees
    if nip not in employees.index or "name" not in employees.columns:
        return None
    name = employees.at[nip, "name"]
    return str(name) if isinstance(name, str) and name else None


# Factors that speak of a person's other wishes (which sector, which priority); a unit sees
# only that the person chose its post, and at which rank.
WISH_FEATURES = frozenset({"preference_match", "unrequested_sector"})


def _candidates(
    state: LoadedState, position_id: str, asked: dict[str, int], *, with_name: bool
) -> list[UnitCandidate]:
    nips = np.asarray([n for n in asked if n in state.lookups.employees.index], dtype=object)
    if len(nips) == 0:
        return []
    targets = np.full(len(nips), position_id, dtype=object)
    scores = score_frame(state, nips, targets)
    risks = scores["risk"].to_numpy(dtype=float)
    features = current_pair_features(state.context, nips, targets)
    factors = explain_pairs(state, nips, features, position_id, risks=risks)
    bands = state.bands.bands(risks)
    found = [
        UnitCandidate(
            nip=str(nip),
            name=employee_name(state, str(nip)) if with_name else None,
            choice_rank=asked[str(nip)],
            eligible=bool(eligible),
            fit=round(float(fit), 2),
            risk=round(float(risk), 3),
            risk_band=str(band),
            factors=[f for f in factors.get(str(nip), []) if f.feature not in WISH_FEATURES],
        )
        for nip, eligible, fit, risk, band in zip(
            nips, scores["eligible"], scores["fit"], risks, bands, strict=True
        )
    ]
    return sorted(found, key=lambda c: (c.choice_rank, -c.fit))


def unit_candidates(
    state: LoadedState, engine: Engine, *, key: ApiKey, round_id: str, unit_id: str, at: datetime
) -> UnitCandidatesResponse:
    """Each of the unit's positions on offer with the people who chose it and its ranking."""
    check_unit_scope(key, unit_id)
    consultation = store.get_round(engine, round_id)
    asked = rankings.candidates_by_position(engine, round_id)
    current = rankings.current_rankings(engine, round_id)
    titles = state.lookups.positions["title"]
    positions = [
        UnitPosition(
            position_id=p,
            title=str(titles.get(p, p)),
            candidates=_candidates(state, p, asked.get(p, {}), with_name=key.role in NAME_ROLES),
            ranking=_model(current.get(p), still_asking=asked.get(p, {})),
        )
        for p in unit_positions(state, unit_id, consultation)
    ]
    return UnitCandidatesResponse(
        round_id=round_id,
        unit_id=unit_id,
        unit_name=_unit_name(state, unit_id),
        is_open=consultation.is_open(at),
        positions=positions,
    )


def _unit_name(state: LoadedState, unit_id: str) -> str:
    rows = state.lookups.positions.loc[state.lookups.positions["unit_id"].astype(str) == unit_id]
    return str(rows["unit_name"].iloc[0]) if len(rows) else unit_id


def rank_for_unit(
    state: LoadedState,
    engine: Engine,
    *,
    key: ApiKey,
    round_id: str,
    unit_id: str,
    position_id: str,
    nips: list[str],
    at: datetime,
) -> RankingResponse:
    """Save the unit's ranking of one of its positions (403 outside the key's unit)."""
    check_unit_scope(key, unit_id)
    consultation = store.get_round(engine, round_id)
    if position_id not in unit_positions(state, unit_id, consultation):
        raise NotFoundError(
            f"Jabatan {position_id} bukan jabatan unit {unit_id} yang ditawarkan / "
            f"Position {position_id} is not one of unit {unit_id}'s positions on offer"
        )
    saved = rankings.save_ranking(
        engine,
        consultation=consultation,
        unit_id=unit_id,
        position_id=position_id,
        nips=nips,
        ranked_by=key.label,
        now=at,
    )
    model = _model(saved)
    assert model is not None
    return RankingResponse(
        round_id=round_id, unit_id=unit_id, position_id=position_id, ranking=model
    )
