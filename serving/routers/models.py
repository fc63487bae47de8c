"""GET /v1/models and POST /v1/admin/reload, for data teams."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from pipelines.registry import VersionSummary, registry_status
from serving.audit import AuditDep, audited
from serving.auth import DataKey
from serving.deps import HolderDep, SettingsDep
from serving.loading import describe_failure, settle_memory
from serving.reloads import record_reload
from serving.schemas.common import ErrorResponse
from serving.schemas.registry import ModelsResponse, ModelVersionInfo, ReloadResponse
from serving.state import StateHolder

router = APIRouter(
    prefix="/v1",
    tags=["models"],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 409, 503)},
)


def _version_info(entry: VersionSummary | None) -> ModelVersionInfo | None:
    if entry is None:
        return None
    return ModelVersionInfo(
        version=entry.version,
        snapshot_id=entry.snapshot_id or None,
        metrics={str(k): float(v) for k, v in entry.metrics.items()},
    )


@router.get(
    "/models",
    response_model=ModelsResponse,
    summary="Versi model dan metrik / Model versions and metrics",
)
def get_models(key: DataKey, settings: SettingsDep, holder: HolderDep) -> ModelsResponse:
    status = registry_status(settings)
    state = holder.state
    return ModelsResponse(
        model_name=settings.model_name,
        champion=_version_info(status.champion),
        challenger=_version_info(status.challenger),
        serving_version=None if state is None else state.model_version,
        serving_snapshot_id=None if state is None else state.snapshot_id,
    )


def reload_state(request: Request, holder: StateHolder) -> ReloadResponse:
    """Load the newest champion and snapshot; swap in only after the smoke test passes."""
    previous = holder.state
    lock = holder.try_reload_lock()
    try:
        try:
            fresh = request.app.state.loader(request.app.state.settings)
        except Exception as exc:  # the old state keeps serving; the caller is told why
            reason = describe_failure(exc)
            current = holder.state
            return ReloadResponse(
                reloaded=False,
                model_version=None if current is None else current.model_version,
                snapshot_id=None if current is None else current.snapshot_id,
                previous_model_version=None if previous is None else previous.model_version,
                message=f"Tetap memakai yang lama / Kept the current one: {reason}",
                loaded_at=None if current is None else current.loaded_at,
            )
        holder.swap(fresh)
        settle_memory()
        holder.generation = record_reload(
            request.app.state.engine,
            model_version=fresh.model_version,
            snapshot_id=fresh.snapshot_id,
        )
    finally:
        lock.release()
    return ReloadResponse(
        reloaded=True,
        model_version=fresh.model_version,
        snapshot_id=fresh.snapshot_id,
        previous_model_version=None if previous is None else previous.model_version,
        message="Model dan snapshot baru dipasang / New model and snapshot swapped in",
        loaded_at=fresh.loaded_at,
    )


@router.post(
    "/admin/reload",
    response_model=ReloadResponse,
    dependencies=[Depends(audited)],
    summary="Muat ulang champion dan snapshot / Reload champion and snapshot",
)
def reload(request: Request, key: DataKey, holder: HolderDep, audit: AuditDep) -> ReloadResponse:
    # A plain def: the slow, CPU-bound load runs in the threadpool, never in the event loop.
    result = reload_state(request, holder)
    audit.returned(nips=[], model_version=result.model_version, snapshot_id=result.snapshot_id)
    return result
