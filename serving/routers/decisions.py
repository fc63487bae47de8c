"""POST /v1/decisions: the officer's decision on a recommended move, appended to the record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from serving.audit import AuditDep, audited
from serving.auth import ApiKey, Role, require_role
from serving.decisions import DecisionLog, DecisionRecord
from serving.deps import StateDep
from serving.errors import not_found_all
from serving.schemas.common import ErrorResponse
from serving.schemas.decisions import DecisionRequest, DecisionResponse

router = APIRouter(
    prefix="/v1",
    tags=["decisions"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)

DeciderKey = Annotated[ApiKey, require_role(Role.HR, Role.PLANNER)]


def get_decision_log(request: Request) -> DecisionLog:
    log: DecisionLog = request.app.state.decisions
    return log


@router.post(
    "/decisions",
    response_model=DecisionResponse,
    status_code=201,
    summary="Catat keputusan atas rekomendasi / Record a decision on a recommendation",
    description="Rekomendasi hanyalah saran; pejabat yang memutuskan. Setiap keputusan "
    "(diterima, diubah, ditolak) dicatat tanpa bisa diubah, dengan rekomendasi seperti yang "
    "ditampilkan; perubahan dan penolakan wajib beralasan. / The recommendation is advice; the "
    "officer decides. Each decision is recorded append-only with the recommendation as shown; "
    "changes and rejections must give a reason.",
)
def record_decision(
    body: DecisionRequest,
    key: DeciderKey,
    state: StateDep,
    audit: AuditDep,
    log: Annotated[DecisionLog, Depends(get_decision_log)],
) -> DecisionResponse:
    positions = [body.position_id, *([body.chosen_position_id] if body.chosen_position_id else [])]
    unknown = {
        ("NIP", "NIP"): [] if body.nip in state.lookups.employees.index else [body.nip],
        ("Jabatan", "Position"): [p for p in positions if p not in state.lookups.positions.index],
    }
    if any(unknown.values()):
        raise not_found_all(unknown)
    row = log.append(
        DecisionRecord(
            key_label=key.label,
            role=key.role.value,
            source=body.source,
            plan_id=body.plan_id,
            nip=body.nip,
            position_id=body.position_id,
            decision=body.decision,
            chosen_position_id=body.chosen_position_id,
            reason=body.reason,
            model_version=body.shown.model_version,
            snapshot_id=body.shown.snapshot_id,
            fit=body.shown.fit,
            risk=body.shown.risk,
            reasons=list(body.shown.reasons),
            fairness_flags=list(body.shown.fairness_flags),
        )
    )
    audit.returned(
        nips=[body.nip],
        position_ids=positions,
        model_version=body.shown.model_version,
        snapshot_id=body.shown.snapshot_id,
    )
    return DecisionResponse(
        id=row["id"],
        at=row["at"],
        decided_by=key.label,
        decision=body.decision,
        nip=body.nip,
        position_id=body.position_id,
    )
