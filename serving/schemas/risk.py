"""POST /v1/risk: pairs in, eligibility, fit and risk out."""

from __future__ import annotations

from pydantic import Field

from serving.schemas.common import (
    MAX_RISK_PAIRS,
    Eligible,
    Fit,
    IneligibleReasons,
    Nip,
    PositionId,
    Risk,
    RiskBandField,
    RiskPercent,
    Strict,
)


class RiskPair(Strict):
    nip: Nip
    position_id: PositionId


class RiskRequest(Strict):
    pairs: list[RiskPair] = Field(
        min_length=1,
        max_length=MAX_RISK_PAIRS,
        description=f"Pasangan (nip, position_id), maksimal {MAX_RISK_PAIRS} / at most that many",
    )


class RiskResult(Strict):
    nip: str = Field(description="NIP")
    position_id: str = Field(description="position_id")
    position_title: str = Field(description="Nama jabatan / Position title")
    unit_name: str = Field(description="Nama unit jabatan / Unit of the position")
    eligible: Eligible
    ineligible_reasons: IneligibleReasons
    fit: Fit
    risk: Risk
    risk_percent: RiskPercent
    risk_band: RiskBandField


class RiskResponse(Strict):
    model_version: str = Field(description="Versi model yang dipakai / Model version used")
    snapshot_id: str = Field(description="Snapshot data yang dipakai / Data snapshot used")
    results: list[RiskResult] = Field(description="Satu per pasangan, urutan sama / Same order")
