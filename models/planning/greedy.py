"""Greedy position-by-position shortlist fill: what a planner does with shortlists alone.

Open positions are taken one after another (must_fill first, then the largest shortage first);
each takes the best remaining candidates of its shortlist by fit (ties: lower risk; plus the
consultation's weighted bonuses when the plan heard a round) until its open slots are filled.
It keeps the plan's promises (each person once, risk caps, unit outflow floors, and no robbing:
nobody leaves a needed seat unless someone has already arrived in it or the position is
over-staffed), but forms no vacancy chains. It is the baseline the MILP is compared with, and
the fallback when the solver finds no plan within its time limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.planning.instance import PlanInstance, PlanOptions, consultation_bonus


@dataclass
class _State:
    moved: np.ndarray
    net_out: np.ndarray  # per unit
    net_in: np.ndarray  # per position: in - out
    surplus: np.ndarray  # per position: people who may still leave without emptying a seat
    total_risk: float = 0.0
    chosen: list[int] = field(default_factory=list)


def _slot_order(inst: PlanInstance) -> np.ndarray:
    open_positions = np.flatnonzero(inst.open_count > 0)
    pinned = np.isin(open_positions, inst.must_fill)
    order = np.lexsort((open_positions, -inst.open_count[open_positions], ~pinned))
    return open_positions[order]


def _try_take(inst: PlanInstance, state: _State, pair: int, risk_cap: float) -> bool:
    source_unit, target_unit = inst.source_unit[pair], inst.target_unit[pair]
    crosses = source_unit != target_unit
    if state.net_in[inst.source[pair]] + state.surplus[inst.source[pair]] <= 0:
        return False  # would empty a needed seat: never rob one shortage to fill another
    if crosses and state.net_out[source_unit] + 1 > inst.unit_room[source_unit]:
        return False
    if state.total_risk + inst.risk[pair] > risk_cap + 1e-12:
        return False
    state.moved[inst.person[pair]] = True
    if crosses:
        state.net_out[source_unit] += 1
        state.net_out[target_unit] -= 1
    state.net_in[inst.target[pair]] += 1
    state.net_in[inst.source[pair]] -= 1
    state.total_risk += float(inst.risk[pair])
    state.chosen.append(int(pair))
    return True


def greedy_fill(inst: PlanInstance, options: PlanOptions) -> tuple[np.ndarray, list[str]]:
    """Chosen pairs (bool per pair) and the pins the greedy fill could not honour."""
    n = len(inst.value)
    # a shortlist's order (fit, ties lower risk), plus what the consultation adds where the
    # plan heard one: a fallback plan still honours stated choices by the same weights
    fit = inst.pairs["fit"].to_numpy(dtype=np.float64) + consultation_bonus(inst.pairs, options)
    by_slot = np.lexsort((inst.risk, -fit, inst.target))
    starts = np.searchsorted(inst.target[by_slot], np.arange(len(inst.position_ids) + 1))
    state = _State(
        moved=np.zeros(inst.n_people, dtype=bool),
        net_out=np.zeros(len(inst.unit_ids), dtype=np.int64),
        net_in=np.zeros(len(inst.position_ids), dtype=np.int64),
        surplus=inst.surplus,
    )
    risk_cap = np.inf if options.max_total_risk is None else options.max_total_risk
    for position in _slot_order(inst):
        shortlist = by_slot[starts[position] : starts[position + 1]]
        free = shortlist[~state.moved[inst.person[shortlist]]]
        for pair in free:  # one pair per person in a shortlist: nobody in `free` moves twice
            if state.net_in[position] >= inst.open_count[position]:
                break
            _try_take(inst, state, pair, risk_cap)
    unmet = _place_must_move(inst, state, risk_cap)
    chosen = np.zeros(n, dtype=bool)
    chosen[state.chosen] = True
    return chosen, unmet


def _place_must_move(inst: PlanInstance, state: _State, risk_cap: float) -> list[str]:
    """Move each pinned person not yet moved to their best position with room left."""
    unmet: list[str] = []
    nips = inst.pairs["nip"].to_numpy()
    for person in inst.must_move:
        if state.moved[person]:
            continue
        own = np.flatnonzero(inst.person == person)
        own = own[np.argsort(-inst.value[own])]
        room = state.net_in[inst.target[own]] < inst.open_count[inst.target[own]]
        if not any(_try_take(inst, state, pair, risk_cap) for pair in own[room]):
            unmet.append(str(nips[own[0]]))
    return unmet
