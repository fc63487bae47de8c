"""GET /v1/employees/{nip}/training-plan?position_id=: pre-transfer training (role hr).

The planner (models/planning/training_plan.py) is part of the loaded state: built with the
model and snapshot (realised training gains are estimated from the snapshot's assessments),
smoke-tested with them and dropped with them on a reload. The shortlist's suggestions
(serving/training.py) and POST /v1/plans use the same planner.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, cast

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query

from models.features.build import UnknownEmployeeError
from models.planning.training_plan import TrainingPlan, UnknownPositionError
from serving.audit import AuditDep, audited
from serving.auth import HrKey
from serving.deps import StateDep
from serving.errors import NotFoundError
from serving.schemas.common import (
    NIP_PATTERN,
    ErrorResponse,
    PositionId,
    rows_as,
)
from serving.schemas.employees import Gap, TrainingOption, TrainingPlanResponse

router = APIRouter(
    prefix="/v1",
    tags=["training"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], frame.to_dict(orient="records"))


def _response(plan: TrainingPlan, model_version: str) -> TrainingPlanResponse:
    gaps = [
        Gap(
            competency=str(g["competency"]),
            current_level=None if math.isnan(g["current_level"]) else float(g["current_level"]),
            level_known=not math.isnan(g["current_level"]),
            required_level=float(g["required_level"]),
            gap=float(g["gap"]),
        )
        for g in _records(plan.gaps)
    ]
    texts = {"training_id": str, "name": str, "competency": str, "text": str}
    options = rows_as(TrainingOption, plan.trainings.astype(texts))
    return TrainingPlanResponse(
        nip=plan.nip,
        position_id=plan.position_id,
        model_version=model_version,
        fit_before=round(plan.fit_before, 2),
        fit_after=round(plan.fit_after, 2),
        total_hours=plan.total_hours,
        gaps=gaps,
        trainings=options,
    )


@router.get(
    "/employees/{nip}/training-plan",
    response_model=TrainingPlanResponse,
    summary="Rencana pelatihan pra-mutasi / Pre-transfer training plan",
    description="Kesenjangan kompetensi terhadap standar jabatan dan pelatihan yang paling "
    "menaikkan fit. / Competency gaps against the position standard and the trainings that "
    "raise the expected fit most.",
)
def training_plan(
    nip: Annotated[str, Path(pattern=NIP_PATTERN, description="NIP (18 digit)")],
    position_id: Annotated[PositionId, Query(description="Jabatan tujuan / Target position")],
    key: HrKey,
    state: StateDep,
    audit: AuditDep,
) -> TrainingPlanResponse:
    try:
        plan = state.planner.plan(nip, position_id)
    except (UnknownEmployeeError, UnknownPositionError) as exc:
        raise NotFoundError(exc.message) from None
    audit.returned(
        nips=[nip],
        position_ids=[position_id],
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return _response(plan, state.model_version)
