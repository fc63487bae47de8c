"""POST /v1/plans and GET /v1/plans/{plan_id}: a joint transfer round (role planner).

A plan is computed on the loaded snapshot and @champion model through the same code path as
`mutasi plan` (pipelines/planning.py) and stored with its inputs under the data home, so that
GET returns exactly what POST answered and the round can be reproduced and audited.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends

from models.planning.instance import PlanInfeasibleError, PlanInputError
from models.planning.pool import PoolConfig
from models.planning.round import plan_round
from pipelines.plan_store import StoredPlan, UnknownPlanError, load_plan, store_plan
from pipelines.settings import Settings
from serving.audit import AuditDep, audited
from serving.auth import PlannerKey
from serving.consultation.frames import round_choices
from serving.consultation.rankings import round_rankings
from serving.deps import SettingsDep, StateDep
from serving.errors import InvalidInputError, NotFoundError
from serving.schemas.common import ErrorResponse, Fairness, FairnessGroup, rows_as
from serving.schemas.plans import (
    Chain,
    ChainStep,
    PlanMove,
    PlanRequest,
    PlanResponse,
    UnfilledSlot,
    UnitHeadcount,
)

MAX_TIME_LIMIT = 300.0

router = APIRouter(
    prefix="/v1",
    tags=["plans"],
    dependencies=[Depends(audited)],
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422, 503)},
)


def _chains(frame: pd.DataFrame) -> list[Chain]:
    """Chains in id order, steps in order; every step validated in one pass (not per chain)."""
    ordered = frame.sort_values(["chain_id", "chain_step"], kind="stable")
    chains: dict[int, list[ChainStep]] = {}
    for chain_id, step in zip(ordered["chain_id"], rows_as(ChainStep, ordered), strict=True):
        chains.setdefault(int(chain_id), []).append(step)
    return [Chain(chain_id=chain_id, steps=steps) for chain_id, steps in chains.items()]


def _response(stored: StoredPlan) -> PlanResponse:
    record, frames = stored.record, stored.frames
    moves = frames["moves"].assign(
        reasons=frames["moves"]["reasons"].fillna("").astype(str),
        training_names=frames["moves"]["training_names"].fillna("").astype(str),
        **{
            column: frames["moves"][column].fillna("-").astype(str)
            for column in ("from_position_title", "from_unit_name", "position_title", "unit_name")
        },
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
        warnings=record.get("warnings", []),
        moves=rows_as(PlanMove, moves),
        chains=_chains(frames["chains"]),
        unfilled=rows_as(UnfilledSlot, frames["unfilled"]),
        units=rows_as(UnitHeadcount, frames["units"]),
        fairness=_fairness(record),
        top_choices=record.get("top_choices"),
        stable_matching=record.get("stable_matching"),
    )


def _fairness(record: dict[str, Any]) -> Fairness:
    stored = record.get("fairness", {"groups": [], "flags": []})
    return Fairness(
        groups=[FairnessGroup.model_validate(g) for g in stored["groups"]],
        prefix_tests=[],
        flags=stored["flags"],
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
    unknown = [
        f"slots[{i}].position_id: {slot.position_id}"
        for i, slot in enumerate(body.slots or [])
        if slot.position_id not in state.lookups.positions.index
    ]
    if unknown:
        raise InvalidInputError(
            f"Jabatan tidak ditemukan / Position not found: {'; '.join(unknown[:20])}"
            + (f" (+{len(unknown) - 20})" if len(unknown) > 20 else "")
        )
    if body.slots is not None:
        slots = pd.DataFrame(
            {
                "position_id": pd.array([s.position_id for s in body.slots], dtype="string"),
                "open_count": [s.open_count for s in body.slots],
            }
        )
    pool = PoolConfig(top_m=body.top_m)
    choices = unit_rankings = None
    if body.consultation_id is not None:  # the console's plan job calls this without a request
        choices = round_choices(settings.db_url, body.consultation_id)
        unit_rankings = round_rankings(settings.db_url, body.consultation_id)
    try:
        plan = plan_round(
            state.data,
            state.context,
            state.bundle.scorer,
            policy=state.policy,
            slots=slots,
            options=body.options,
            pool=pool,
            planner=state.planner,
            bands=state.bands,
            choices=choices,
            unit_rankings=unit_rankings,
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
        response = _stored_response(settings.home, plan_id)
    except UnknownPlanError as exc:
        raise NotFoundError(exc.message) from None
    return _audited(response, audit)


@lru_cache(maxsize=8)
def _stored_response(home: Path, plan_id: str) -> PlanResponse:
    """A stored plan's answer; a stored plan never changes, so the last few are kept (reading
    and validating a 10k-agency plan costs ~100 ms; the plan page and its paging read it
    again and again). An unknown plan raises and is not kept."""
    return _response(load_plan(Settings(home=home), plan_id))


def _audited(response: PlanResponse, audit: AuditDep) -> PlanResponse:
    audit.returned(
        nips=[m.nip for m in response.moves],
        position_ids=[m.position_id for m in response.moves],
        model_version=response.model_version,
        snapshot_id=response.snapshot_id,
    )
    return response
