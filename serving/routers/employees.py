"""GET /v1/employees/{nip}: one civil servant's summary for HR (and planners, without name)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Path

from models.contract.enums import NIP_LENGTH, EmploymentType, JobType, SkpRating
from serving.audit import AuditDep, audited
from serving.auth import ApiKey, Role, require_role
from serving.deps import StateDep
from serving.errors import not_found
from serving.schemas.common import NIP_PATTERN, ErrorResponse, PositionRef
from serving.schemas.employees import EmployeeSummary, RatingEntry
from serving.state import LoadedState

# Roles that may see a person's name; every other caller gets `name: null`.
NAME_ROLES: frozenset[Role] = frozenset({Role.HR, Role.ADMIN})
LAST_RATINGS = 3
_DAYS_PER_YEAR = 365.25

router = APIRouter(
    prefix="/v1/employees",
    tags=["employees"],
    dependencies=[Depends(audited)],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)

NipPath = Annotated[
    str, Path(pattern=NIP_PATTERN, description=f"NIP, {NIP_LENGTH} digit / {NIP_LENGTH} digits")
]
EmployeeReader = Annotated[ApiKey, require_role(Role.HR, Role.PLANNER)]


def _years(since: pd.Timestamp, as_of: date) -> float:
    if pd.isna(since):
        return 0.0
    return round(max((pd.Timestamp(as_of) - since).days, 0) / _DAYS_PER_YEAR, 2)


def position_ref(state: LoadedState, position_id: str) -> PositionRef:
    row: dict[Any, Any] = state.lookups.positions.loc[position_id].to_dict()
    return PositionRef(
        position_id=position_id,
        title=str(row["title"]),
        job_type=JobType(row["job_type"]),
        grade=int(row["grade"]),
        unit_id=str(row["unit_id"]),
        unit_name=str(row["unit_name"]),
        sector=str(row["sector"]),
        region_code=str(row["region_code"]),
    )


def last_ratings(state: LoadedState, nip: str, *, limit: int = LAST_RATINGS) -> list[RatingEntry]:
    performance = state.lookups.performance
    if nip not in performance.index:
        return []
    rows = performance.loc[[nip]].sort_values("year", ascending=False).head(limit)
    return [
        RatingEntry(
            year=int(r["year"]),
            rating=SkpRating(r["rating"]),
            score=None if pd.isna(r["score"]) else float(r["score"]),
            position_id=str(r["position_id"]),
        )
        for r in rows.to_dict("records")
    ]


def employee_summary(state: LoadedState, nip: str, *, with_name: bool) -> EmployeeSummary:
    employees = state.lookups.employees
    if nip not in employees.index:
        raise not_found("NIP", "NIP", [nip])
    row: dict[Any, Any] = employees.loc[nip].to_dict()
    name = row["name"] if with_name and not pd.isna(row["name"]) else None
    return EmployeeSummary(
        nip=nip,
        name=None if name is None else str(name),
        employment_type=EmploymentType(row["employment_type"]),
        golongan=None if pd.isna(row["rank"]) else str(row["rank"]),
        education_level=str(row["education_level"]),
        current_position=position_ref(state, str(row["position_id"])),
        position_start=row["position_start"].date(),
        years_in_position=_years(row["position_start"], state.as_of),
        years_of_service=_years(row["service_start"], state.as_of),
        talent_box=None if pd.isna(row["talent_box"]) else int(row["talent_box"]),
        last_ratings=last_ratings(state, nip),
        as_of=state.as_of,
    )


@router.get(
    "/{nip}",
    response_model=EmployeeSummary,
    summary="Ringkasan pegawai / Employee summary",
    description="Jabatan, masa jabatan, SKP terakhir, kotak talenta. Nama hanya untuk hr/admin. "
    "/ Current post, tenure, last ratings, talent box. Name only for hr/admin.",
)
def get_employee(
    nip: NipPath, key: EmployeeReader, state: StateDep, audit: AuditDep
) -> EmployeeSummary:
    summary = employee_summary(state, nip, with_name=key.role in NAME_ROLES)
    audit.returned(
        nips=[nip],
        position_ids=[summary.current_position.position_id],
        model_version=state.model_version,
        snapshot_id=state.snapshot_id,
    )
    return summary
