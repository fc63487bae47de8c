"""Benchmark the pair features: context build, serving-path features, policy, training examples.

Usage: .venv/bin/python bench/features.py [--employees 10000 100000]

The agency is the demo world (simulator.agency_data: generated, then loaded as ingest loads it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import (
    FeatureContext,
    current_pair_features,
    pair_features_at,
    trained_pair_features,
    transfer_examples,
)
from models.scoring.policy import PolicyConfig, check_eligibility
from simulator import agency_data

AS_OF = date(2025, 7, 1)


def timed(fn: Callable[[], object], *, repeat: int = 1) -> tuple[str, object]:
    """(timings text, last result) over `repeat` runs: wall median and min, and min CPU time
    of this process; on a shared machine the CPU time is the least disturbed figure."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    median, best, cpu_best = (1000 * v for v in (statistics.median(walls), min(walls), min(cpus)))
    return f"wall {median:8.1f} median {best:8.1f} min | cpu {cpu_best:8.1f} min ms", result


def report(label: str, took: str) -> None:
    print(f"{label:<36} {took}")


def bench(data: AgencyData, *, label: str) -> None:
    n = len(data.employees)
    print(f"\n== {label}: {n} employees, {len(data.performance)} appraisals, "
          f"{len(data.transfers)} transfers")  # fmt: skip
    took, ctx = timed(lambda: FeatureContext.build(data, AS_OF), repeat=3)
    assert isinstance(ctx, FeatureContext)
    report("FeatureContext.build", took)
    rng = np.random.default_rng(1)
    nips = data.employees["nip"].to_numpy(dtype=object)
    positions = data.positions["position_id"].to_numpy(dtype=object)
    pool = nips[rng.choice(n, 10_000, replace=n < 10_000)]
    one_position = np.repeat(positions[0], len(pool))
    took, _ = timed(lambda: current_pair_features(ctx, pool, one_position), repeat=21)
    report("current_pair_features 1 x 10k", took)
    many = nips[rng.choice(n, 100_000)]
    many_positions = positions[rng.choice(len(positions), 100_000)]
    took, _ = timed(lambda: current_pair_features(ctx, many, many_positions), repeat=5)
    report("current_pair_features 100k pairs", took)
    config = PolicyConfig()
    took, _ = timed(lambda: check_eligibility(ctx, pool, one_position, config=config), repeat=21)
    report("check_eligibility 1 x 10k", took)
    trainings = list(data.trainings["training_id"].astype(str)[:10])
    sets = [[]] + [[t] for t in trainings]
    took, _ = timed(lambda: trained_pair_features(ctx, nips[0], positions[0], sets), repeat=21)
    report(f"trained_pair_features {len(sets)} sets", took)
    pairs = pd.DataFrame({"nip": pool, "position_id": one_position, "as_of": pd.Timestamp(AS_OF)})
    took, _ = timed(lambda: pair_features_at(data, pairs), repeat=3)
    report("pair_features_at 10k pairs", took)
    pairs = pd.DataFrame({"nip": many, "position_id": many_positions, "as_of": pd.Timestamp(AS_OF)})
    took, _ = timed(lambda: pair_features_at(data, pairs), repeat=3)
    report("pair_features_at 100k pairs", took)
    took, examples = timed(lambda: transfer_examples(data), repeat=3)
    report(f"transfer_examples ({len(examples)} rows)", took)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    for n in args.employees:
        start = time.perf_counter()
        data = agency_data(employees=n, seed=0)
        print(f"(demo agency of {n} built in {time.perf_counter() - start:.1f} s)")
        bench(data, label=f"demo {n}")


if __name__ == "__main__":
    main()
