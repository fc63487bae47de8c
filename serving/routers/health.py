"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from serving.deps import HolderDep
from serving.schemas.common import HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse, summary="Proses hidup / Liveness")
def healthz() -> HealthResponse:
    return HealthResponse(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    summary="Model dan data termuat / Readiness",
    responses={503: {"model": ReadyResponse, "description": "Belum siap / Not ready"}},
)
def readyz(holder: HolderDep) -> ReadyResponse | JSONResponse:
    state = holder.state
    if state is None:
        body = ReadyResponse(
            ready=False,
            model_version=None,
            snapshot_id=None,
            as_of=None,
            reason=holder.reason,
            generation=holder.generation,
        )
        return JSONResponse(status_code=503, content=body.model_dump(mode="json"))
    return ReadyResponse(
        ready=True,
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
        as_of=state.as_of,
        reason=None,
        generation=holder.generation,
    )
