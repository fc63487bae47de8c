"""POST /v1/risk: eligibility, fit and risk for up to 10,000 (nip, position_id) pairs.

Unknown ids are a 404 that names them all (a draft decree with a typo is fixed, not half
scored); otherwise one result per pair, in the order given, through the same scoring code
path as `mutasi score`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends

from serving.audit import AuditDep, audited
from serving.auth import PlannerKey
from serving.deps import StateDep
from serving.errors import not_found
from serving.explain import reason_texts
from serving.ranking import score_frame
from serving.schemas import ErrorResponse, RiskRequest, RiskResponse, RiskResult
from serving.state import LoadedState

router = APIRouter(
    prefix="/v1",
    tags=["risk"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


def _check_known(state: LoadedState, nips: np.ndarray, position_ids: np.ndarray) -> None:
    unknown_nips = pd.unique(nips[~np.isin(nips, state.lookups.employees.index.to_numpy())])
    if len(unknown_nips):
        raise not_found("NIP", "NIP", [str(n) for n in unknown_nips])
    known_positions = state.lookups.positions.index.to_numpy()
    unknown_positions = pd.unique(position_ids[~np.isin(position_ids, known_positions)])
    if len(unknown_positions):
        raise not_found("Jabatan", "Position", [str(p) for p in unknown_positions])


def _results(scored: pd.DataFrame) -> list[RiskResult]:
    texts: dict[str, list] = {}
    results = []
    for nip, position_id, eligible, reasons, fit, risk in zip(
        scored["nip"].to_numpy(),
        scored["position_id"].to_numpy(),
        scored["eligible"].to_numpy(bool),
        scored["ineligible_reasons"].fillna("").to_numpy(),
        scored["fit"].to_numpy(float),
        scored["risk"].to_numpy(float),
        strict=True,
    ):
        if reasons not in texts:
            texts[reasons] = reason_texts(reasons)
        results.append(
            RiskResult.model_construct(
                nip=str(nip),
                position_id=str(position_id),
                eligible=bool(eligible),
                ineligible_reasons=texts[reasons],
                fit=round(float(fit), 4),
                risk=round(float(risk), 4),
            )
        )
    return results


@router.post(
    "/risk",
    response_model=RiskResponse,
    summary="Cek risiko draf SK mutasi / Check a draft transfer decree",
    description="Kelayakan, alasan, fit dan risiko per pasangan, urutan sama; maks. 10.000. "
    "ID tidak dikenal: 404 yang menyebutkannya. / Eligibility, reasons, fit and risk per pair, "
    "same order; at most 10,000. Unknown ids: 404 naming them.",
)
def check_risk(
    body: RiskRequest, key: PlannerKey, state: StateDep, audit: AuditDep
) -> RiskResponse:
    nips = np.array([p.nip for p in body.pairs], dtype=object)
    position_ids = np.array([p.position_id for p in body.pairs], dtype=object)
    _check_known(state, nips, position_ids)
    scored = score_frame(state, nips, position_ids)
    response = RiskResponse(
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
        results=_results(scored),
    )
    audit.returned(
        nips=pd.unique(nips).tolist(),
        position_ids=pd.unique(position_ids).tolist(),
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return response
