"""The joint transfer plan: choose a round of moves that fills open slots with the best fit.

`plan_transfers` solves the mixed-integer program of models/planning/milp.py (the model is described
in models/planning/instance.py) and falls back to the greedy fill of models/planning/greedy.py only
when HiGHS returns no plan within the time limit, saying so in the result. `greedy_plan` runs the
greedy fill alone: the baseline a planner with shortlists would reach.

The result lists the moves (with their chain), the chains of two or more moves, the open slots
left unfilled with the reason, and every unit's headcount before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.planning.chains import find_chains
from models.planning.greedy import greedy_fill
from models.planning.instance import (
    PlanInstance,
    PlanOptions,
    build_instance,
    empty_seats,
    objective_of,
    vacancies_opened,
)
from models.planning.milp import solve_milp
from models.planning.reasons import unfilled_reasons

MOVE_COLUMNS: tuple[str, ...] = (
    "nip",
    "from_position_id",
    "from_unit_id",
    "position_id",
    "unit_id",
    "fit",
    "risk",
    "value",
    "chain_id",
    "chain_step",
)


@dataclass(frozen=True)
class PlanResult:
    """A plan and how it was reached. `method` is "milp", "greedy" or "greedy_fallback"."""

    method: str
    status: str
    objective: float
    dual_bound: float | None
    gap: float | None
    solve_seconds: float
    message: str
    moves: pd.DataFrame
    chains: pd.DataFrame
    unfilled: pd.DataFrame
    units: pd.DataFrame
    summary: dict[str, float] = field(default_factory=dict)
    unmet_pins: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # promises the plan does not keep, "Indonesian / English"


def plan_transfers(
    pairs: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    slots: pd.DataFrame | None = None,
    options: PlanOptions | None = None,
) -> PlanResult:
    """The optimal plan (within mip_rel_gap) for the candidate pairs.

    `pairs`: nip, from_position_id, position_id, fit, risk and optionally eligible (ineligible
    pairs are never chosen). `staffing`: models.planning.staffing.position_balance. `slots`:
    position_id, open_count (default: every shortage). Raises PlanInputError for malformed
    inputs and PlanInfeasibleError when the pins and caps cannot all hold.
    """
    options = options or PlanOptions()
    inst = build_instance(pairs, staffing, slots=slots, options=options)
    outcome = solve_milp(inst, options)
    if outcome.chosen is None:
        chosen, unmet = greedy_fill(inst, options)
        message = (
            f"Solver tidak menemukan rencana dalam {options.time_limit:g} detik; memakai "
            f"pengisian greedy / The solver found no plan within {options.time_limit:g} s; "
            "using the greedy fill"
        )
        return _result(
            inst,
            chosen,
            options,
            method="greedy_fallback",
            status=outcome.status,
            solve=(None, None, outcome.seconds),
            message=message,
            unmet=unmet,
        )
    return _result(
        inst,
        outcome.chosen,
        options,
        method="milp",
        status=outcome.status,
        solve=(outcome.dual_bound, outcome.gap, outcome.seconds),
        message=outcome.message,
        unmet=[],
    )


def greedy_plan(
    pairs: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    slots: pd.DataFrame | None = None,
    options: PlanOptions | None = None,
) -> PlanResult:
    """The greedy position-by-position shortlist fill, reported like a plan."""
    options = options or PlanOptions()
    inst = build_instance(pairs, staffing, slots=slots, options=options)
    chosen, unmet = greedy_fill(inst, options)
    return _result(
        inst,
        chosen,
        options,
        method="greedy",
        status="heuristic",
        solve=(None, None, 0.0),
        message="greedy shortlist fill",
        unmet=unmet,
    )


def _result(
    inst: PlanInstance,
    chosen: np.ndarray,
    options: PlanOptions,
    *,
    method: str,
    status: str,
    solve: tuple[float | None, float | None, float],
    message: str,
    unmet: list[str],
) -> PlanResult:
    moves = inst.pairs.loc[chosen].reset_index(drop=True)
    open_by_id = pd.Series(inst.open_count, index=inst.position_ids)
    moves = pd.concat([moves, find_chains(moves, open_by_id)], axis=1)[list(MOVE_COLUMNS)]
    in_chains = moves.groupby("chain_id")["chain_id"].transform("size") > 1
    chains = moves.loc[in_chains, ["chain_id", "chain_step", "nip", "from_position_id"]]
    chains = chains.assign(position_id=moves.loc[in_chains, "position_id"])
    net = _net_arrivals(inst, chosen)
    warnings = broken_promises(inst, chosen)
    return PlanResult(
        method=method,
        status=f"{status}; promise_broken" if warnings else status,
        objective=objective_of(inst, chosen, options),
        dual_bound=solve[0],
        gap=solve[1],
        solve_seconds=solve[2],
        message=message,
        moves=moves,
        chains=chains.sort_values(["chain_id", "chain_step"]).reset_index(drop=True),
        unfilled=unfilled_reasons(inst, chosen, options, net=net),
        units=_unit_headcounts(inst, chosen),
        summary=_summary(inst, chosen, moves, net=net),
        unmet_pins=tuple(unmet),
        warnings=warnings,
    )


def broken_promises(inst: PlanInstance, chosen: np.ndarray) -> tuple[str, ...]:
    """The plan's promises it does not keep, each naming where: needed seats left empty (the
    no-robbing rule) and units whose net outflow exceeds their floor."""
    warnings = []
    emptied = empty_seats(inst, chosen)
    if emptied.any():
        where = ", ".join(f"{inst.position_ids[i]} ({emptied[i]})" for i in np.flatnonzero(emptied))
        warnings.append(
            f"{int(emptied.sum())} kursi yang dibutuhkan dikosongkan tanpa pengganti: {where} / "
            f"{int(emptied.sum())} needed seats emptied without replacement: {where}"
        )
    units = _unit_headcounts(inst, chosen)
    outflow = (units["departures"] - units["arrivals"]).to_numpy()
    below = np.flatnonzero(outflow > inst.unit_room)
    if len(below):
        where = ", ".join(str(inst.unit_ids[i]) for i in below)
        warnings.append(
            f"Unit di bawah batas minimal pegawai karena mutasi keluar: {where} / "
            f"Units below their staffing floor through outflow: {where}"
        )
    return tuple(warnings)


def _unit_headcounts(inst: PlanInstance, chosen: np.ndarray) -> pd.DataFrame:
    n_units = len(inst.unit_ids)
    arrivals = np.bincount(inst.target_unit[chosen], minlength=n_units)
    departures = np.bincount(inst.source_unit[chosen], minlength=n_units)
    return pd.DataFrame(
        {
            "unit_id": inst.unit_ids,
            "need": inst.unit_need,
            "headcount_before": inst.unit_headcount,
            "headcount_after": inst.unit_headcount + arrivals - departures,
            "arrivals": arrivals,
            "departures": departures,
        }
    )


def _net_arrivals(inst: PlanInstance, chosen: np.ndarray) -> np.ndarray:
    n_positions = len(inst.position_ids)
    return np.bincount(inst.target[chosen], minlength=n_positions) - np.bincount(
        inst.source[chosen], minlength=n_positions
    )


def _summary(
    inst: PlanInstance, chosen: np.ndarray, moves: pd.DataFrame, *, net: np.ndarray
) -> dict[str, float]:
    # shortage per position: open slots not covered by net arrivals, plus needed seats emptied
    open_left = np.maximum(inst.open_count - np.maximum(net, 0), 0)
    return {
        "moves": float(len(moves)),
        "total_fit": float(moves["fit"].sum()),
        "total_risk": float(moves["risk"].sum()),
        "open_slots": float(inst.open_count.sum()),
        "open_slots_left": float(open_left.sum()),
        "vacancies_opened": float(vacancies_opened(inst, chosen).sum()),
        "needed_seats_emptied": float(empty_seats(inst, chosen).sum()),
        "chains": float((moves.groupby("chain_id").size() > 1).sum()),
    }
