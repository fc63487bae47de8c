"""/jabatan/{position_id}: the shortlist page, and its download as Excel.

Both call the API route's own function (serving/routers/shortlist.py `get_shortlist`), so the
page, the workbook and GET /v1/positions/{position_id}/shortlist list the same candidates in
the same order, and write the same audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.contract.enums import GOLONGAN
from serving.audit import AuditDep, AuditRecord, audited
from serving.deps import StateDep
from serving.pages.decisions import (
    CHOICES,
    DecisionForm,
    Failed,
    decide,
    decided,
    shown_lines,
    sign_shown,
)
from serving.pages.lookups import BAND_WORDS, FAIRNESS_ATTRIBUTES, unit_names
from serving.pages.render import PageRoute, render
from serving.pages.session import HrPage, Session
from serving.pages.sheets import safe_filename, xlsx_response
from serving.routers.decisions import get_decision_log
from serving.routers.shortlist import get_shortlist
from serving.schemas.shortlist import Candidate, ShortlistResponse
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

PositionPath = Annotated[str, Path(min_length=1, max_length=200)]


class Filters:
    """The shortlist's filters as the form sends them (empty fields: no filter)."""

    def __init__(
        self,
        sektor: Annotated[str, Query(max_length=100)] = "",
        wilayah: Annotated[str, Query(max_length=20)] = "",
        risiko_maks: Annotated[float | None, Query(ge=0, le=100)] = None,
        golongan_min: Annotated[str, Query(max_length=6)] = "",
        jumlah: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> None:
        self.sector, self.region = sektor or None, wilayah or None
        self.max_risk_percent = risiko_maks
        self.min_rank = golongan_min or None
        self.k = jumlah

    def run(
        self, position_id: str, session: Session, state: LoadedState, audit: AuditRecord
    ) -> ShortlistResponse:
        assert session.key is not None
        return get_shortlist(
            position_id=position_id,
            key=session.key,
            state=state,
            audit=audit,
            k=self.k,
            include_ineligible=True,
            sector=self.sector,
            region=self.region,
            max_risk=None if self.max_risk_percent is None else self.max_risk_percent / 100,
            min_rank=self.min_rank,
        )


FiltersDep = Annotated[Filters, Depends()]
PostedDecision = Annotated[DecisionForm, Depends(DecisionForm.posted)]


def _choices(state: LoadedState) -> dict[str, list[str]]:
    employees = state.lookups.employees
    return {
        "sectors": sorted(str(s) for s in employees["sector"].dropna().unique()),
        "regions": sorted(str(r) for r in employees["region_code"].dropna().unique()),
        "ranks": list(GOLONGAN),
    }


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    token: str  # the candidate as shown, signed (serving/pages/decisions.py)
    decision: dict[str, str] | None


def _shortlist_view(
    request: Request,
    *,
    position_id: str,
    session: Session,
    state: LoadedState,
    audit: AuditRecord,
    filters: Filters,
    failed: Failed | None = None,
) -> HTMLResponse:
    result = filters.run(position_id, session, state, audit)
    latest = get_decision_log(request).latest(source="shortlist", position_id=result.position_id)
    flags = shown_lines(result.fairness.flags)
    rows = [
        CandidateRow(
            candidate=c,
            token=sign_shown(
                request,
                source="shortlist",
                plan_id=None,
                nip=c.nip,
                position_id=result.position_id,
                label=f"Kandidat #{c.rank} / Candidate #{c.rank}",
                model_version=result.model_version,
                snapshot_id=result.snapshot_id,
                fit=c.fit,
                risk=c.risk,
                reasons=shown_lines([f.text for f in c.reasons]),
                fairness_flags=flags,
            ),
            decision=decided(latest.get((c.nip, result.position_id))),
        )
        for c in result.candidates
    ]
    query = str(request.url.query)
    return render(
        request,
        "shortlist.html",
        status_code=422 if failed else 200,
        result=result,
        rows=rows,
        fairness=result.fairness,
        attributes=FAIRNESS_ATTRIBUTES,
        bands=BAND_WORDS,
        choices=CHOICES,
        failed=failed,
        filters=filters,
        options=_choices(state),
        units=unit_names(state),
        query=query,
        action=f"/jabatan/{quote(result.position_id, safe='')}/keputusan"
        + (f"?{query}" if query else ""),
    )


@router.get("/jabatan/{position_id}", response_class=HTMLResponse)
def shortlist_page(
    request: Request,
    position_id: PositionPath,
    session: HrPage,
    state: StateDep,
    audit: AuditDep,
    filters: FiltersDep,
) -> HTMLResponse:
    return _shortlist_view(
        request,
        position_id=position_id,
        session=session,
        state=state,
        audit=audit,
        filters=filters,
    )


@router.post("/jabatan/{position_id}/keputusan")
def shortlist_decision(
    request: Request,
    position_id: PositionPath,
    session: HrPage,
    state: StateDep,
    audit: AuditDep,
    filters: FiltersDep,
    form: PostedDecision,
) -> Response:
    outcome = decide(
        request,
        session=session,
        form=form,
        state=state,
        audit=audit,
        expected={"source": "shortlist", "position_id": position_id},
    )
    if outcome.error is None:
        query = str(request.url.query)
        target = f"/jabatan/{quote(position_id, safe='')}" + (f"?{query}" if query else "")
        return RedirectResponse(target, status_code=303)
    failed = Failed(
        nip=str(outcome.shown["nip"]),
        position_id=position_id,
        message=outcome.error,
        reason=form.reason,
        other_post=form.other_post,
    )
    return _shortlist_view(
        request,
        position_id=position_id,
        session=session,
        state=state,
        audit=audit,
        filters=filters,
        failed=failed,
    )


def candidate_rows(candidates: list[Candidate]) -> pd.DataFrame:
    """One row per candidate, in the response's order, with reasons and trainings as text."""
    return pd.DataFrame(
        [
            {
                "peringkat / rank": c.rank,
                "nip": c.nip,
                "nama / name": c.name,
                "jabatan sekarang / current position": c.current_position_id,
                "unit sekarang / current unit": c.current_unit_id,
                "sektor / sector": c.sector,
                "wilayah / region": c.region_code,
                "golongan": c.golongan,
                "layak / eligible": c.eligible,
                "fit": c.fit,
                "risiko / risk": c.risk,
                "alasan / reasons": "\n".join(f.text for f in c.reasons),
                "tidak layak karena / ineligible because": "\n".join(
                    r["text"] for r in c.ineligible_reasons
                ),
                "pelatihan / training": "\n".join(
                    f"{t.name} ({t.hours:g} JP)" for t in c.suggested_training
                ),
            }
            for c in candidates
        ],
        columns=[
            "peringkat / rank", "nip", "nama / name", "jabatan sekarang / current position",
            "unit sekarang / current unit", "sektor / sector", "wilayah / region", "golongan",
            "layak / eligible", "fit", "risiko / risk", "alasan / reasons",
            "tidak layak karena / ineligible because", "pelatihan / training",
        ],
    )  # fmt: skip


def shortlist_workbook(result: ShortlistResponse) -> dict[str, pd.DataFrame]:
    about = pd.DataFrame(
        {
            "keterangan / field": ["position_id", "jabatan / title", "unit", "model", "snapshot"],
            "nilai / value": [
                result.position_id,
                result.title,
                result.unit_id,
                result.model_version,
                result.snapshot_id,
            ],
        }
    )
    return {
        "kandidat": candidate_rows(result.candidates),
        "hampir layak": candidate_rows(result.near_misses),
        "tentang": about,
    }


@router.get("/jabatan/{position_id}/unduh.xlsx")
def shortlist_download(
    position_id: PositionPath,
    session: HrPage,
    state: StateDep,
    audit: AuditDep,
    filters: FiltersDep,
) -> Response:
    result = filters.run(position_id, session, state, audit)
    return xlsx_response(
        shortlist_workbook(result), filename=safe_filename(f"daftar-pendek-{position_id}.xlsx")
    )
