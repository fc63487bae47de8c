"""Shared pieces of the API's request and response models: ids, limits, errors, reasons.

Enum values come from models/contract/enums.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, with_config
from typing_extensions import TypedDict

from models.contract.enums import NIP_LENGTH, JobType
from models.scoring.fairness import SelectionAudit

MAX_SHORTLIST_K = 200
MAX_RISK_PAIRS = 10_000
MAX_POSITION_ID_LENGTH = 200
NIP_PATTERN = rf"^\d{{{NIP_LENGTH}}}$"

Nip = Annotated[
    str,
    StringConstraints(pattern=NIP_PATTERN),
    Field(description="NIP: 18 digit / 18 digits", examples=["198503122010011001"]),
]
PositionId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_POSITION_ID_LENGTH),
    Field(description="position_id"),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


StrictModel = TypeVar("StrictModel", bound=Strict)


def records(
    frame: pd.DataFrame | Mapping[str, np.ndarray], columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """`frame.to_dict("records")` (of `columns`, default all) built column by column: the same
    Python values, without pandas' per-cell boxing (~2 ms even for five rows). A mapping of
    arrays reads the same way."""
    names: list[Any] = list(frame if columns is None else columns)
    values = [frame[name].tolist() for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def rows_as(
    model: type[StrictModel], frame: pd.DataFrame | Mapping[str, np.ndarray]
) -> list[StrictModel]:
    """One `model` per row of `frame`, from the columns named like its fields."""
    return [model.model_validate(row) for row in records(frame, list(model.model_fields))]


# The scores of a (nip, position_id) pair, described once for every response that carries them.
Eligible = Annotated[bool, Field(description="Memenuhi aturan mutasi / Passes the transfer policy")]
Fit = Annotated[float, Field(description="Perkiraan kinerja 1–5 / Expected post-move rating 1–5")]
Risk = Annotated[
    float,
    Field(
        description="Peluang resistensi 0–1 untuk mutasi atas inisiatif instansi / "
        "Probability of resistance 0–1 for an agency-initiated move"
    ),
]
RiskPercent = Annotated[
    int, Field(description="Peluang resistensi dalam persen / Probability of resistance, percent")
]
RiskBandField = Annotated[
    Literal["rendah", "sedang", "tinggi"],
    Field(description="Tingkat risiko (ambang dapat diatur) / Risk band (configurable thresholds)"),
]


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


@with_config(ConfigDict(extra="forbid"))
class IneligibleReason(TypedDict):
    """A row type (a checked dict, no object per row): 10,000-pair risk checks carry many."""

    code: Annotated[str, Field(description="Kode alasan stabil / Stable reason code")]
    text: Annotated[str, Field(description="Penjelasan / Explanation (Indonesian / English)")]


IneligibleReasons = Annotated[
    list[IneligibleReason], Field(description="Aturan yang gagal / Rules")
]


class Factor(Strict):
    target: Literal["fit", "risk"] = Field(description="Skor yang dijelaskan / Score explained")
    feature: str = Field(description="Nama fitur / Feature name")
    contribution: float = Field(
        description="Kontribusi mentah (pred_contrib LightGBM: poin fit atau log-odds risiko) / "
        "Raw contribution (LightGBM pred_contrib: fit points or log-odds of risk)"
    )
    effect: float = Field(
        description="Arah dan besar pengaruh: poin kinerja (fit) atau poin persen (risiko) / "
        "Direction and size: rating points (fit) or percentage points (risk)"
    )
    unit: Literal["points", "percentage_points"] = Field(description="Satuan effect / Unit")
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


class PositionRef(Strict):
    position_id: str = Field(description="position_id")
    title: str = Field(description="Nama jabatan / Title")
    job_type: JobType = Field(description="Jenis jabatan / Job type")
    grade: int = Field(description="Kelas jabatan / Grade 1–17")
    unit_id: str = Field(description="unit_id")
    unit_name: str = Field(description="Nama unit / Unit name")
    sector: str = Field(description="Sektor / Sector")
    region_code: str = Field(description="Kode wilayah BPS / BPS region code")


class ErrorResponse(Strict):
    code: str = Field(description="Kode kesalahan / Error code")
    message: str = Field(description="Pesan / Message (Indonesian / English)")
    errors: list[str] = Field(description="Rincian per kolom / Details per field")


class FairnessGroup(Strict):
    attribute: str = Field(description="gender atau age_band / gender or age band")
    group: str = Field(description="Kelompok / Group")
    pool: int = Field(description="Jumlah dalam kumpulan / Members of the pool")
    selected: int = Field(description="Terpilih / Selected")
    selection_rate: float = Field(description="Tingkat seleksi / Selection rate")
    impact_ratio: float = Field(
        description="Rasio terhadap kelompok tertinggi (aturan empat per lima) / Ratio to the "
        "highest group's rate (four-fifths rule)"
    )
    flagged: bool = Field(description="Di bawah 0,8 / Below 0.8")


class PrefixTest(Strict):
    attribute: str = Field(description="gender atau age_band / gender or age band")
    group: str = Field(description="Kelompok / Group")
    pool: int = Field(description="Jumlah dalam kumpulan / Members of the pool")
    min_p_value: float = Field(
        description="p terkecil (Bonferroni) kurang terwakili di k teratas / Smallest "
        "Bonferroni-corrected p of under-representation in a top k"
    )
    at_k: int = Field(description="k tempat p terkecil / k of the smallest p")
    flagged: bool = Field(description="Kurang terwakili melebihi kebetulan / Beyond chance")


class Fairness(Strict):
    groups: list[FairnessGroup] = Field(description="Per kelompok / Per group")
    prefix_tests: list[PrefixTest] = Field(description="Uji awalan daftar / Prefix tests")
    flags: list[str] = Field(description="Temuan / Findings (Indonesian / English)")


def fairness_of(report: SelectionAudit) -> Fairness:
    return Fairness(
        groups=rows_as(FairnessGroup, report.groups),
        prefix_tests=rows_as(PrefixTest, report.prefixes),
        flags=list(report.flags),
    )
