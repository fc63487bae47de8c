"""Benchmark the pair features: context build, serving-path features, policy, training examples.

Usage: .venv/bin/python bench/features.py [--employees 10000 100000] [--source demo|synthetic]

With --source demo (default when simulator.generate_agency exists) the demo agency is
generated into a temporary folder and read with pipelines.ingest.read_and_validate; otherwise
a vectorised synthetic agency of the same shape (10 years of history) is built in memory.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from models.contract.enums import GOLONGAN, SECTORS, Table
from models.contract.tables import AgencyData, column_dtypes
from models.features.build import (
    FeatureContext,
    current_pair_features,
    pair_features_at,
    trained_pair_features,
    transfer_examples,
)
from models.scoring.policy import PolicyConfig, check_eligibility

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


def _typed(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    dtypes = column_dtypes(table)
    return frame.reindex(columns=list(dtypes)).astype(dtypes)


def synthetic_agency(n: int, *, seed: int = 0) -> AgencyData:
    """A random agency: n employees, n/5 positions, 10 years of appraisals, moves, trainings."""
    rng = np.random.default_rng(seed)
    n_units, n_pos = max(n // 200, 10), max(n // 5, 20)
    units = pd.DataFrame(
        {
            "unit_id": [f"U{i}" for i in range(n_units)],
            "name": "Dinas",
            "agency": "Provinsi",
            "sector": rng.choice(SECTORS, n_units),
            "region_code": rng.choice([f"13{i:02d}" for i in range(1, 20)], n_units),
            "lat": rng.uniform(-2, 1, n_units),
            "lon": rng.uniform(99, 102, n_units),
        }
    )
    pos_ids = np.array([f"P{i}" for i in range(n_pos)])
    positions = pd.DataFrame(
        {
            "position_id": pos_ids,
            "unit_id": rng.choice(units["unit_id"], n_pos),
            "title": "Analis",
            "job_type": "pelaksana",
            "grade": rng.integers(5, 13, n_pos),
            "min_rank": rng.choice(GOLONGAN[4:10], n_pos),
            "min_education": rng.choice(["SMA", "D3", "S1"], n_pos),
            "required_headcount": 5,
        }
    )
    # (birth day mod 100, sequence) = (i // 1000, i % 1000): NIPs are unique up to 100k people.
    birth_day = np.arange(n) // 1000 % 100 + 100 * rng.integers(0, 120, n)
    birth = pd.to_datetime("1965-01-01") + pd.to_timedelta(birth_day, "D")
    start = pd.to_datetime("1990-01-01") + pd.to_timedelta(rng.integers(0, 11000, n), "D")
    nips = (
        birth.strftime("%Y%m%d")
        + start.strftime("%Y%m")
        + pd.Index(rng.choice(["1", "2"], n))
        + pd.Index(np.char.zfill((np.arange(n) % 1000).astype(str), 3))
    )
    assert nips.is_unique, "synthetic NIPs are unique only up to 100,000 employees"
    current = rng.choice(pos_ids, n)
    employees = pd.DataFrame(
        {
            "nip": nips,
            "birth_date": birth,
            "gender": np.where(nips.str[14] == "1", "L", "P"),
            "employment_type": "pns",
            "rank": rng.choice(GOLONGAN[4:14], n),
            "education_level": rng.choice(["SMA", "D3", "S1", "S2"], n),
            "position_id": current,
            "position_start": pd.to_datetime("2016-01-01")
            + pd.to_timedelta(rng.integers(0, 3400, n), "D"),
            "service_start": start,
            "home_lat": rng.uniform(-2, 1, n),
            "home_lon": rng.uniform(99, 102, n),
            "marital_status": rng.choice(["single", "married"], n),
            "children": rng.integers(0, 4, n),
            "talent_box": rng.integers(1, 10, n),
        }
    )
    years = np.arange(2015, 2025)
    performance = pd.DataFrame(
        {
            "nip": np.repeat(nips, len(years)),
            "year": np.tile(years, n),
            "position_id": rng.choice(pos_ids, n * len(years)),
            "rating": rng.choice(["sangat_baik", "baik", "butuh_perbaikan"], n * len(years)),
            "score": rng.uniform(60, 100, n * len(years)),
        }
    )
    n_moves = n
    decree = pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 3650, n_moves), "D")
    transfers = pd.DataFrame(
        {
            "transfer_id": [f"T{i}" for i in range(n_moves)],
            "nip": rng.choice(nips, n_moves),
            "from_position_id": rng.choice(pos_ids, n_moves),
            "to_position_id": rng.choice(pos_ids, n_moves),
            "decree_date": decree,
            "effective_date": decree + pd.Timedelta(days=30),
            "initiated_by": rng.choice(["agency", "employee"], n_moves),
            "resistance": rng.choice(["none", "none", "none", "objection"], n_moves),
        }
    )
    comps = [f"teknis_{i}" for i in range(12)] + ["integritas", "kerjasama", "komunikasi"]
    n_assess = n * 8
    competencies = pd.DataFrame(
        {
            "nip": rng.choice(nips, n_assess),
            "competency": rng.choice(comps, n_assess),
            "level": rng.integers(1, 6, n_assess),
            "assessed_on": pd.to_datetime("2016-01-01")
            + pd.to_timedelta(rng.integers(0, 3000, n_assess), "D"),
        }
    )
    standard = pd.DataFrame(
        {
            "position_id": np.repeat(pos_ids, 4),
            "competency": rng.choice(comps, n_pos * 4),
            "required_level": rng.integers(2, 5, n_pos * 4),
        }
    ).drop_duplicates(["position_id", "competency"])
    trainings = pd.DataFrame(
        {
            "training_id": [f"TR{i}" for i in range(len(comps))],
            "name": "Diklat",
            "competency": comps,
            "hours": 40.0,
            "level_gain": 1.0,
        }
    )
    history = pd.DataFrame(
        {
            "nip": rng.choice(nips, n * 2),
            "training_id": rng.choice(trainings["training_id"], n * 2),
            "completed_on": pd.to_datetime("2018-01-01")
            + pd.to_timedelta(rng.integers(0, 2700, n * 2), "D"),
        }
    )
    frames = {
        Table.UNITS: units,
        Table.POSITIONS: positions,
        Table.EMPLOYEES: employees,
        Table.PERFORMANCE: performance,
        Table.TRANSFERS: transfers,
        Table.COMPETENCIES: competencies,
        Table.POSITION_COMPETENCIES: standard,
        Table.TRAININGS: trainings,
        Table.TRAINING_HISTORY: history,
    }
    return AgencyData.from_frames({t: _typed(t, f) for t, f in frames.items()})


def demo_agency(n: int, *, seed: int = 0) -> AgencyData:
    demo = importlib.import_module("simulator")
    ingest = importlib.import_module("pipelines.ingest")
    with tempfile.TemporaryDirectory() as folder:
        demo.generate_agency(Path(folder), employees=n, seed=seed)
        data: AgencyData = ingest.read_and_validate(Path(folder), today=date.today())
    return data


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
    has_demo = importlib.util.find_spec("simulator") is not None and hasattr(
        importlib.import_module("simulator"), "generate_agency"
    )
    parser.add_argument("--source", choices=["demo", "synthetic"],
                        default="demo" if has_demo else "synthetic")  # fmt: skip
    args = parser.parse_args()
    for n in args.employees:
        start = time.perf_counter()
        data = demo_agency(n) if args.source == "demo" else synthetic_agency(n)
        print(f"({args.source} agency of {n} built in {time.perf_counter() - start:.1f} s)")
        bench(data, label=f"{args.source} {n}")


if __name__ == "__main__":
    main()
