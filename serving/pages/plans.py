"""/rencana: run a round plan with its options, watch it while HiGHS works, read and download it.

The run calls the API route's own function (serving/routers/plans.py `create_plan`) in a
background job; the plan page and its downloads read the stored plan through `get_plan`, which
writes the audit record of every NIP shown.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine

from models.planning.instance import PlanOptions
from serving.audit import AuditDep, AuditRecord, audited
from serving.auth import Role
from serving.consultation import store
from serving.consultation.service import rounds_overview
from serving.deps import EngineDep, SettingsDep, StateDep
from serving.errors import ApiError, InvalidInputError, NotFoundError, _validation_message
from serving.pages.decree import decree_docx, first_of_next_month
from serving.pages.jobs import Jobs
from serving.pages.lookups import position_titles
from serving.pages.render import PageRoute, render
from serving.pages.session import PlannerPage, check_csrf
from serving.pages.sheets import DOCX_TYPE, attachment, xlsx_response
from serving.routers.employees import NAME_ROLES
from serving.routers.plans import MAX_TIME_LIMIT, create_plan, get_plan
from serving.schemas.plans import PlanRequest, PlanResponse
from serving.state import LoadedState

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

PlanId = Annotated[str, Path(max_length=100)]


def jobs_of(request: Request) -> Jobs:
    jobs = getattr(request.app.state, "page_jobs", None)
    if jobs is None:
        jobs = request.app.state.page_jobs = Jobs()
    return jobs


# The preference weights the form offers (any number from 0 to 100 may be typed instead).
PREFERENCE_WEIGHTS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)


def _form(
    request: Request,
    engine: Engine,
    *,
    status_code: int = 200,
    error: str | None = None,
    posted: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "plan_form.html",
        status_code=status_code,
        error=error,
        options=PlanOptions(),
        max_time=MAX_TIME_LIMIT,
        rounds=rounds_overview(engine),
        weights=PREFERENCE_WEIGHTS,
        posted=posted or {},
    )


@router.get("/rencana", response_class=HTMLResponse)
def plan_form(request: Request, session: PlannerPage, engine: EngineDep) -> HTMLResponse:
    return _form(request, engine)


def _plan_request(
    engine: Engine, *, options: dict[str, object], top_m: int, consultation: str, weight: str
) -> PlanRequest:
    """The API's request from the form; InvalidInputError naming the field otherwise."""
    if consultation:
        store.get_round(engine, consultation)  # NotFoundError: an unknown round
    try:
        preference_weight = float(weight.replace(",", ".")) if weight.strip() else 0.0
    except ValueError:
        raise InvalidInputError(
            f"Bobot preferensi harus angka 0-100: {weight!r} / "
            f"The preference weight must be a number from 0 to 100: {weight!r}"
        ) from None
    try:
        return PlanRequest(
            options=PlanOptions.model_validate({**options, "preference_weight": preference_weight}),
            top_m=top_m,
            consultation_id=consultation or None,
        )
    except ValidationError as exc:
        details = "; ".join(_validation_message(dict(e)) for e in exc.errors())
        raise InvalidInputError(f"Opsi tidak sah / Invalid options: {details}") from None


