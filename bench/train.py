"""Training cost at 3k, 30k and 100k employees: time and peak memory of `mutasi train`.

Each size runs in a fresh worker process (so peak RSS is that run's own): the demo world is
generated and ingested first (not timed here; see bench/ingest.py), then the timed part is
exactly what `mutasi train` does on a snapshot: features, time split, LightGBM + baselines,
evaluation against the generator's truth, MLflow logging, registration and the gate.

    .venv/bin/python bench/train.py [--sizes 3000 30000 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADLINE = (
    "fit_ndcg10_truth",
    "rule.fit_ndcg10_truth",
    "logistic.fit_ndcg10_truth",
    "random.fit_ndcg10_truth",
    "margin_vs_rule.fit_ndcg10_truth",
    "fit_ndcg10_outcome",
    "rule.fit_ndcg10_outcome",
    "margin_vs_rule.fit_ndcg10_outcome",
    "fit_mae",
    "risk_auc",
    "bayes_risk_auc",
    "risk_auc_share_of_bayes",
    "risk_brier",
    "risk_ece",
    "risk_ece_quantile",
    "risk_ece_vs_truth",
    "bayes_risk_ece",
    "logistic.risk_auc",
    "rule.risk_auc",
)


def worker(employees: int, seed: int, home: Path) -> dict[str, object]:
    """Generate + ingest (untimed), then time one training run; report RSS and metrics."""
    from pipelines.demo import generate_agency
    from pipelines.ingest import ingest_folder
    from pipelines.settings import Settings
    from pipelines.train import run_training

    settings = Settings(home=home)
    folder = home / "demo"
    generate_agency(folder, employees=employees, seed=seed)
    info = ingest_folder(folder, settings=settings)
    started = time.perf_counter()
    result = run_training(settings, snapshot_id=info.id, truth_folder=folder)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "employees": employees,
        "transfers": info.row_counts.get("transfers", 0),
        "train_seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "metrics": {k: round(result.metrics[k], 4) for k in HEADLINE if k in result.metrics},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000, 100000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.seed, args.home)))
        return
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-train-{size}-") as home:
            command = [sys.executable, __file__, "--worker", str(size), "--seed", str(args.seed)]
            done = subprocess.run(
                [*command, "--home", home], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                print(f"{size}: failed\n{done.stderr[-3000:]}", file=sys.stderr)
                continue
            print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
