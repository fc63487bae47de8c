"""POST /v1/risk: eligibility, fit and risk for up to 10,000 (nip, position_id) pairs.

Unknown ids are a 404 that names them all (a draft decree with a typo is fixed, not half
scored); otherwise one result per pair, in the order given, through the same scoring code
path as `mutasi score`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Response

from serving.audit import AuditDep, audited
from serving.auth import PlannerKey
from serving.deps import StateDep
from serving.errors import not_found_all
from serving.explain import reason_texts
from serving.ranking import score_frame
from serving.schemas.common import ErrorResponse
from serving.schemas.risk import RiskRequest, RiskResponse
from serving.state import LoadedState

router = APIRouter(
    prefix="/v1",
    tags=["risk"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


def _unknown(ids: np.ndarray, known: pd.Index) -> list[str]:
    """Ids not in `known`, each once, in the order first given (a hash lookup, not a scan)."""
    missing = known.get_indexer(pd.Index(ids, dtype=object)) < 0
    return [str(i) for i in pd.unique(ids[missing])]


def _check_known(state: LoadedState, nips: np.ndarray, position_ids: np.ndarray) -> None:
    """One 404 naming every unknown NIP and every unknown position at once."""
    unknown = {
        ("NIP", "NIP"): _unknown(nips, state.lookups.employees.index),
        ("Jabatan", "Position"): _unknown(position_ids, state.lookups.positions.index),
    }
    if any(unknown.values()):
        raise not_found_all(unknown)


def _result_rows(state: LoadedState, scored: pd.DataFrame) -> list[dict[str, object]]:
    """Plain rows in RiskResult's shape; reason texts built once per combination."""
    reasons = scored["ineligible_reasons"].fillna("").to_numpy(dtype=object)
    texts = {r: reason_texts(str(r)) for r in pd.unique(reasons)}
    positions = state.lookups.positions.reindex(scored["position_id"].astype(object))
    risk = np.round(scored["risk"].to_numpy(dtype=float), 3)
    return [
        {
            "nip": nip,
            "position_id": position_id,
            "position_title": title,
            "unit_name": unit_name,
            "eligible": eligible,
            "ineligible_reasons": texts[reason],
            "fit": fit,
            "risk": r,
            "risk_percent": percent,
            "risk_band": band,
        }
        for nip, position_id, title, unit_name, eligible, reason, fit, r, percent, band in zip(
            scored["nip"].to_numpy(dtype=object),
            scored["position_id"].to_numpy(dtype=object),
            positions["title"].fillna("-").astype(str).to_numpy(dtype=object),
            positions["unit_name"].fillna("-").astype(str).to_numpy(dtype=object),
            scored["eligible"].to_numpy(dtype=bool).tolist(),
            reasons,
            np.round(scored["fit"].to_numpy(dtype=float), 2).tolist(),
            risk.tolist(),
            np.round(100 * risk).astype(int).tolist(),
            state.bands.bands(risk),
            strict=True,
        )
    ]


@router.post(
    "/risk",
    response_model=RiskResponse,
    summary="Cek risiko draf SK mutasi / Check a draft transfer decree",
    description="Kelayakan, alasan, fit dan risiko per pasangan, urutan sama; maks. 10.000. "
    "ID tidak dikenal: 404 yang menyebutkannya. / Eligibility, reasons, fit and risk per pair, "
    "same order; at most 10,000. Unknown ids: 404 naming them.",
)
def check_risk(body: RiskRequest, key: PlannerKey, state: StateDep, audit: AuditDep) -> Response:
    nips = np.array([p["nip"] for p in body.pairs], dtype=object)
    position_ids = np.array([p["position_id"] for p in body.pairs], dtype=object)
    _check_known(state, nips, position_ids)
    scored = score_frame(state, nips, position_ids)
    # The rows are built above from typed arrays (str, bool, float, reason rows), so the
    # response is assembled without a second check of 10,000 rows and written by pydantic's
    # serializer; tests validate real responses against RiskResponse and the OpenAPI schema.
    response = RiskResponse.model_construct(
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
        results=_result_rows(state, scored),
    )
    audit.returned(
        nips=pd.unique(nips).tolist(),
        position_ids=pd.unique(position_ids).tolist(),
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return Response(response.model_dump_json(), media_type="application/json")