@router.post("/rencana")
def plan_start(
    request: Request,
    session: PlannerPage,
    state: StateDep,
    settings: SettingsDep,
    engine: EngineDep,
    csrf: Annotated[str, Form(max_length=100)],
    bobot_risiko: Annotated[float, Form()] = 1.0,
    risiko_maks: Annotated[float | None, Form()] = None,
    porsi_unit_min: Annotated[float, Form()] = 80.0,
    batas_waktu: Annotated[float, Form()] = 60.0,
    kandidat_per_slot: Annotated[int, Form()] = 30,
    konsultasi: Annotated[str, Form(max_length=36)] = "",
    bobot_preferensi: Annotated[str, Form(max_length=20)] = "0",
) -> Response:
    check_csrf(session, csrf)
    key = session.key
    assert key is not None
    try:
        body = _plan_request(
            engine,
            options={
                "risk_weight": bobot_risiko,
                "max_move_risk": None if risiko_maks is None else risiko_maks / 100,
                "min_unit_share": porsi_unit_min / 100,
                "time_limit": batas_waktu,
            },
            top_m=kandidat_per_slot,
            consultation=konsultasi,
            weight=bobot_preferensi,
        )
    except ApiError as exc:  # shown on the form, with what was posted; no plan is started
        posted = {"konsultasi": konsultasi, "bobot_preferensi": bobot_preferensi}
        return _form(request, engine, status_code=422, error=exc.message, posted=posted)

    def work() -> str:
        # The running job hands nothing out; the plan page audits what it shows.
        unshown = AuditRecord(method="POST", route="/rencana")
        return create_plan(body, key, state, settings, unshown).plan_id

    job = jobs_of(request).start(
        "plan", owner=key.label, expected_seconds=body.options.time_limit, work=work
    )
    return RedirectResponse(f"/rencana/jalan/{job.job_id}", status_code=303)


@router.get("/rencana/jalan/{job_id}", response_class=HTMLResponse)
def plan_progress(request: Request, job_id: PlanId, session: PlannerPage) -> HTMLResponse:
    assert session.key is not None
    job = jobs_of(request).get(job_id, owner=session.key.label)
    if job is None:
        raise NotFoundError("Proses tidak ditemukan / Job not found")
    if job.done and job.result:
        return RedirectResponse(f"/rencana/{job.result}", status_code=303)  # type: ignore[return-value]
    return render(request, "plan_progress.html", job=job.status())


@router.get("/rencana/jalan/{job_id}/status")
def plan_status(request: Request, job_id: PlanId, session: PlannerPage) -> JSONResponse:
    assert session.key is not None
    job = jobs_of(request).get(job_id, owner=session.key.label)
    if job is None:
        raise NotFoundError("Proses tidak ditemukan / Job not found")
    return JSONResponse(job.status(), headers={"Cache-Control": "no-store"})


def _names(state: LoadedState, plan: PlanResponse, role: Role) -> dict[str, str]:
    if role not in NAME_ROLES:
        return {}
    employees = state.lookups.employees
    nips = [m.nip for m in plan.moves if m.nip in employees.index]
    return {str(n): str(v) for n, v in employees.loc[nips, "name"].items() if pd.notna(v)}


def plan_workbook(plan: PlanResponse) -> dict[str, pd.DataFrame]:
    moves = pd.DataFrame([m.model_dump() for m in plan.moves])
    if not moves.empty:
        moves = moves.assign(training=moves["training"].map("; ".join))
    return {
        "mutasi": moves,
        "tak terisi": pd.DataFrame([u.model_dump() for u in plan.unfilled]),
        "unit": pd.DataFrame([u.model_dump() for u in plan.units]),
        "ringkasan": pd.DataFrame(
            {"ukuran / measure": list(plan.summary), "nilai / value": list(plan.summary.values())}
        ),
    }


@router.get("/rencana/{plan_id}/unduh.xlsx")
def plan_download(
    plan_id: PlanId, session: PlannerPage, settings: SettingsDep, audit: AuditDep
) -> Response:
    assert session.key is not None
    plan = get_plan(plan_id, session.key, settings, audit)
    return xlsx_response(plan_workbook(plan), filename=f"rencana-{plan.plan_id}.xlsx")


@router.get("/rencana/{plan_id}/sk.docx")
def plan_decree(
    plan_id: PlanId,
    session: PlannerPage,
    state: StateDep,
    settings: SettingsDep,
    audit: AuditDep,
    tmt: Annotated[date | None, Query()] = None,
) -> Response:
    assert session.key is not None
    plan = get_plan(plan_id, session.key, settings, audit)
    content = decree_docx(
        plan,
        titles=position_titles(state),
        names=_names(state, plan, session.key.role),
        effective=tmt or first_of_next_month(state.as_of),
    )
    return attachment(content, filename=f"draf-sk-mutasi-{plan.plan_id}.docx", media_type=DOCX_TYPE)
