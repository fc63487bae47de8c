"""Training cost at 3k, 30k and 100k employees: time and peak memory of `mutasi train`.

Each size runs in a fresh worker process (so peak RSS is that run's own): the demo world is
generated and ingested first (not timed here; see bench/ingest.py), then the timed part is
exactly what `mutasi train` does on a snapshot: features, time split, LightGBM + baselines,
evaluation against the generator's truth, MLflow logging, registration and the gate.

    .venv/bin/python bench/train.py [--sizes 3000 30000 100000] [--seed 7] [--predict-timing]

With --predict-timing it also times, on the registered scorer (1 thread, as served), one
prediction call through the scikit-learn wrapper against the same call through the Booster
(`models.scoring.calibration.booster_predict`) at 10, 200 and 10,000 rows, best of 5 (timeit).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


PREDICT_ROWS = (10, 200, 10_000)


def best_ms(call: Callable[[], object], rows: int) -> float:
    number = 20 if rows >= 10_000 else 200
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1000


def timings_at(scorer: Any, X: Any) -> dict[str, float]:
    """Milliseconds per call at len(X) rows: wrapper vs Booster (fit model, one risk booster),
    and the scorer's predict_fit and predict_risk (all its risk boosters, calibrated)."""
    import numpy as np

    from models.scoring.calibration import booster_predict

    matrix = X.to_numpy(dtype=np.float64, na_value=np.nan)
    fit, risk, rows = scorer.fit_model_, scorer.risk_model_.members[0], len(X)
    return {
        f"fit_wrapper_ms@{rows}": best_ms(lambda: fit.predict(matrix), rows),
        f"fit_booster_ms@{rows}": best_ms(lambda: booster_predict(fit, matrix), rows),
        f"risk1_wrapper_ms@{rows}": best_ms(lambda: risk.predict_proba(matrix), rows),
        f"risk1_booster_ms@{rows}": best_ms(lambda: booster_predict(risk, matrix), rows),
        f"predict_fit_ms@{rows}": best_ms(lambda: scorer.predict_fit(X), rows),
        f"predict_risk_ms@{rows}": best_ms(lambda: scorer.predict_risk(X), rows),
    }


def predict_timing(settings: Any, version: str, features: Any) -> dict[str, float]:
    """`timings_at` for each of PREDICT_ROWS on the registered scorer, on 1 thread."""
    import numpy as np

    from pipelines.registry import load_version

    scorer = load_version(settings, version).scorer
    scorer.fit_model_.set_params(n_jobs=1)
    scorer.risk_model_.set_params(n_jobs=1)
    frame = features[scorer.feature_names_]
    timings: dict[str, float] = {"risk_trees": scorer.risk_model_.num_trees()}
    for rows in PREDICT_ROWS:
        timings |= timings_at(scorer, frame.iloc[np.arange(rows) % len(frame)])
    return {k: round(v, 3) for k, v in timings.items()}


def worker(employees: int, seed: int, home: Path, *, timing: bool = False) -> dict[str, object]:
    """Generate + ingest (untimed), then time one training run; report RSS and metrics."""
    from pipelines.ingest import ingest_folder
    from pipelines.settings import Settings
    from pipelines.snapshots import load_snapshot
    from pipelines.train import run_training
    from simulator import generate_agency

    settings = Settings(home=home)
    folder = home / "demo"
    generate_agency(folder, employees=employees, seed=seed)
    info = ingest_folder(folder, settings=settings)
    started = time.perf_counter()
    result = run_training(settings, snapshot_id=info.id, truth_folder=folder)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report: dict[str, object] = {
        "employees": employees,
        "transfers": info.row_counts.get("transfers", 0),
        "train_seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "metrics": {k: round(result.metrics[k], 4) for k in HEADLINE if k in result.metrics},
    }
    if timing:
        from models.features.build import transfer_examples

        features = transfer_examples(load_snapshot(info.id, settings=settings).data)
        report["predict"] = predict_timing(settings, result.version, features)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000, 100000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--predict-timing", action="store_true")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.seed, args.home, timing=args.predict_timing)))
        return
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-train-{size}-") as home:
            command = [sys.executable, __file__, "--worker", str(size), "--seed", str(args.seed)]
            command += ["--predict-timing"] if args.predict_timing else []
            done = subprocess.run(
                [*command, "--home", home], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                print(f"{size}: failed\n{done.stderr[-3000:]}", file=sys.stderr)
                continue
            print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
