"""/pegawai/{nip}: one employee's post, tenure, SKP history, talent box and training plan.

The summary and the training plan come from the API routes' own functions
(serving/routers/employees.py, serving/routers/training.py): the name only for the roles the
API shows it to, the training plan only for HR, and the same audit record.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from models.contract.enums import SKP_RATING_VALUE
from serving.audit import AuditDep, audited
from serving.auth import Role
from serving.deps import StateDep
from serving.pages.charts import rating_history
from serving.pages.dashboard import open_positions
from serving.pages.render import PageRoute, render
from serving.pages.session import EmployeePage, HrPage
from serving.routers.employees import NAME_ROLES, NipPath, get_employee, last_ratings
from serving.routers.explanation import employee_explanation
from serving.routers.training import training_plan

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

HISTORY_YEARS = 10
# The explanation document holds self-contained HTML with its own small stylesheet.
EXPLANATION_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
TRAINING_ROLES = frozenset({Role.HR, Role.ADMIN})


@router.get("/pegawai/{nip}", response_class=HTMLResponse)
def employee_page(
    request: Request,
    nip: NipPath,
    session: EmployeePage,
    state: StateDep,
    audit: AuditDep,
    jabatan: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    key = session.key
    assert key is not None
    summary = get_employee(nip, key, state, audit)
    history = last_ratings(state, nip, limit=HISTORY_YEARS)[::-1]
    chart = rating_history([(str(r.year), SKP_RATING_VALUE[r.rating]) for r in history])
    plan = None
    if jabatan and key.role in TRAINING_ROLES:
        shown = list(audit.position_ids)
        plan = training_plan(nip, jabatan, key, state, audit)
        audit.position_ids = list(dict.fromkeys([*shown, jabatan]))
    return render(
        request,
        "employee.html",
        summary=summary,
        history=history,
        chart=chart,
        chart_figures=chart.figures(),
        plan=plan,
        position_id=jabatan,
        can_plan=key.role in TRAINING_ROLES,
        open_positions=open_positions(state, limit=300) if key.role in TRAINING_ROLES else [],
        name_hidden=key.role not in NAME_ROLES,
    )


@router.get("/pegawai/{nip}/penjelasan")
def explanation_document(
    nip: NipPath,
    session: HrPage,
    state: StateDep,
    audit: AuditDep,
    jabatan: Annotated[str, Query(min_length=1, max_length=200)],
    format: Annotated[Literal["html", "docx"], Query()] = "html",
) -> Response:
    """The employee's explanation for a chosen position, by the API route's own function."""
    assert session.key is not None
    response = employee_explanation(
        nip=nip, position_id=jabatan, key=session.key, state=state, audit=audit, format=format
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = EXPLANATION_POLICY
    return response
