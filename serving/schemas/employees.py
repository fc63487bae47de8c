"""An employee's summary and their training plan for a position."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from models.contract.enums import EmploymentType, SkpRating
from serving.schemas.common import (
    PositionRef,
    Strict,
    TrainingRef,
)


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


class Gap(Strict):
    competency: str = Field(description="Kompetensi / Competency")
    current_level: float | None = Field(
        description="Level terakhir (kosong: belum dinilai) / Latest level (empty: not assessed)"
    )
    level_known: bool = Field(description="Level sudah dinilai / Level assessed")
    required_level: float = Field(description="Standar jabatan / Position standard")
    gap: float = Field(description="Kekurangan level / Levels short")


class TrainingOption(TrainingRef):
    level_gain: float = Field(description="Kenaikan level yang dijanjikan / Promised gain")
    expected_gain: float = Field(description="Kenaikan menurut riwayat / Gain history shows")
    effect: float = Field(description="Kenaikan fit perkiraan / Estimated fit increase")
    fit_after_alone: float = Field(description="Fit setelah pelatihan ini saja / Fit after it")
    text: str = Field(description="Mengapa pelatihan ini / Why this training")


class TrainingPlanResponse(Strict):
    nip: str = Field(description="NIP")
    position_id: str = Field(description="Jabatan tujuan / Target position")
    model_version: str = Field(description="Versi model / Model version")
    fit_before: float = Field(description="Fit tanpa pelatihan / Fit without training")
    fit_after: float = Field(description="Fit setelah semua pelatihan / Fit after all of them")
    total_hours: float = Field(description="Total JP / Total hours")
    gaps: list[Gap] = Field(description="Kesenjangan kompetensi / Competency gaps")
    trainings: list[TrainingOption] = Field(
        description="Per kesenjangan, set pelatihan dengan JP paling sedikit yang menutupnya / "
        "Per gap, the set of trainings with the fewest hours that closes it"
    )
