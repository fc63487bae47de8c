"""POST /v1/risk: eligibility, fit and risk for up to 10,000 (nip, position_id) pairs.

Unknown ids are a 404 that names them all (a draft decree with a typo is fixed, not half
scored); otherwise one result per pair, in the order given, through the same scoring code
path as `mutasi score`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
import orjson
import pandas as pd
from fastapi import APIRouter, Depends, Request, Response

from models.scoring.compose import PairScores, score_indexed
from pipelines.compiled import serial_walks
from serving.audit import AuditDep, AuditRecord, audited
from serving.auth import PlannerKey
from serving.deps import StateDep
from serving.errors import not_found_all
from serving.explain import reason_texts
from serving.json_body import OrjsonRoute, inline_schema
from serving.risk_columns import parse_risk_columns
from serving.schemas.common import ErrorResponse
from serving.schemas.risk import (
    RiskColumnsRequest,
    RiskColumnsResponse,
    RiskPair,
    RiskRequest,
    RiskResponse,
)
from serving.state import LoadedState
from serving.threads import HELPER_THREADS, helper_threads

# Pairs from which a check is scored in blocks side by side (see `_score`): a planner's draft
# decree of thousands, not a handful, where a helper thread's start would cost more than it saves.
BLOCK_MIN_PAIRS = 2_000

router = APIRouter(
    prefix="/v1",
    tags=["risk"],
    route_class=OrjsonRoute,  # 10,000 pairs of JSON parsed by orjson
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


def _unknown(ids: np.ndarray, rows: np.ndarray) -> list[str]:
    """Ids whose row is -1, each once, in the order first given."""
    return [str(i) for i in pd.unique(ids[rows < 0])]


def _rows(rows: Mapping[str, int], ids: np.ndarray) -> np.ndarray:
    return np.fromiter(map(rows.get, ids, itertools.repeat(-1)), dtype=np.int64, count=len(ids))


def _lookup(
    state: LoadedState, nips: np.ndarray, position_ids: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Rows in Lookups (employees, positions), one hash per id; one 404 naming every unknown."""
    employee_rows = _rows(state.lookups.employee_rows, nips)
    position_rows = _rows(state.lookups.position_rows, position_ids)
    unknown = {
        ("NIP", "NIP"): _unknown(nips, employee_rows),
        ("Jabatan", "Position"): _unknown(position_ids, position_rows),
    }
    if any(unknown.values()):
        raise not_found_all(unknown)
    return employee_rows, position_rows


def _score(
    state: LoadedState,
    employee_rows: np.ndarray,
    position_rows: np.ndarray,
    *,
    initiated_by_employee: np.ndarray | None = None,
) -> PairScores:
    """The batch-scoring code path on context indices: the positions of a request are few, so
    they are resolved to context codes once each, and people through the candidate index.

    From BLOCK_MIN_PAIRS pairs on, the pairs are scored in HELPER_THREADS consecutive blocks
    side by side (this thread the first, helper threads the others), features and trees
    alike, each block's trees walked on its own thread: the features' numpy work and the
    compiled walks run without the GIL, so a large check takes the cores for all its steps,
    not only for the walks. Every pair is scored by the same code either way.
    """
    positions, inverse = np.unique(position_rows, return_inverse=True)
    codes = state.context.position_index(state.lookups.positions.index[positions].to_numpy())
    rows, codes = state.candidates.context_rows[employee_rows], codes[inverse]

    def scored(block: slice) -> PairScores:
        return score_indexed(
            state.context,
            state.bundle.scorer,
            rows[block],
            codes[block],
            policy=state.policy,
            initiated_by_employee=None
            if initiated_by_employee is None
            else initiated_by_employee[block],
        )

    if len(rows) < BLOCK_MIN_PAIRS:
        return scored(slice(None))

    def scored_serially(block: slice) -> PairScores:
        with serial_walks():
            return scored(block)

    bounds = np.linspace(0, len(rows), HELPER_THREADS + 1).astype(int).tolist()
    first, *rest = [slice(start, stop) for start, stop in itertools.pairwise(bounds)]
    others = [helper_threads().submit(scored_serially, block) for block in rest]
    try:
        done = scored_serially(first)
    except BaseException:
        for other in others:
            other.cancel()
        raise
    # A block still queued behind other requests' helper work is scored here instead of waited
    # for: the helpers are shared with the shortlists' explanations.
    return PairScores.joined(
        [
            done,
            *(
                scored_serially(block) if other.cancel() else other.result()
                for block, other in zip(rest, others, strict=True)
            ),
        ]
    )


def _initiated_by_employee(pairs: list[RiskPair]) -> np.ndarray | None:
    """1.0 for pairs the employee initiates, 0.0 otherwise; None when every move is the
    agency's (the default, as the model's risk is served)."""
    employee = np.fromiter(
        (p.get("initiated_by") == "employee" for p in pairs), dtype=float, count=len(pairs)
    )
    return employee if employee.any() else None


