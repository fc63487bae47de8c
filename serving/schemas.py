"""Request and response models of the API. Enum values come from models/contract/enums.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from models.contract.enums import NIP_LENGTH, EmploymentType, JobType, SkpRating

MAX_SHORTLIST_K = 200
MAX_RISK_PAIRS = 10_000
NIP_PATTERN = rf"^\d{{{NIP_LENGTH}}}$"

Nip = Annotated[
    str,
    StringConstraints(pattern=NIP_PATTERN),
    Field(description="NIP: 18 digit / 18 digits", examples=["198503122010011001"]),
]
PositionId = Annotated[
    str, StringConstraints(min_length=1, max_length=200), Field(description="position_id")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


StrictModel = TypeVar("StrictModel", bound=Strict)


def rows_as(model: type[StrictModel], frame: pd.DataFrame) -> list[StrictModel]:
    """One `model` per row of `frame`, from the columns named like its fields."""
    rows = frame[list(model.model_fields)].to_dict(orient="records")
    return [model.model_validate(row) for row in rows]


class HealthResponse(Strict):
    status: Literal["ok"] = Field(description="Proses hidup / Process is alive")


class ReadyResponse(Strict):
    ready: bool = Field(description="Model dan snapshot termuat / Models and snapshot loaded")
    model_version: str | None = Field(description="Versi model @champion yang dilayani")
    snapshot_id: str | None = Field(description="Snapshot data yang dilayani / Data snapshot")
    as_of: date | None = Field(description="Tanggal acuan fitur / Reference date of features")
    reason: str | None = Field(description="Mengapa belum siap / Why not ready")
    generation: int = Field(
        description="Pemuatan ulang terakhir yang diikuti / Last reload followed"
    )


# The scores of a (nip, position_id) pair, described once for every response that carries them.
Eligible = Annotated[bool, Field(description="Memenuhi aturan mutasi / Passes the transfer policy")]
Fit = Annotated[float, Field(description="Perkiraan kinerja 1–5 / Expected post-move rating 1–5")]
Risk = Annotated[float, Field(description="Peluang resistensi 0–1 / Probability of resistance 0–1")]


class IneligibleReason(Strict):
    code: str = Field(description="Kode alasan stabil / Stable reason code")
    text: str = Field(description="Penjelasan / Explanation (Indonesian / English)")


IneligibleReasons = Annotated[
    list[IneligibleReason], Field(description="Aturan yang gagal / Rules")
]


class Factor(Strict):
    target: Literal["fit", "risk"] = Field(description="Skor yang dijelaskan / Score explained")
    feature: str = Field(description="Nama fitur / Feature name")
    contribution: float = Field(description="Kontribusi (pred_contrib LightGBM) ke skor")
    text: str = Field(description="Kalimat singkat / Short sentence (Indonesian / English)")


class TrainingRef(Strict):
    """A catalogue training as the API shows it; suggestions and plan options add their fit."""

    training_id: str = Field(description="training_id dari katalog / from the catalogue")
    name: str = Field(description="Nama pelatihan / Training name")
    competency: str = Field(description="Kompetensi yang ditingkatkan / Competency raised")
    hours: float = Field(description="Jam pelajaran (JP) / Hours")


class TrainingSuggestion(TrainingRef):
    expected_fit: float = Field(
        description="Perkiraan fit setelah pelatihan yang disarankan / Expected fit after the "
        "suggested trainings (in the training-plan route: after this training alone)"
    )


class Candidate(Strict):
    rank: int = Field(description="Urutan dalam daftar / Position in the list (1 = best)")
    nip: str = Field(description="NIP")
    name: str | None = Field(description="Nama, hanya untuk peran hr/admin / Name, hr/admin only")
    current_position_id: str = Field(description="Jabatan sekarang / Current position")
    current_unit_id: str = Field(description="Unit kerja sekarang / Current work unit")
    sector: str = Field(description="Sektor unit sekarang / Sector of the current unit")
    region_code: str = Field(description="Kode wilayah BPS unit sekarang / Region of the unit")
    golongan: str | None = Field(description="Pangkat/golongan, e.g. III/a")
    eligible: Eligible
    ineligible_reasons: IneligibleReasons
    fit: Fit
    risk: Risk
    reasons: list[Factor] = Field(description="Faktor utama fit dan risiko / Top factors")
    suggested_training: list[TrainingSuggestion] = Field(
        description="Pelatihan pra-mutasi yang disarankan / Suggested pre-transfer training"
    )


class ShortlistResponse(Strict):
    position_id: str = Field(description="Jabatan yang diisi / Position to fill")
    title: str = Field(description="Nama jabatan / Position title")
    unit_id: str = Field(description="Unit kerja jabatan / Unit of the position")
    model_version: str = Field(description="Versi model yang dipakai / Model version used")
    snapshot_id: str = Field(description="Snapshot data yang dipakai / Data snapshot used")
    as_of: date = Field(description="Tanggal acuan / Reference date")
    pool_size: int = Field(description="Kandidat setelah filter / Candidates after filters")
    eligible_count: int = Field(description="Kandidat yang memenuhi aturan / Eligible ones")
    candidates: list[Candidate] = Field(description="Kandidat layak, fit tertinggi dulu")
    near_misses: list[Candidate] = Field(
        description="Kandidat tidak layak (include_ineligible=true) / Ineligible near-misses"
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
    eligible: Eligible
    ineligible_reasons: IneligibleReasons
    fit: Fit
    risk: Risk


class RiskResponse(Strict):
    model_version: str = Field(description="Versi model yang dipakai / Model version used")
    snapshot_id: str = Field(description="Snapshot data yang dipakai / Data snapshot used")
    results: list[RiskResult] = Field(description="Satu per pasangan, urutan sama / Same order")


class PositionRef(Strict):
    position_id: str = Field(description="position_id")
    title: str = Field(description="Nama jabatan / Title")
    job_type: JobType = Field(description="Jenis jabatan / Job type")
    grade: int = Field(description="Kelas jabatan / Grade 1–17")
    unit_id: str = Field(description="unit_id")
    unit_name: str = Field(description="Nama unit / Unit name")
    sector: str = Field(description="Sektor / Sector")
    region_code: str = Field(description="Kode wilayah BPS / BPS region code")


class RatingEntry(Strict):
    year: int = Field(description="Tahun penilaian SKP / Appraisal year")
    rating: SkpRating = Field(description="Predikat SKP / SKP rating")
    score: float | None = Field(description="Nilai numerik / Numeric score")
    position_id: str = Field(description="Jabatan saat itu / Position held that year")


class EmployeeSummary(Strict):
    nip: str = Field(description="NIP")
    name: str | None = Field(description="Nama, hanya untuk peran hr/admin / Name, hr/admin only")
    employment_type: EmploymentType = Field(description="PNS atau PPPK")
    golongan: str | None = Field(description="Pangkat/golongan / Rank")
    education_level: str = Field(description="Pendidikan terakhir / Education level")
    current_position: PositionRef = Field(description="Jabatan sekarang / Current post")
    position_start: date = Field(description="TMT jabatan / Start in the current position")
    years_in_position: float = Field(description="Masa jabatan (tahun) / Tenure in post (years)")
    years_of_service: float = Field(description="Masa kerja (tahun) / Years of service")
    talent_box: int | None = Field(description="Kotak talenta 1–9 / 9-box placement")
    last_ratings: list[RatingEntry] = Field(description="SKP terakhir, terbaru dulu / Latest first")
    as_of: date = Field(description="Tanggal acuan / Reference date")


class ModelVersionInfo(Strict):
    version: str = Field(description="Versi terdaftar / Registered version")
    snapshot_id: str | None = Field(description="Snapshot data latih / Training data snapshot")
    metrics: dict[str, float] = Field(description="Metrik validasi / Validation metrics")


class ModelsResponse(Strict):
    model_name: str = Field(description="Nama model terdaftar / Registered model name")
    champion: ModelVersionInfo | None = Field(description="@champion")
    challenger: ModelVersionInfo | None = Field(description="@challenger")
    serving_version: str | None = Field(description="Versi yang sedang dilayani / Being served")
    serving_snapshot_id: str | None = Field(description="Snapshot yang dilayani / Being served")


class ReloadResponse(Strict):
    reloaded: bool = Field(description="Model baru dipasang / New state swapped in")
    model_version: str | None = Field(description="Versi yang dilayani sekarang / Now served")
    snapshot_id: str | None = Field(description="Snapshot yang dilayani sekarang / Now served")
    previous_model_version: str | None = Field(description="Versi sebelumnya / Before reload")
    message: str = Field(description="Hasil / Outcome (Indonesian / English)")
    loaded_at: datetime | None = Field(description="Waktu pemuatan / When the state was loaded")


class ErrorResponse(Strict):
    code: str = Field(description="Kode kesalahan / Error code")
    message: str = Field(description="Pesan / Message (Indonesian / English)")
    errors: list[str] = Field(description="Rincian per kolom / Details per field")
