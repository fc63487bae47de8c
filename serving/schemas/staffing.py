"""GET /v1/staffing: the ABK balance per unit or position."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from serving.schemas.common import (
    Strict,
)


class BalanceRow(Strict):
    unit_id: str = Field(description="Unit kerja / Work unit")
    position_id: str | None = Field(description="Jabatan (per jabatan saja) / Position")
    need: int = Field(description="Kebutuhan ABK / ABK need")
    headcount: int = Field(description="Pegawai sekarang / Current headcount")
    surplus: int = Field(description="Kelebihan / Surplus")
    shortage: int = Field(description="Kekurangan / Shortage")
    workload_hours: float | None = Field(description="Beban kerja (jam/tahun) / Workload hours")
    effectiveness_ratio: float | None = Field(
        description="Beban kerja / (kebutuhan x 1250) / Workload over need x 1250 hours"
    )
    load_ratio: float | None = Field(
        description="Beban kerja / (pegawai x 1250) / Workload over headcount x 1250 hours"
    )


class StaffingResponse(Strict):
    snapshot_id: str = Field(description="Snapshot data / Data snapshot")
    by: Literal["unit", "position"] = Field(description="Tingkat rincian / Level of detail")
    rows: list[BalanceRow] = Field(description="Neraca per baris / Balance per row")
