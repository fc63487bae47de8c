"""POST /v1/plans and GET /v1/plans/{plan_id}: a joint transfer round (role planner).

A plan is computed on the loaded snapshot and @champion model through the same code path as
`mutasi plan` (pipelines/planning.py) and stored with its inputs under the data home, so that
GET returns exactly what POST answered and the round can be reproduced and audited.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
from fastapi import APIRouter, Depends
from pydantic import Field, field_validator

from models.planning.instance import PlanInfeasibleError, PlanInputError, PlanOptions
from models.planning.pool import PoolConfig
from pipelines.plan_store import StoredPlan, UnknownPlanError, load_plan, store_plan
from pipelines.planning import plan_round
from serving.audit import AuditDep, audited
from serving.auth import PlannerKey
from serving.deps import SettingsDep, StateDep
from serving.errors import InvalidInputError, NotFoundError
from serving.routers.training import planner_for
from serving.schemas import ErrorResponse, PositionId, Strict, rows_as

MAX_TIME_LIMIT = 300.0
# Most slots one request may list; a round of a 100k-employee agency has about 3,000.
MAX_PLAN_SLOTS = 20_000

router = APIRouter(
    prefix="/v1",
    tags=["plans"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


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
    from_unit_id: str = Field(description="Unit asal / From unit")
    position_id: str = Field(description="Jabatan tujuan / To position")
    unit_id: str = Field(description="Unit tujuan / To unit")
    fit: float = Field(description="Perkiraan kinerja 1-5 / Expected performance 1-5")
    risk: float = Field(description="Peluang penolakan / Probability of resistance")
    chain_id: int = Field(description="Rantai kekosongan / Vacancy chain")
    chain_step: int = Field(description="Langkah dalam rantai (1 = slot terbuka) / Step")
    reasons: str = Field(description="Faktor utama fit / Main fit factors")
    training: list[str] = Field(description="Pelatihan yang disarankan / Suggested trainings")


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
    moves: list[PlanMove] = Field(description="Mutasi yang direncanakan / Planned moves")
    chains: list[Chain] = Field(description="Rantai 2+ mutasi / Chains of two or more moves")
    unfilled: list[UnfilledSlot] = Field(description="Slot tak terisi / Slots left open")
    units: list[UnitHeadcount] = Field(description="Pegawai per unit / Per-unit headcount")


def _chains(frame: pd.DataFrame) -> list[Chain]:
    ordered = frame.sort_values(["chain_id", "chain_step"])
    return [
        Chain(
            chain_id=int(steps["chain_id"].iloc[0]),
            steps=rows_as(ChainStep, steps),
        )
        for _, steps in ordered.groupby("chain_id", sort=True)
    ]


def _response(stored: StoredPlan) -> PlanResponse:
    record, frames = stored.record, stored.frames
    moves = frames["moves"].assign(
        reasons=frames["moves"]["reasons"].fillna("").astype(str),
        training=pd.Series(
            [
                [t for t in str(v).split(";") if t] if pd.notna(v) else []
                for v in frames["moves"]["training"]
            ],
            index=frames["moves"].index,
            dtype=object,
        ),
    )
    return PlanResponse(
        plan_id=stored.plan_id,
        snapshot_id=record["snapshot_id"],
        model_version=str(record["model_version"]),
        method=record["method"],
        status=record["status"],
        message=record["message"],
        objective=record["objective"],
        dual_bound=record["dual_bound"],
        gap=record["gap"],
        summary=record["summary"],
        moves=rows_as(PlanMove, moves),
        chains=_chains(frames["chains"]),
        unfilled=rows_as(UnfilledSlot, frames["unfilled"]),
        units=rows_as(UnitHeadcount, frames["units"]),
    )


@router.post(
    "/plans",
    response_model=PlanResponse,
    summary="Rencana mutasi bersama / Plan a joint transfer round",
    description="Mengisi slot terbuka (bawaan: semua kekurangan ABK) dengan fit terbaik dan "
    "risiko terendah, dengan rantai kekosongan; disimpan dengan ID. / Fills open slots (default: "
    "every ABK shortage) at the best fit and least risk, with vacancy chains; stored with an id.",
)
def create_plan(
    body: PlanRequest, key: PlannerKey, state: StateDep, settings: SettingsDep, audit: AuditDep
) -> PlanResponse:
    if body.options.time_limit > MAX_TIME_LIMIT:
        raise InvalidInputError(
            f"time_limit maks. {MAX_TIME_LIMIT:g} detik / at most {MAX_TIME_LIMIT:g} s"
        )
    slots = None
    if body.slots is not None:
        slots = pd.DataFrame(
            {
                "position_id": pd.array([s.position_id for s in body.slots], dtype="string"),
                "open_count": [s.open_count for s in body.slots],
            }
        )
    pool = PoolConfig(top_m=body.top_m)
    try:
        plan = plan_round(
            state.data,
            state.context,
            state.bundle.scorer,
            policy=state.policy,
            slots=slots,
            options=body.options,
            pool=pool,
            planner=planner_for(state),
        )
    except (PlanInputError, PlanInfeasibleError) as exc:
        raise InvalidInputError(exc.message) from None
    stored = store_plan(
        settings,
        plan,
        snapshot_id=state.snapshot_id,
        model_version=state.model_version,
        as_of=state.as_of,
        pool=pool,
        options=body.options,
    )
    return _audited(_response(stored), audit)


@router.get(
    "/plans/{plan_id}",
    response_model=PlanResponse,
    summary="Rencana tersimpan / A stored plan",
)
def get_plan(plan_id: str, key: PlannerKey, settings: SettingsDep, audit: AuditDep) -> PlanResponse:
    try:
        stored = load_plan(settings, plan_id)
    except UnknownPlanError as exc:
        raise NotFoundError(exc.message) from None
    return _audited(_response(stored), audit)


def _audited(response: PlanResponse, audit: AuditDep) -> PlanResponse:
    audit.returned(
        nips=[m.nip for m in response.moves],
        position_ids=[m.position_id for m in response.moves],
        model_version=response.model_version,
        snapshot_id=response.snapshot_id,
    )
    return response
