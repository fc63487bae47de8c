"""/model (role data): versions, the gate's comparison, figures, and promote/rollback/retrain.

The buttons call the same code as the CLI (pipelines/registry.py `promote`, `rollback`;
pipelines/train.py `run_training`), then reload the served state the way POST
/v1/admin/reload does, so the console serves what the registry now says.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipelines import registry
from pipelines.model_report import VersionReport, version_report
from serving.audit import AuditDep, audited
from serving.deps import HolderDep, SettingsDep
from serving.pages.plans import jobs_of
from serving.pages.render import PageRoute, render
from serving.pages.session import DataPage, check_csrf
from serving.routers.models import reload_state

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(audited)])

CsrfField = Annotated[str, Form(max_length=100)]
TRAINING_EXPECTED_SECONDS = 300.0


def _report(request: Request, summary: registry.VersionSummary) -> VersionReport:
    """Artifacts of a version never change: fetched once per process."""
    cache: dict[str, VersionReport] = request.app.state.__dict__.setdefault("model_reports", {})
    if summary.version not in cache:
        cache[summary.version] = version_report(request.app.state.settings, summary)
    return cache[summary.version]


@router.get("/model", response_class=HTMLResponse)
def models_page(
    request: Request, session: DataPage, settings: SettingsDep, holder: HolderDep
) -> HTMLResponse:
    status = registry.registry_status(settings)
    shown = status.champion or (status.versions[0] if status.versions else None)
    report = None if shown is None else _report(request, shown)
    figures = {
        name: base64.b64encode(png).decode("ascii")
        for name, png in (report.figures.items() if report else ())
    }
    state = holder.state
    job_id = request.query_params.get("latih")
    job = jobs_of(request).get(job_id, owner=session.key.label) if job_id and session.key else None
    return render(
        request,
        "models.html",
        status=status,
        shown=shown,
        gate=None if report is None else report.tables.get("gate"),
        comparison=None if report is None else report.tables.get("models"),
        figures=figures,
        serving_version=None if state is None else state.model_version,
        action=ACTIONS.get(request.query_params.get("aksi", "")),
        action_version=request.query_params.get("versi", "")[:10],
        job=None if job is None else job.status(),
    )


ACTIONS = {
    "promosi": ("@champion dipindah ke versi", "@champion moved to version"),
    "kembalikan": ("@champion dikembalikan ke versi", "@champion rolled back to version"),
}
CHANGES = {"promosi": registry.promote, "kembalikan": registry.rollback}  # the CLI's own code


@router.post("/model/latih")
def retrain(request: Request, session: DataPage, holder: HolderDep, csrf: CsrfField) -> Response:
    check_csrf(session, csrf)
    assert session.key is not None
    settings = request.app.state.settings

    def work() -> str:
        from pipelines.train import run_training

        result = run_training(settings)
        if result.promoted:
            reload_state(request, holder)  # touches only request.app, safe after the response
        verdict = "dipromosikan / promoted" if result.promoted else "tidak lolos gerbang / gated"
        return f"v{result.version}: {verdict}"

    job = jobs_of(request).start(
        "train", owner=session.key.label, expected_seconds=TRAINING_EXPECTED_SECONDS, work=work
    )
    return RedirectResponse(f"/model?latih={job.job_id}", status_code=303)


@router.post("/model/{action}")
def change_champion(
    request: Request,
    action: Annotated[Literal["promosi", "kembalikan"], Path()],
    session: DataPage,
    holder: HolderDep,
    audit: AuditDep,
    csrf: CsrfField,
) -> Response:
    """Promote @challenger (through the gate) or roll back, then serve the new @champion."""
    check_csrf(session, csrf)
    version = CHANGES[action](request.app.state.settings)
    audit.returned(nips=[], model_version=version)
    reload_state(request, holder)
    return RedirectResponse(f"/model?aksi={action}&versi={version}", status_code=303)
