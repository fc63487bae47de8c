"""GET /v1/fairness: the fairness report of the served @champion model (aggregates only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from pipelines.fairness import champion_fairness
from serving.auth import ApiKey, Role, require_role
from serving.deps import SettingsDep
from serving.schemas.common import ErrorResponse, FairnessGroup, Strict, rows_as

router = APIRouter(
    prefix="/v1",
    tags=["fairness"],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 503)},
)

FairnessReader = Annotated[ApiKey, require_role(Role.DATA, Role.HR, Role.PLANNER)]


class ModelFairness(Strict):
    model_version: str = Field(description="Versi @champion / Champion version")
    groups: list[FairnessGroup] = Field(
        description="Seleksi daftar pendek per kelompok / Shortlist selection per group"
    )
    flags: list[str] = Field(description="Temuan / Findings (Indonesian / English)")


@router.get(
    "/fairness",
    response_model=ModelFairness,
    summary="Laporan keadilan model juara / Fairness report of the champion",
    description="Tingkat seleksi dan rasio dampak menurut jenis kelamin dan kelompok usia dari "
    "daftar pendek model juara (aturan empat per lima). / Selection rates and impact ratios by "
    "gender and age band of the champion's shortlists (four-fifths rule).",
)
def get_fairness(key: FairnessReader, settings: SettingsDep) -> ModelFairness:
    report = champion_fairness(settings)
    return ModelFairness(
        model_version=report.version,
        groups=rows_as(FairnessGroup, report.groups.astype({"group": str})),
        flags=report.flags,
    )
