"""/cek-risiko: upload a draft decree, see every row's eligibility, fit, risk and reasons.

Rows are read by pipelines/drafts.py (located errors for bad rows, the rest kept); unknown NIPs
and positions are located too; the good rows are scored by the API route's own function
(serving/routers/risk.py `check_risk`), which also writes the audit record. The download posts
the checked rows back and scores them again, so no result is kept on the server.
"""

from __future__ import annotations

import json
from typing import Annotated

import anyio
import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from models.contract.problems import Problem
from pipelines.drafts import MAX_DRAFT_BYTES, DraftFileError, read_draft
from serving.audit import AuditDep, AuditRecord, audited
from serving.deps import StateDep
from serving.errors import InvalidInputError
from serving.pages.render import PageRoute, render
from serving.pages.session import PlannerPage, Session, check_csrf
from serving.pages.sheets import xlsx_response
from serving.routers.risk import check_risk
from serving.schemas.common import MAX_RISK_PAIRS
from serving.schemas.risk import RiskRequest, RiskResponse
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

CsrfField = Annotated[str, Form(max_length=100)]


def _located_unknown(name: str, pairs: pd.DataFrame, state: LoadedState) -> list[Problem]:
    known_nip = pairs["nip"].isin(state.lookups.employees.index)
    known_position = pairs["position_id"].isin(state.lookups.positions.index)
    return [
        Problem(name, int(r), "nip", "NIP tidak ditemukan / NIP not found")
        for r in pairs.loc[~known_nip, "row"]
    ] + [
        Problem(name, int(r), "position_id", "jabatan tidak ditemukan / position not found")
        for r in pairs.loc[~known_position, "row"]
    ]


def _score(
    session: Session, state: LoadedState, audit: AuditRecord, pairs: pd.DataFrame
) -> RiskResponse | None:
    """The route's answer for the pairs, one result per row, in order (None when no rows)."""
    if pairs.empty:
        return None
    if len(pairs) > MAX_RISK_PAIRS:
        raise InvalidInputError(f"maks. {MAX_RISK_PAIRS} baris / at most {MAX_RISK_PAIRS} rows")
    assert session.key is not None
    body = RiskRequest.model_validate({"pairs": pairs[["nip", "position_id"]].to_dict("records")})
    answer = check_risk(body, session.key, state, audit)
    return RiskResponse.model_validate_json(bytes(answer.body))


@router.get("/cek-risiko", response_class=HTMLResponse)
def risk_form(request: Request, session: PlannerPage) -> HTMLResponse:
    return render(request, "risk.html", checked=None, max_mb=MAX_DRAFT_BYTES // 2**20)


@router.post("/cek-risiko", response_class=HTMLResponse)
async def risk_upload(
    request: Request,
    session: PlannerPage,
    state: StateDep,
    audit: AuditDep,
    csrf: CsrfField,
    berkas: Annotated[UploadFile, File()],
) -> HTMLResponse:
    check_csrf(session, csrf)
    data = await berkas.read(MAX_DRAFT_BYTES + 1)
    name = berkas.filename or "draf"
    try:
        draft = read_draft(name, data)
    except DraftFileError as exc:
        return render(request, "risk.html", status_code=422, checked=None, file_error=exc.message)
    known = draft.pairs
    unknown = _located_unknown(name, known, state)
    bad_rows = {p.row for p in unknown}
    good = known.loc[~known["row"].isin(bad_rows)].reset_index(drop=True)
    # Scoring is CPU-bound: it runs in the threadpool like the API's plain-def routes.
    scored = await anyio.to_thread.run_sync(_score, session, state, audit, good)
    problems = sorted([*draft.problems, *unknown], key=lambda p: (p.row or 0, p.column or ""))
    return render(
        request,
        "risk.html",
        checked=True,
        file_name=name,
        rows=list(zip(good["row"], scored.results if scored else [], strict=True)),
        problems=[str(p) for p in problems],
        notices=draft.notices,
        pairs_json=json.dumps(good.to_dict("records")),
        problems_json=json.dumps([str(p) for p in problems]),
        model_version=None if scored is None else scored.model_version,
        max_mb=MAX_DRAFT_BYTES // 2**20,
    )


@router.post("/cek-risiko/unduh.xlsx")
def risk_download(
    session: PlannerPage,
    state: StateDep,
    audit: AuditDep,
    csrf: CsrfField,
    pairs: Annotated[str, Form(max_length=4_000_000)],
    problems: Annotated[str, Form(max_length=4_000_000)] = "[]",
) -> Response:
    check_csrf(session, csrf)
    try:
        frame = pd.DataFrame(json.loads(pairs), columns=["row", "nip", "position_id"])
        located = [str(p) for p in json.loads(problems)]
    except (ValueError, TypeError):
        raise InvalidInputError("Data unduhan rusak / Corrupt download data") from None
    scored = _score(session, state, audit, frame.astype({"nip": str, "position_id": str}))
    results = pd.DataFrame(
        [
            {
                "baris / row": int(row),
                "nip": r["nip"],
                "position_id": r["position_id"],
                "jabatan / position": r["position_title"],
                "unit": r["unit_name"],
                "layak / eligible": r["eligible"],
                "tidak layak karena / ineligible because": "\n".join(
                    x["text"] for x in r["ineligible_reasons"]
                ),
                "fit": r["fit"],
                "risiko / risk (%)": r["risk_percent"],
                "tingkat risiko / risk band": r["risk_band"],
            }
            for row, r in zip(frame["row"], scored.results if scored else [], strict=True)
        ]
    )
    errors = pd.DataFrame({"kesalahan / error (file:row:column)": located})
    return xlsx_response({"hasil": results, "kesalahan": errors}, filename="cek-risiko.xlsx")
