"""GET /v1/staffing: ABK staffing balance per unit or per position (role planner)."""

from __future__ import annotations

import math
from typing import Literal

from fastapi import APIRouter, Query

from models.planning.staffing import position_balance, unit_balance
from serving.auth import PlannerKey
from serving.deps import StateDep
from serving.errors import NotFoundError
from serving.schemas.common import ErrorResponse
from serving.schemas.staffing import BalanceRow, StaffingResponse

router = APIRouter(
    prefix="/v1",
    tags=["staffing"],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


@router.get(
    "/staffing",
    response_model=StaffingResponse,
    summary="Neraca kebutuhan pegawai (ABK) / Staffing balance (ABK)",
)
def staffing(
    key: PlannerKey,
    state: StateDep,
    by: Literal["unit", "position"] = Query("unit", description="unit atau position"),
    unit_id: str | None = Query(None, max_length=200, description="Hanya unit ini / Only this"),
) -> StaffingResponse:
    balance = position_balance(state.data.positions, state.data.employees)
    table = unit_balance(balance) if by == "unit" else balance
    if unit_id is not None:
        table = table.loc[table["unit_id"] == unit_id]
        if table.empty:
            raise NotFoundError(f"Unit tidak ditemukan: {unit_id} / Unit not found: {unit_id}")
    rows = [
        BalanceRow(
            unit_id=str(row["unit_id"]),
            position_id=str(row["position_id"]) if by == "position" else None,
            need=int(row["need"]),
            headcount=int(row["headcount"]),
            surplus=int(row["surplus"]),
            shortage=int(row["shortage"]),
            workload_hours=_number(row["workload_hours"]),
            effectiveness_ratio=_number(row["effectiveness_ratio"]),
            load_ratio=_number(row["load_ratio"]),
        )
        for row in table.to_dict(orient="records")
    ]
    return StaffingResponse(snapshot_id=state.snapshot_id, by=by, rows=rows)
