"""Benchmark skp_vs_peers (models/features/peers.py) inside events.performance_state.

Usage: .venv/bin/python bench/peers.py [--people 20000] [--years 10] [--repeats 3]

The positions come from a small demo world (simulator.agency_data, 400 employees, seed 0); the
appraisal table is synthetic: every person rated once a year at a random post, with a score,
and one row per person at a random year (so every distinct year is a cutoff).
Prints the best of --repeats for performance_state with the feature, without it (the two
peers functions replaced by NaN), and for experience_cells and skp_vs_peers alone.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from models.features import events
from models.features.catalog import Catalog
from simulator import agency_data


def best(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    catalog = Catalog.build(agency_data(employees=400, seed=0))
    rng = np.random.default_rng(0)
    n, years = args.people, np.arange(2025 - args.years, 2025)
    nips = np.array([f"1980{i % 9000 + 1000:04d}{2000 + i % 20}011{i:03d}" for i in range(n)])
    size = n * len(years)
    perf = pd.DataFrame(
        {
            "nip": pd.array(np.repeat(nips, len(years)), dtype="string"),
            "year": np.tile(years, n),
            "position_id": pd.array(rng.choice(catalog.position_ids, size), dtype="string"),
            "rating": pd.array(
                rng.choice(["baik", "sangat_baik", "butuh_perbaikan", "kurang"], size),
                dtype="string",
            ),
            "score": rng.uniform(60, 95, size).round(1),
        }
    )
    row_year = rng.choice(np.arange(years[0] + 1, years[-1] + 2), n)
    as_of = (row_year - 1970).astype("datetime64[Y]").astype("datetime64[ns]")
    as_of = as_of + np.timedelta64(180, "D")
    rows = pd.Series(nips, dtype="string")
    print(f"{size:,} records, {n:,} rows, {len(np.unique(row_year))} cutoffs")

    def state() -> object:
        return events.performance_state(perf, catalog, nips=rows, as_of=as_of)

    cells = events.experience_cells(perf, catalog)
    row, rec = events.pairs_by_nip(rows, perf["nip"])
    keep = perf["year"].to_numpy()[rec] < row_year[row]
    figures = {
        "performance_state": best(state, args.repeats),
        "  experience_cells": best(lambda: events.experience_cells(perf, catalog), args.repeats),
        "  skp_vs_peers": best(
            lambda: events.skp_vs_peers(
                perf, cells, row=row[keep], rec=rec[keep], row_year=row_year
            ),
            args.repeats,
        ),
    }
    real = events.skp_vs_peers, events.experience_cells
    events.skp_vs_peers = lambda perf, cells, *, row, rec, row_year: np.full(len(row_year), np.nan)  # type: ignore[assignment]
    events.experience_cells = lambda perf, catalog, employees=None: np.zeros(len(perf))  # type: ignore[assignment]
    figures["performance_state without the feature"] = best(state, args.repeats)
    events.skp_vs_peers, events.experience_cells = real
    for name, seconds in figures.items():
        print(f"{name:40s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
