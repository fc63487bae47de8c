"""The shortlist's response: ranked candidates with fit, risk, reasons and training."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from serving.schemas.common import (
    Eligible,
    Factor,
    Fairness,
    Fit,
    IneligibleReasons,
    Risk,
    RiskBandField,
    RiskPercent,
    Strict,
    TrainingSuggestion,
)


class Candidate(Strict):
    rank: int = Field(description="Urutan dalam daftar / Position in the list (1 = best)")
    nip: str = Field(description="NIP")
    name: str | None = Field(description="Nama, hanya untuk peran hr/admin / Name, hr/admin only")
    current_position_id: str = Field(description="Jabatan sekarang / Current position")
    current_position_title: str = Field(description="Nama jabatan sekarang / Current title")
    current_unit_id: str = Field(description="Unit kerja sekarang / Current work unit")
    current_unit_name: str = Field(description="Nama unit sekarang / Current unit name")
    sector: str = Field(description="Sektor unit sekarang / Sector of the current unit")
    region_code: str = Field(description="Kode wilayah BPS unit sekarang / Region of the unit")
    golongan: str | None = Field(description="Pangkat/golongan, e.g. III/a")
    eligible: Eligible
    ineligible_reasons: IneligibleReasons
    fit: Fit
    risk: Risk
    risk_percent: RiskPercent
    risk_band: RiskBandField
    reasons: list[Factor] = Field(description="Faktor utama fit dan risiko / Top factors")
    suggested_training: list[TrainingSuggestion] = Field(
        description="Pelatihan pra-mutasi yang disarankan / Suggested pre-transfer training"
    )


class ShortlistResponse(Strict):
    position_id: str = Field(description="Jabatan yang diisi / Position to fill")
    title: str = Field(description="Nama jabatan / Position title")
    unit_id: str = Field(description="Unit kerja jabatan / Unit of the position")
    unit_name: str = Field(description="Nama unit / Unit name")
    model_version: str = Field(description="Versi model yang dipakai / Model version used")
    snapshot_id: str = Field(description="Snapshot data yang dipakai / Data snapshot used")
    as_of: date = Field(description="Tanggal acuan / Reference date")
    pool_size: int = Field(description="Kandidat setelah filter / Candidates after filters")
    eligible_count: int = Field(description="Kandidat yang memenuhi aturan / Eligible ones")
    candidates: list[Candidate] = Field(description="Kandidat layak, fit tertinggi dulu")
    near_misses: list[Candidate] = Field(
        description="Kandidat tidak layak (include_ineligible=true) / Ineligible near-misses"
    )
    fairness: Fairness = Field(
        description="Tingkat seleksi k teratas dari kumpulan layak per jenis kelamin dan kelompok "
        "usia / Selection rates of the top k within the eligible pool by gender and age band"
    )
