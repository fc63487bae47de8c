"""The unit's side of a consultation round (issue 14, two-sided): role hr, scoped or not.

`GET /v1/consultations/{round}/units/{unit}/candidates`: the unit's positions on offer, each
with the people who chose it (their own rank, fit, risk and the shortlist's reasons; never
their wishes or note) and the unit's current ranking. `PUT .../units/{unit}/rankings/{post}`:
a new version of the unit's ranking of that post, only among the people who chose it, while
the round is open. A key scoped to another unit gets 403; every call is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from serving.audit import AuditDep, audited
from serving.auth import UnitHrKey
from serving.consultation.service import now
from serving.consultation.unit_service import rank_for_unit, unit_candidates
from serving.deps import EngineDep, StateDep
from serving.schemas.common import ErrorResponse
from serving.schemas.unit_rankings import RankingRequest, RankingResponse, UnitCandidatesResponse

router = APIRouter(
    prefix="/v1/consultations/{round_id}/units/{unit_id}",
    tags=["consultations"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422, 503)},
)

RoundId = Annotated[str, Path(min_length=1, max_length=36, description="ID putaran / Round id")]
UnitId = Annotated[str, Path(min_length=1, max_length=200, description="Unit")]
PositionPath = Annotated[str, Path(min_length=1, max_length=200, description="Jabatan / Post")]


@router.get(
    "/candidates",
    response_model=UnitCandidatesResponse,
    summary="Kandidat yang memilih jabatan unit saya / Candidates who chose my unit's posts",
)
def candidates(
    round_id: RoundId,
    unit_id: UnitId,
    key: UnitHrKey,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
) -> UnitCandidatesResponse:
    response = unit_candidates(state, engine, key=key, round_id=round_id, unit_id=unit_id, at=now())
    audit.returned(
        nips=[c.nip for p in response.positions for c in p.candidates],
        position_ids=[p.position_id for p in response.positions],
        model_version=state.model_version,
    )
    return response


@router.put(
    "/rankings/{position_id}",
    response_model=RankingResponse,
    summary="Kirim peringkat unit untuk satu jabatan / Send the unit's ranking of one post",
)
def rank(
    round_id: RoundId,
    unit_id: UnitId,
    position_id: PositionPath,
    body: RankingRequest,
    key: UnitHrKey,
    state: StateDep,
    engine: EngineDep,
    audit: AuditDep,
) -> RankingResponse:
    audit.returned(nips=body.nips, position_ids=[position_id])
    return rank_for_unit(
        state,
        engine,
        key=key,
        round_id=round_id,
        unit_id=unit_id,
        position_id=position_id,
        nips=list(body.nips),
        at=now(),
    )
