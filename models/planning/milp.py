"""The transfer plan as a mixed-integer program, solved by HiGHS through `scipy.optimize.milp`.

Variables: one binary x per candidate pair, then one continuous v >= 0 per position that someone
may leave (the needed seats left empty there). Rows, all built as one sparse COO matrix:

- person p:      sum of x over p's pairs            <= 1   (== 1 when pinned must_move)
- position q in: in(q) - out(q)                     <= open(q)   (>= open(q) when must_fill)
- position q out: out(q) - v(q)                     <= surplus(q)   (v: vacancies opened)
- unit u:        out(u) - in(u)                     <= room(u)
- total risk:    sum(risk * x)                      <= max_total_risk (when set)

Objective: maximise sum(value * x) - vacancy_cost * sum(v).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from models.planning.instance import (
    PlanInfeasibleError,
    PlanInstance,
    PlanOptions,
    vacancy_cost_of,
)

STATUS_TEXT = {
    0: "optimal",
    1: "time_limit",
    2: "infeasible",
    3: "unbounded",
    4: "other",
}


@dataclass(frozen=True)
class MilpOutcome:
    chosen: np.ndarray | None  # bool per pair; None when the solver found no plan in time
    status: str
    objective: float | None
    dual_bound: float | None
    gap: float | None
    seconds: float
    message: str


def _flow_block(
    into: np.ndarray, out_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries of rows `in(g) - out(g)` for every group g that appears; returns the groups too.

    A pair inside one group (a move within a unit) adds +1 and -1 to the same cell; COO sums
    duplicates, so it nets to zero as it should.
    """
    n_pairs = len(into)
    pair = np.arange(n_pairs)
    groups, row = np.unique(np.concatenate([into, out_of]), return_inverse=True)
    cols = np.concatenate([pair, pair])
    signs = np.concatenate([np.ones(n_pairs), -np.ones(n_pairs)])
    return row, cols, signs, groups


Block = tuple[sparse.coo_matrix, np.ndarray, np.ndarray]


def _person_block(inst: PlanInstance, n_vars: int) -> Block:
    n = len(inst.value)
    matrix = sparse.coo_matrix(
        (np.ones(n), (inst.person, np.arange(n))), shape=(inst.n_people, n_vars)
    )
    lower = np.zeros(inst.n_people)
    lower[inst.must_move] = 1.0
    return matrix, lower, np.ones(inst.n_people)


def _position_block(inst: PlanInstance, n_vars: int) -> Block:
    row, cols, signs, groups = _flow_block(inst.target, inst.source)
    matrix = sparse.coo_matrix((signs, (row, cols)), shape=(len(groups), n_vars))
    lower = np.full(len(groups), -np.inf)
    if not np.isin(inst.must_fill, groups).all():
        raise PlanInfeasibleError(_INFEASIBLE)
    lower[np.searchsorted(groups, inst.must_fill)] = inst.open_count[inst.must_fill]
    return matrix, lower, inst.open_count[groups].astype(float)


def _vacancy_block(inst: PlanInstance, n_vars: int, left: np.ndarray) -> Block:
    """out(q) - v(q) <= surplus(q) for every position q someone may leave."""
    n = len(inst.value)
    rows = np.concatenate([np.searchsorted(left, inst.source), np.arange(len(left))])
    cols = np.concatenate([np.arange(n), n + np.arange(len(left))])
    signs = np.concatenate([np.ones(n), -np.ones(len(left))])
    matrix = sparse.coo_matrix((signs, (rows, cols)), shape=(len(left), n_vars))
    return matrix, np.full(len(left), -np.inf), inst.surplus[left].astype(float)


def _unit_block(inst: PlanInstance, n_vars: int) -> Block:
    row, cols, signs, units = _flow_block(inst.source_unit, inst.target_unit)
    matrix = sparse.coo_matrix((signs, (row, cols)), shape=(len(units), n_vars))
    return matrix, np.full(len(units), -np.inf), inst.unit_room[units].astype(float)


def build_problem(
    inst: PlanInstance, options: PlanOptions
) -> tuple[np.ndarray, LinearConstraint, np.ndarray, Bounds]:
    """Objective, constraints, integrality and bounds for `milp`."""
    n = len(inst.value)
    left = np.unique(inst.source)
    n_vars = n + len(left)
    blocks = [
        _person_block(inst, n_vars),
        _position_block(inst, n_vars),
        _vacancy_block(inst, n_vars, left),
        _unit_block(inst, n_vars),
    ]
    if options.max_total_risk is not None:
        risk_row = sparse.coo_matrix(np.concatenate([inst.risk, np.zeros(len(left))])[None, :])
        blocks.append((risk_row, np.array([-np.inf]), np.array([options.max_total_risk])))
    matrix = sparse.vstack([b[0] for b in blocks], format="csr")
    lower = np.concatenate([b[1] for b in blocks])
    upper = np.concatenate([b[2] for b in blocks])
    cost = np.concatenate([-inst.value, np.full(len(left), vacancy_cost_of(options))])
    integrality = np.concatenate([np.ones(n), np.zeros(len(left))])
    upper_bounds = np.concatenate([np.ones(n), np.full(len(left), np.inf)])
    return cost, LinearConstraint(matrix, lower, upper), integrality, Bounds(0.0, upper_bounds)


# HiGHS's presolve does not honour the time limit: on the 100k agency's pool (357,563 pairs)
# it ran 18 min and did not return, while without it the root LP was integral and the plan
# optimal (gap 0 %) in 99 s (bench/README.md). Smaller rounds keep presolve, and their plans.
PRESOLVE_MAX_PAIRS = 200_000


def solve_milp(inst: PlanInstance, options: PlanOptions) -> MilpOutcome:
    """Solve; raise PlanInfeasibleError when pins or caps cannot all hold."""
    n = len(inst.value)
    if n == 0:
        if len(inst.must_move) or len(inst.must_fill):
            raise PlanInfeasibleError(_INFEASIBLE)
        return MilpOutcome(np.zeros(0, dtype=bool), "optimal", 0.0, 0.0, 0.0, 0.0, "no pairs")
    cost, constraint, integrality, bounds = build_problem(inst, options)
    started = time.perf_counter()
    result = milp(
        cost,
        constraints=constraint,
        integrality=integrality,
        bounds=bounds,
        options={
            "time_limit": options.time_limit,
            "mip_rel_gap": options.mip_rel_gap,
            "presolve": n <= PRESOLVE_MAX_PAIRS,
        },
    )
    seconds = time.perf_counter() - started
    status = STATUS_TEXT.get(int(result.status), "other")
    if status == "infeasible":
        raise PlanInfeasibleError(_INFEASIBLE)
    if result.x is None:
        return MilpOutcome(None, status, None, None, None, seconds, str(result.message))
    chosen = np.asarray(result.x[:n]) > 0.5
    bound = getattr(result, "mip_dual_bound", None)
    gap = getattr(result, "mip_gap", None)
    return MilpOutcome(
        chosen=chosen,
        status=status,
        objective=-float(result.fun),
        dual_bound=None if bound is None else -float(bound),
        gap=None if gap is None else float(gap),
        seconds=seconds,
        message=str(result.message),
    )


_INFEASIBLE = (
    "Tidak ada rencana yang memenuhi semua kunci dan batas (must_move, must_fill, batas risiko, "
    "batas keluar unit) / No plan satisfies every pin and cap (must_move, must_fill, risk cap, "
    "unit outflow limit); loosen one of them"
)