def _result_columns(
    state: LoadedState,
    position_rows: np.ndarray,
    scores: PairScores,
    reasons: Mapping[str, object],
) -> dict[str, Any]:
    """RiskResult's fields after the ids, one array or list per field (numeric ones as numpy
    arrays); `reasons` gives the ineligible reasons of each combination of reason codes."""
    risk = np.round(scores.risk, 3)
    return {
        "position_title": state.lookups.position_titles[position_rows],
        "unit_name": state.lookups.position_units[position_rows],
        "eligible": scores.eligible,
        "ineligible_reasons": [reasons[r] for r in scores.reasons.tolist()],
        "fit": np.round(scores.fit, 2),
        "risk": risk,
        "risk_percent": np.round(100 * risk).astype(int),
        "risk_band": state.bands.bands(risk),
    }


def _result_rows(
    nips: list[str], position_ids: list[str], columns: dict[str, Any]
) -> list[dict[str, object]]:
    """Plain rows in RiskResult's shape."""
    plain = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in columns.items()}
    return [
        {
            "nip": nip,
            "position_id": position_id,
            "position_title": title,
            "unit_name": unit_name,
            "eligible": eligible,
            "ineligible_reasons": reasons,
            "fit": fit,
            "risk": r,
            "risk_percent": percent,
            "risk_band": band,
        }
        for nip, position_id, title, unit_name, eligible, reasons, fit, r, percent, band in zip(
            nips,
            position_ids,
            *plain.values(),
            strict=True,
        )
    ]


def _checked(
    state: LoadedState,
    nips: np.ndarray,
    position_ids: np.ndarray,
    initiated_by_employee: np.ndarray | None,
    audit: AuditRecord,
) -> tuple[np.ndarray, PairScores]:
    """Both forms' core: ids resolved (one 404 naming every unknown), pairs scored, the
    request's people and positions recorded in its audit row; position rows and scores."""
    employee_rows, position_rows = _lookup(state, nips, position_ids)
    scores = _score(
        state, employee_rows, position_rows, initiated_by_employee=initiated_by_employee
    )
    audit.returned(
        nips=pd.unique(nips).tolist(),
        position_ids=pd.unique(position_ids).tolist(),
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return position_rows, scores


@router.post(
    "/risk",
    response_model=RiskResponse,
    summary="Cek risiko draf SK mutasi / Check a draft transfer decree",
    description="Kelayakan, alasan, fit dan risiko per pasangan, urutan sama; maks. 10.000. "
    "ID tidak dikenal: 404 yang menyebutkannya. Risiko untuk mutasi atas prakarsa instansi, "
    "kecuali pasangan menyebut initiated_by=employee. / Eligibility, reasons, fit and risk per "
    "pair, same order; at most 10,000. Unknown ids: 404 naming them. Risk is for "
    "agency-initiated moves unless a pair says initiated_by=employee.",
)
def check_risk(body: RiskRequest, key: PlannerKey, state: StateDep, audit: AuditDep) -> Response:
    nips = [p["nip"] for p in body.pairs]
    position_ids = [p["position_id"] for p in body.pairs]
    position_rows, scores = _checked(
        state,
        np.array(nips, dtype=object),
        np.array(position_ids, dtype=object),
        _initiated_by_employee(body.pairs),
        audit,
    )
    texts = {r: reason_texts(str(r)) for r in pd.unique(scores.reasons)}  # once per combination
    # The rows are built above from typed arrays (str, bool, float, reason rows) and written
    # by orjson, without a second check of 10,000 rows (~40 ms with pydantic's serializer);
    # tests validate real responses against RiskResponse and the OpenAPI schema.
    content = orjson.dumps(
        {
            "model_version": state.model_version,
            "snapshot_id": state.snapshot_id,
            "results": _result_rows(
                nips, position_ids, _result_columns(state, position_rows, scores, texts)
            ),
        }
    )
    return Response(content, media_type="application/json")


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/risk/columns",
    response_model=RiskColumnsResponse,
    summary="Cek risiko draf SK, bentuk kolom / Check a draft decree, columnar form",
    description="Seperti POST /v1/risk, tetapi satu daftar per kolom (nip, position_id, "
    "initiated_by opsional), panjang sama, maks. 10.000; jawaban juga per kolom. Kesalahan "
    "menyebut kolom dan indeksnya. / As POST /v1/risk, but one list per column (nip, "
    "position_id, optional initiated_by) of equal length, at most 10,000; answered column by "
    "column. Errors name the column and index.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(RiskColumnsRequest)}},
        }
    },
)
def check_risk_columns(
    body: Annotated[bytes, Depends(_raw_body)],
    key: PlannerKey,
    state: StateDep,
    audit: AuditDep,
) -> Response:
    request = parse_risk_columns(body)
    position_rows, scores = _checked(
        state, request.nip_array, request.position_array, request.initiated_by_employee, audit
    )
    texts = {r: reason_texts(str(r)) for r in pd.unique(scores.reasons)}
    codes = {r: [reason["code"] for reason in listed] for r, listed in texts.items()}
    results = _result_columns(state, position_rows, scores, codes)
    columns = {
        "nip": request.nips,
        "position_id": request.position_ids,
        # orjson writes numeric and bool arrays itself; strings go as lists
        **{k: v.tolist() if _is_text(v) else v for k, v in results.items()},
    }
    content = orjson.dumps(
        {
            "model_version": state.model_version,
            "snapshot_id": state.snapshot_id,
            "columns": columns,
            "reason_texts": {r["code"]: r["text"] for listed in texts.values() for r in listed},
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )
    return Response(content, media_type="application/json")


def _is_text(values: object) -> bool:
    return isinstance(values, np.ndarray) and values.dtype == object
