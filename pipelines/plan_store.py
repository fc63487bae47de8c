"""Stored plans: each under `settings.home / "plans" / <plan_id>`, written atomically.

A plan folder holds `plan.json` (inputs: snapshot id, model version, reference date, options,
pool settings; results: method, status, objective, bound, gap, summary) and the frames
`slots.csv`, `moves.csv`, `chains.csv`, `unfilled.csv`, `units.csv`. With the same snapshot,
model version and inputs the plan can be recomputed and compared; the folder is the audit record.
Nothing personal is stored: moves carry NIPs and position ids only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from models.contract.errors import MutasiError
from models.planning.instance import PlanOptions
from models.planning.pool import PoolConfig
from models.planning.round import RoundPlan
from pipelines.settings import Settings

FRAMES: tuple[str, ...] = ("slots", "moves", "chains", "unfilled", "units")
ID_DTYPES = {c: str for c in ("nip", "position_id", "from_position_id", "unit_id", "from_unit_id")}
PLAN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}-[0-9a-f]{4}$")


class UnknownPlanError(MutasiError):
    exit_code = 3


@dataclass(frozen=True)
class StoredPlan:
    plan_id: str
    folder: Path
    record: dict[str, Any]  # plan.json
    frames: dict[str, pd.DataFrame]


def plans_dir(settings: Settings) -> Path:
    return settings.home / "plans"


def _plan_id(inputs: dict[str, Any], now: datetime) -> str:
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    return f"{now:%Y%m%dT%H%M%SZ}-{digest[:8]}-{secrets.token_hex(2)}"  # unique within a second


def _clean(value: float | None) -> float | None:
    return None if value is None or value != value else float(value)


def _record(
    plan: RoundPlan, *, plan_id: str, now: datetime, inputs: dict[str, Any]
) -> dict[str, Any]:
    """plan.json: the inputs (slots are in slots.csv) and how the plan was reached."""
    result = plan.result
    return {
        "plan_id": plan_id,
        "created_at": now.isoformat(timespec="seconds"),
        **{k: v for k, v in inputs.items() if k != "slots"},
        "candidate_pairs": plan.pool_pairs,
        "method": result.method,
        "status": result.status,
        "message": result.message,
        "objective": _clean(result.objective),
        "dual_bound": _clean(result.dual_bound),
        "gap": _clean(result.gap),
        "solve_seconds": result.solve_seconds,
        "summary": result.summary,
        "unmet_pins": list(result.unmet_pins),
        "warnings": list(result.warnings),
        "fairness": {
            "groups": plan.fairness.groups.to_dict(orient="records"),
            "flags": list(plan.fairness.flags),
        },
        "top_choices": None
        if plan.top_choices is None
        else plan.top_choices.to_dict(orient="records"),
        "stable_matching": None
        if plan.stable_matching is None
        else plan.stable_matching.to_dict(orient="records"),
    }


def store_plan(
    settings: Settings,
    plan: RoundPlan,
    *,
    snapshot_id: str,
    model_version: str,
    as_of: date,
    pool: PoolConfig,
    options: PlanOptions,
) -> StoredPlan:
    """Write the plan's folder (temp dir, then one rename) and return it."""
    now = datetime.now(UTC)
    inputs = {
        "snapshot_id": snapshot_id,
        "model_version": model_version,
        "as_of": as_of.isoformat(),
        "options": options.model_dump(mode="json", by_alias=True),
        "pool": pool.model_dump(mode="json"),
        "slots": plan.slots.to_dict(orient="list"),
    }
    plan_id = _plan_id(inputs, now)
    record = _record(plan, plan_id=plan_id, now=now, inputs=inputs)
    frames = {
        "slots": plan.slots,
        "moves": plan.moves,
        "chains": plan.result.chains,
        "unfilled": plan.result.unfilled,
        "units": plan.result.units,
        **({} if plan.top_choices is None else {"top_choices": plan.top_choices}),
        **({} if plan.stable_matching is None else {"stable_matching": plan.stable_matching}),
    }
    root = plans_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    temp = root / f".tmp-{plan_id}-{os.getpid()}"
    temp.mkdir()
    for name, frame in frames.items():
        frame.to_csv(temp / f"{name}.csv", index=False)
    (temp / "plan.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    folder = root / plan_id
    temp.rename(folder)
    return StoredPlan(plan_id, folder, record, frames)


def load_plan(settings: Settings, plan_id: str) -> StoredPlan:
    """A stored plan by id; UnknownPlanError when there is none."""
    folder = plans_dir(settings) / plan_id
    if not PLAN_ID.match(plan_id) or not (folder / "plan.json").is_file():
        raise UnknownPlanError(f"Rencana {plan_id} tidak ditemukan / Plan {plan_id} not found")
    record = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    frames = {name: pd.read_csv(folder / f"{name}.csv", dtype=ID_DTYPES) for name in FRAMES}
    return StoredPlan(plan_id, folder, record, frames)
