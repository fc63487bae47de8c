"""Cost of the words and the fairness audit on a shortlist (issue 10).

Loads the serving state of a trained data home (argument; e.g. one made by `make train`) and
times, for 20 posts with the largest shortages, the whole shortlist (k=10, near-misses
included) and, separately, the fairness audit inside it (selection rates + prefix tests).
Prints the median and the 90th percentile in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from models.planning.staffing import position_balance
from pipelines.settings import Settings
from serving.loading import build_state
from serving.ranking import ShortlistQuery, _fairness, candidate_pool, shortlist


def main(home: Path) -> None:
    state = build_state(Settings(home=home))
    balance = position_balance(state.data.positions, state.data.employees)
    posts = balance.sort_values("shortage", ascending=False)["position_id"].head(20).tolist()
    whole, audit = [], []
    for position_id in posts * 3:
        query = ShortlistQuery(position_id, k=10, include_ineligible=True)
        started = time.perf_counter()
        result = shortlist(state, query)
        whole.append(1000 * (time.perf_counter() - started))
        pool = candidate_pool(state, query)  # the audit over a pool of the eligible pool's size
        started = time.perf_counter()
        _fairness(state, pool[: result.eligible_count], result.candidates["nip"].to_numpy(object))
        audit.append(1000 * (time.perf_counter() - started))
    for label, times in (("shortlist", whole), ("fairness audit", audit)):
        p90 = float(np.percentile(times, 90))
        print(f"{label}: median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
