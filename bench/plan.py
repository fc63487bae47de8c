"""Benchmark the joint transfer plan (MILP, HiGHS) against the greedy shortlist fill.

The round is shaped like a real DJP tax-office round (/work/shared/reference-data/djp-transfers:
350 offices in 34 regional offices, kanwil; most moves are account representatives and
pelaksana). Units are the offices; each has six position types. Fit and risk are synthetic but
shaped like the models' scores: fit rises with a person's skill, same position type and same
kanwil; risk rises with leaving one's kanwil and with family ties. Candidate pools are the
top-M by fit per open position, plus each person in an over-staffed position (whose move opens
no needed seat) with their top-K open positions, plus the top-M2 for each needed seat those
candidates would vacate (so that chains can form), as models/planning/round.py builds them.

    .venv/bin/python bench/plan.py [--scenario small|national|both] [--seed 7]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.planning.instance import PlanOptions
from models.planning.optimise import PlanResult, greedy_plan, plan_transfers

OFFICES = Path("/work/shared/reference-data/djp-transfers/offices.csv")
POSITION_TYPES = (
    "account_representative",
    "pelaksana",
    "pemeriksa",
    "juru_sita",
    "penyuluh",
    "pranata_komputer",
)
TYPE_WEIGHTS = np.array([0.40, 0.35, 0.10, 0.05, 0.05, 0.05])
SCENARIOS = {"small": (200, 5_000), "national": (3_000, 50_000)}
# Pool sizes and solver limits per scenario (the national round's targets: gap <= 2 % in 5 min).
SETTINGS: dict[str, dict] = {
    "small": {"m": 50, "m_chain": 10, "time_limit": 30, "gap": 0.005},
    "national": {"m": 30, "m_chain": 10, "time_limit": 280, "gap": 0.02},
}


def _offices(rng: np.random.Generator) -> pd.DataFrame:
    if OFFICES.exists():
        offices = pd.read_csv(OFFICES, sep=";", dtype=str)
        return pd.DataFrame(
            {"unit_id": offices["Kode Kantor"], "kanwil": offices["Nama Kantor Wilayah"]}
        )
    codes = [f"K{i:03d}" for i in range(350)]
    return pd.DataFrame({"unit_id": codes, "kanwil": rng.integers(0, 34, 350).astype(str)})


def build_round(slots: int, employees: int, rng: np.random.Generator) -> dict:
    """Positions with needs and headcounts, employees, and the open slots of one round."""
    offices = _offices(rng)
    positions = offices.merge(pd.DataFrame({"type": POSITION_TYPES}), how="cross")
    positions = positions.assign(position_id=positions["unit_id"] + ":" + positions["type"])
    weight = TYPE_WEIGHTS[np.tile(np.arange(len(POSITION_TYPES)), len(offices))]
    share = weight * rng.uniform(0.5, 1.5, len(positions))
    headcount = rng.multinomial(employees, share / share.sum())
    need = headcount.copy()
    open_at = rng.choice(len(positions), size=slots, p=share / share.sum())
    np.add.at(need, open_at, 1)  # `slots` open seats in all
    others = np.setdiff1d(np.arange(len(positions)), open_at)
    others = others[headcount[others] > 0]
    surplus_at = rng.choice(others, size=slots, p=share[others] / share[others].sum())
    np.subtract.at(need, surplus_at, 1)
    need = np.maximum(need, 0)  # ~`slots` people over need, in other positions
    positions = positions.assign(need=need, headcount=headcount)
    gap = positions["headcount"] - positions["need"]
    staffing = positions.assign(surplus=gap.clip(lower=0), shortage=(-gap).clip(lower=0))
    home = np.repeat(np.arange(len(positions)), headcount)
    people = pd.DataFrame(
        {
            "nip": [f"{i:018d}" for i in range(employees)],
            "home": home,
            "skill": rng.normal(0, 1, employees),
            "family": rng.normal(0, 1, employees),
            "eligible": rng.random(employees) > 0.1,
        }
    )
    return {"staffing": staffing, "people": people, "seed": int(rng.integers(1 << 31))}


def _pair_noise(targets: np.ndarray, who: np.ndarray, seed: int) -> np.ndarray:
    """Noise N(0, 0.35) per (target, person) that is the same however often a pair is scored
    (a hash of the pair, not a draw per call), so pools built different ways agree on it."""
    key = targets.astype(np.uint64)[:, None] * np.uint64(1_000_003) + who.astype(np.uint64)
    bits = (key + np.uint64(seed)) * np.uint64(0x9E3779B97F4A7C15)
    bits ^= bits >> np.uint64(29)
    bits *= np.uint64(0xBF58476D1CE4E5B9)
    bits ^= bits >> np.uint64(32)
    u = ((bits >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)
    return 0.35 * np.sqrt(3) / np.pi * np.log(u / (1 - u))  # logistic with sd 0.35


def _score(world: dict, targets: np.ndarray, who: np.ndarray):
    """Fit and risk of people `who` for each target position: arrays (targets x who)."""
    staffing, people = world["staffing"], world["people"].iloc[who]
    type_code = pd.factorize(staffing["type"])[0]
    kanwil_code = pd.factorize(staffing["kanwil"])[0]
    home = people["home"].to_numpy()
    same_type = type_code[targets][:, None] == type_code[home][None, :]
    same_kanwil = kanwil_code[targets][:, None] == kanwil_code[home][None, :]
    noise = _pair_noise(targets, who, world["seed"])
    skill = people["skill"].to_numpy()
    linear = -0.3 + 0.6 * skill + 0.8 * same_type + 0.3 * same_kanwil + noise
    fit = 1.0 + 4.0 / (1.0 + np.exp(-linear))
    logit = -2.2 + 1.6 * ~same_kanwil + 0.6 * people["family"].to_numpy() + noise
    fit[(home[None, :] == targets[:, None]) | ~people["eligible"].to_numpy()[None, :]] = -np.inf
    return fit, 1.0 / (1.0 + np.exp(-logit))


def _frame(world: dict, targets: np.ndarray, who: np.ndarray, rows, cols, fit, risk):
    positions = world["staffing"]["position_id"].to_numpy()
    people = world["people"]
    return pd.DataFrame(
        {
            "nip": people["nip"].to_numpy()[who[cols]],
            "from_position_id": positions[people["home"].to_numpy()[who[cols]]],
            "position_id": positions[targets[rows]],
            "fit": fit[rows, cols],
            "risk": risk[rows, cols],
        }
    )


def top_per_slot(world: dict, targets: np.ndarray, m: int, who: np.ndarray | None = None):
    """Top-m eligible people (of `who`, default everyone) by fit for each target position, in
    chunks to bound memory."""
    who = np.arange(len(world["people"])) if who is None else who
    frames = []
    for chunk in np.array_split(targets, max(1, len(targets) * len(who) // 5_000_000)):
        fit, risk = _score(world, chunk, who)
        top = np.argpartition(-fit, min(m, len(who) - 1), axis=1)[:, :m]
        rows = np.repeat(np.arange(len(chunk)), top.shape[1])
        frames.append(_frame(world, chunk, who, rows, top.ravel(), fit, risk))
    pairs = pd.concat(frames, ignore_index=True)
    return pairs.loc[np.isfinite(pairs["fit"])]


def top_per_person(world: dict, targets: np.ndarray, who: np.ndarray, k: int):
    """Each of `who` with their top-k target positions by fit."""
    frames = []
    for chunk in np.array_split(who, max(1, len(who) // 500)):
        fit, risk = _score(world, targets, chunk)
        top = np.argpartition(-fit, k, axis=0)[:k, :]
        cols = np.tile(np.arange(len(chunk)), k)
        frames.append(_frame(world, targets, chunk, top.ravel(), cols, fit, risk))
    pairs = pd.concat(frames, ignore_index=True)
    return pairs.loc[np.isfinite(pairs["fit"])]


def pool(world: dict, m: int, m_chain: int, *, free_scope: str = "person", m_free: int = 10):
    """The round's candidate pool. People in over-staffed posts (free movers) get their own
    candidates: with `free_scope="person"` each of them with their top-`m_free` open positions
    (what models/planning/round.py does; grows with people), with "position" each open position
    with its top-`m_free` free movers (grows with slots)."""
    staffing = world["staffing"]
    index = pd.Index(staffing["position_id"])
    slots = np.flatnonzero(staffing["shortage"].to_numpy() > 0)
    free = np.flatnonzero(staffing["surplus"].to_numpy()[world["people"]["home"].to_numpy()] > 0)
    free_pairs = (
        top_per_person(world, slots, free, m_free)
        if free_scope == "person"
        else top_per_slot(world, slots, m_free, who=free)
    )
    first = pd.concat([top_per_slot(world, slots, m), free_pairs], ignore_index=True)
    vacated = index.get_indexer(pd.Index(first["from_position_id"].unique()))
    needed = vacated[staffing["surplus"].to_numpy()[vacated] == 0]
    second = top_per_slot(world, np.setdiff1d(needed, slots), m_chain)
    return pd.concat([first, second], ignore_index=True).drop_duplicates(["nip", "position_id"])


def _line(name: str, result: PlanResult, seconds: tuple[float, float]) -> str:
    s = result.summary
    gap = "-" if result.gap is None else f"{100 * result.gap:.2f} %"
    return (
        f"{name:<8} {seconds[0]:7.1f} s (CPU {seconds[1]:6.1f} s)  gap {gap:>8}  "
        f"moves {s['moves']:6.0f}  "
        f"fit {s['total_fit']:9.1f}  risk {s['total_risk']:7.1f}  "
        f"open left {s['open_slots_left']:5.0f}  seats emptied {s['needed_seats_emptied']:5.0f}  "
        f"chains {s['chains']:4.0f}  objective {result.objective:9.1f}"
    )


def run(
    name: str,
    *,
    seed: int,
    m: int,
    m_chain: int,
    time_limit: float,
    gap: float,
    free_scope: str = "person",
) -> None:
    slots, employees = SCENARIOS[name]
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    world = build_round(slots, employees, rng)
    pairs = pool(world, m, m_chain, free_scope=free_scope)
    build_seconds = time.perf_counter() - started
    options = PlanOptions(time_limit=time_limit, mip_rel_gap=gap)
    staffing = world["staffing"]
    print(
        f"\n## {name}: {int(staffing['shortage'].sum())} open slots, {employees} people, "
        f"{len(pairs)} candidate pairs (top-{m} per slot, top-{m_chain} per vacated seat, "
        f"free movers' top-10 per {free_scope}); "
        f"pool built in {build_seconds:.1f} s"
    )
    started, cpu = time.perf_counter(), time.process_time()
    optimal = plan_transfers(pairs, staffing, options=options)
    milp_seconds = (time.perf_counter() - started, time.process_time() - cpu)
    started, cpu = time.perf_counter(), time.process_time()
    greedy = greedy_plan(pairs, staffing, options=options)
    greedy_seconds = (time.perf_counter() - started, time.process_time() - cpu)
    print(_line("milp", optimal, milp_seconds), f"[{optimal.method}, {optimal.status}]")
    print(_line("greedy", greedy, greedy_seconds))
    o, g = optimal.summary, greedy.summary
    print(
        f"ratio milp/greedy: fit {o['total_fit'] / g['total_fit']:.3f}, "
        f"risk {o['total_risk'] / max(g['total_risk'], 1e-9):.3f}, "
        f"objective {optimal.objective / greedy.objective:.3f}; shortages left "
        f"(open + emptied) {o['open_slots_left'] + o['needed_seats_emptied']:.0f} vs "
        f"{g['open_slots_left'] + g['needed_seats_emptied']:.0f}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak RSS so far: {peak:.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", choices=["small", "national", "both"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--free-scope",
        choices=["person", "position", "both"],
        default="person",
        help="Free movers' candidates: each one's top-10 open positions (person; as `mutasi "
        "plan` does), or each open position's top-10 free movers (position).",
    )
    args = parser.parse_args()
    scopes = ["person", "position"] if args.free_scope == "both" else [args.free_scope]
    scenarios = ["small", "national"] if args.scenario == "both" else [args.scenario]
    for scope in scopes:
        for name in scenarios:
            run(name, seed=args.seed, free_scope=scope, **SETTINGS[name])


if __name__ == "__main__":
    main()
