"""POST /v1/plans and GET /v1/plans/{plan_id}: a round's request and its answer."""

from __future__ import annotations

from collections import Counter

from pydantic import Field, field_validator

from models.planning.instance import PlanOptions
from serving.schemas.common import (
    Fairness,
    PositionId,
    RiskBandField,
    RiskPercent,
    Strict,
)

# Most slots one request may list; a round of a 100k-employee agency has about 3,000.
MAX_PLAN_SLOTS = 20_000


class Slot(Strict):
    position_id: PositionId
    open_count: int = Field(ge=0, le=10_000, description="Slot terbuka / Open slots")


class PlanRequest(Strict):
    slots: list[Slot] | None = Field(
        default=None,
        max_length=MAX_PLAN_SLOTS,
        description="Slot terbuka, satu baris per jabatan; kosong: semua kekurangan / Open "
        "slots, one row per position; default: every shortage",
    )
    options: PlanOptions = Field(
        default_factory=PlanOptions, description="Opsi optimasi / Optimiser options"
    )
    top_m: int = Field(default=30, ge=1, le=200, description="Kandidat per slot / Per slot")
    consultation_id: str | None = Field(
        default=None,
        max_length=36,
        description="Putaran konsultasi yang jawabannya ikut direncanakan (bobot: "
        "options.preference_weight) / Consultation round whose answers join the plan",
    )

    @field_validator("slots")
    @classmethod
    def _one_row_per_position(cls, slots: list[Slot] | None) -> list[Slot] | None:
        seen = Counter(slot.position_id for slot in slots or [])
        repeated = [position_id for position_id, count in seen.items() if count > 1]
        if repeated:
            listed = ", ".join(repeated[:20]) + (f" (+{len(repeated) - 20})" * (len(repeated) > 20))
            raise ValueError(
                f"jabatan muncul lebih dari sekali, gabungkan open_count: {listed} / "
                f"positions listed more than once, sum their open_count: {listed}"
            )
        return slots


class PlanMove(Strict):
    nip: str = Field(description="NIP")
    from_position_id: str = Field(description="Jabatan asal / From position")
    from_position_title: str = Field(description="Nama jabatan asal / From title")
    from_unit_id: str = Field(description="Unit asal / From unit")
    from_unit_name: str = Field(description="Nama unit asal / From unit name")
    position_id: str = Field(description="Jabatan tujuan / To position")
    position_title: str = Field(description="Nama jabatan tujuan / To title")
    unit_id: str = Field(description="Unit tujuan / To unit")
    unit_name: str = Field(description="Nama unit tujuan / To unit name")
    fit: float = Field(description="Perkiraan kinerja 1-5 / Expected performance 1-5")
    risk: float = Field(description="Peluang penolakan / Probability of resistance")
    risk_percent: RiskPercent
    risk_band: RiskBandField
    chain_id: int = Field(description="Rantai kekosongan / Vacancy chain")
    chain_step: int = Field(description="Langkah dalam rantai (1 = slot terbuka) / Step")
    reasons: str = Field(description="Faktor utama fit / Main fit factors")
    training: list[str] = Field(description="Pelatihan yang disarankan / Suggested trainings")
    training_names: str = Field(description="Nama pelatihan / Training names")


class ChainStep(Strict):
    nip: str = Field(description="NIP")
    from_position_id: str = Field(description="Kursi yang ditinggalkan / Seat left")
    position_id: str = Field(description="Kursi yang diisi / Seat filled")


class Chain(Strict):
    chain_id: int = Field(description="Rantai kekosongan / Vacancy chain")
    steps: list[ChainStep] = Field(
        description="A mengisi slot, B mengisi kursi lama A, ... / A fills the slot, B fills "
        "A's old seat, ..."
    )


class UnfilledSlot(Strict):
    position_id: str = Field(description="Jabatan / Position")
    unit_id: str = Field(description="Unit")
    open_count: int = Field(description="Slot terbuka / Open slots")
    unfilled: int = Field(description="Tidak terisi / Left open")
    reason: str = Field(description="Kode alasan / Reason code")
    reason_text: str = Field(description="Alasan / Reason (Indonesian / English)")


class UnitHeadcount(Strict):
    unit_id: str = Field(description="Unit")
    need: int = Field(description="Kebutuhan ABK / ABK need")
    headcount_before: int = Field(description="Pegawai sebelum / Before")
    headcount_after: int = Field(description="Pegawai sesudah / After")


class TopChoices(Strict):
    attribute: str = Field(description="all, unit_id, gender atau/or age_band")
    group: str = Field(description="Kelompok / Group")
    respondents: int = Field(description="Responden / Respondents")
    moved: int = Field(description="Dimutasi / Moved")
    top_choice: int = Field(description="Mendapat pilihan 1-3 / Got a top-3 choice")


class StableMatching(Strict):
    unit_id: str = Field(description="Unit jabatan, atau 'all' / The post's unit, or 'all'")
    ranked_positions: int = Field(description="Jabatan yang diperingkat unit / Posts ranked")
    ranked_pairs: int = Field(description="Kandidat yang diperingkat / Candidates ranked")
    matched: int = Field(description="Kandidat terperingkat yang ditempatkan / Ranked and placed")
    blocking_pairs: int = Field(
        description="Pasangan pemblokir: orang dan jabatan yang sama-sama lebih memilih satu "
        "sama lain / Blocking pairs: person and post who would both rather have each other"
    )


class PlanResponse(Strict):
    plan_id: str = Field(description="ID rencana tersimpan / Stored plan id")
    snapshot_id: str = Field(description="Snapshot data / Data snapshot")
    model_version: str = Field(description="Versi model / Model version")
    method: str = Field(description="milp, atau greedy_fallback bila solver kehabisan waktu")
    status: str = Field(description="Status solver / Solver status")
    message: str = Field(description="Pesan solver / Solver message")
    objective: float | None = Field(description="Nilai tujuan / Objective value")
    dual_bound: float | None = Field(description="Batas atas / Upper bound")
    gap: float | None = Field(description="Celah optimalitas relatif / Relative gap")
    summary: dict[str, float] = Field(description="Ringkasan / Totals")
    warnings: list[str] = Field(
        default_factory=list,
        description="Janji rencana yang tidak terpenuhi / Promises the plan does not keep",
    )
    moves: list[PlanMove] = Field(description="Mutasi yang direncanakan / Planned moves")
    chains: list[Chain] = Field(description="Rantai 2+ mutasi / Chains of two or more moves")
    unfilled: list[UnfilledSlot] = Field(description="Slot tak terisi / Slots left open")
    units: list[UnitHeadcount] = Field(description="Pegawai per unit / Per-unit headcount")
    fairness: Fairness = Field(
        description="Tingkat mutasi dari kumpulan kandidat per jenis kelamin dan kelompok usia / "
        "Share moved of the candidate pool by gender and age band"
    )
    top_choices: list[TopChoices] | None = Field(
        default=None,
        description="Responden konsultasi yang mendapat salah satu dari 3 pilihan teratas, "
        "seluruhnya dan per unit asal, jenis kelamin, kelompok usia / Consultation respondents "
        "who got one of their top 3 choices, overall and by current unit, gender, age band",
    )
    stable_matching: list[StableMatching] | None = Field(
        default=None,
        description="Pemeriksaan pencocokan stabil terhadap peringkat unit, seluruhnya dan per "
        "unit / Stable-matching check against the units' rankings, overall and by unit",
    )
