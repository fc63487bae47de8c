"""GET /v1/positions/{position_id}/shortlist: ranked candidates for HR, with reasons."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query

from models.contract.enums import GOLONGAN
from serving.audit import AuditDep, audited
from serving.auth import HrKey
from serving.deps import StateDep
from serving.errors import InvalidInputError, not_found
from serving.explain import reason_texts
from serving.ranking import Shortlist, ShortlistQuery, shortlist
from serving.schemas.common import MAX_SHORTLIST_K, ErrorResponse, fairness_of, records
from serving.schemas.shortlist import Candidate, ShortlistResponse
from serving.state import PERSON_COLUMNS, LoadedState

router = APIRouter(
    prefix="/v1/positions",
    tags=["shortlists"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)

_GOLONGAN = frozenset(GOLONGAN)


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)  # type: ignore[call-overload]


def _candidates(state: LoadedState, frame: pd.DataFrame, result: Shortlist) -> list[Candidate]:
    """Response rows for ranked pairs: the people gathered by row from the cached arrays."""
    if frame.empty:
        return []
    rows = state.lookups.employee_rows
    at = [rows[nip] for nip in frame["nip"].tolist()]
    columns = state.candidates.people
    people = [{name: columns[name][i] for name in PERSON_COLUMNS} for i in at]
    candidates = []
    for rank, (row, person) in enumerate(zip(records(frame), people, strict=True), 1):
        nip = str(row["nip"])
        candidates.append(
            Candidate(
                rank=rank,
                nip=nip,
                name=_text(person["name"]),
                current_position_id=str(person["position_id"]),
                current_position_title=_text(person["position_title"]) or "-",
                current_unit_id=str(person["unit_id"]),
                current_unit_name=_text(person["unit_name"]) or "-",
                sector=str(person["sector"]),
                region_code=str(person["region_code"]),
                golongan=_text(person["rank"]),
                eligible=bool(row["eligible"]),
                ineligible_reasons=reason_texts(str(row["ineligible_reasons"] or "")),
                fit=round(float(row["fit"]), 2),
                risk=round(float(row["risk"]), 3),
                risk_percent=round(100 * float(row["risk"])),
                risk_band=state.bands.band(float(row["risk"])),
                reasons=result.factors.get(nip, []),
                suggested_training=result.trainings.get(nip, []),
            )
        )
    return candidates


@router.get(
    "/{position_id}/shortlist",
    response_model=ShortlistResponse,
    summary="Daftar pendek kandidat / Candidate shortlist",
    description="Kandidat layak diurutkan menurut fit (seri: risiko lebih rendah), dengan alasan."
    " / Eligible candidates ranked by fit (ties: lower risk), with reasons.",
)
def get_shortlist(
    position_id: Annotated[str, Path(min_length=1, max_length=200, description="position_id")],
    key: HrKey,
    state: StateDep,
    audit: AuditDep,
    k: Annotated[int, Query(ge=1, le=MAX_SHORTLIST_K, description="Jumlah kandidat / Count")] = 10,
    include_ineligible: Annotated[
        bool, Query(description="Tampilkan yang hampir layak / Show near-misses")
    ] = False,
    sector: Annotated[str | None, Query(max_length=100, description="Sektor unit sekarang")] = None,
    region: Annotated[str | None, Query(max_length=20, description="Kode wilayah BPS unit")] = None,
    max_risk: Annotated[float | None, Query(ge=0, le=1, description="Risiko maksimum")] = None,
    min_rank: Annotated[
        str | None,
        Query(pattern=r"^(I|II|III|IV)/[a-e]$", description="Golongan minimum, e.g. III/a"),
    ] = None,
) -> ShortlistResponse:
    if min_rank is not None and min_rank not in _GOLONGAN:
        raise InvalidInputError(
            f"parameter 'min_rank': golongan tidak dikenal: {min_rank} / "
            f"parameter 'min_rank': unknown golongan: {min_rank}"
        )
    if position_id not in state.lookups.positions.index:
        raise not_found("Jabatan", "Position", [position_id])
    query = ShortlistQuery(position_id, k, include_ineligible, sector, region, max_risk, min_rank)
    response = _response(state, query, shortlist(state, query))
    audit.returned(
        nips=[c.nip for c in (*response.candidates, *response.near_misses)],
        position_ids=[position_id],
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return response


def _response(state: LoadedState, query: ShortlistQuery, result: Shortlist) -> ShortlistResponse:
    position_id = query.position_id
    positions = state.lookups.positions  # three cells, not the row as a Series of objects
    return ShortlistResponse(
        position_id=position_id,
        title=str(positions.at[position_id, "title"]),
        unit_id=str(positions.at[position_id, "unit_id"]),
        unit_name=str(positions.at[position_id, "unit_name"]),
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
        as_of=state.as_of,
        pool_size=result.pool_size,
        eligible_count=result.eligible_count,
        candidates=_candidates(state, result.candidates, result),
        near_misses=_candidates(state, result.near_misses, result),
        fairness=fairness_of(result.fairness),
    )
