"""Model quality on structurally different demo worlds: variant x seed x size.

For each combination a fresh worker process generates the world (`simulator.variants`), ingests
it and runs exactly what `mutasi train --budget SECONDS` does (per-agency selection by
time-ordered CV, then the held-out evaluation against the generator's truth). Reported per run:
fit NDCG@10 vs truth for the selected model, the plain LightGBM and the HR rule; risk AUC and
its share of the Bayes AUC; ECE against the true probabilities (model and plain LightGBM);
the mean predicted vs true risk; training and selection seconds; peak RSS.

    .venv/bin/python bench/quality.py [--variants default interactions ...] [--seeds 1 2 3]
        [--sizes 3000 10000] [--budget 60] [--no-selection] [--ipw auto|on|off]
        [--out var/bench/quality.jsonl]

Selection bias: `--ipw on|off` forces the fit model's inverse-propensity weights on or off
(`auto` offers them to per-agency CV); the rows also report fit NDCG@10 vs truth among the
candidates HR rarely picks (other sector, 100+ km from home, a grade step), the propensity
model's out-of-time AUC, the weights' effective sample share and maximum.

Designs were chosen on DESIGN_VARIANTS x DESIGN_SEEDS; report on REPORT_SEEDS (the default).
Each line of output (and of --out) is one JSON record; the summary table is printed last.
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
from typing import Any

COLUMNS = {
    "fit_ndcg10_truth": "ndcg",
    "plain_lightgbm.fit_ndcg10_truth": "ndcg_plain",
    "rule.fit_ndcg10_truth": "ndcg_rule",
    "risk_auc": "auc",
    "bayes_risk_auc": "auc_bayes",
    "risk_auc_share_of_bayes": "auc_share",
    "risk_ece_vs_truth": "ece_truth",
    "plain_lightgbm.risk_ece_vs_truth": "ece_truth_plain",
    "risk_mean_predicted": "risk_mean",
    "fit_ndcg10_truth.other_sector": "ndcg_other_sector",
    "fit_ndcg10_truth.far_from_home": "ndcg_far",
    "fit_ndcg10_truth.grade_step": "ndcg_grade_step",
    "propensity.auc": "propensity_auc",
    "ipw.ess_share": "ipw_ess_share",
    "ipw.weight_max": "ipw_weight_max",
    "ipw.cv_loss_off": "ipw_cv_off",
    "ipw.cv_loss_on": "ipw_cv_on",
    "ipw.cv_gain_se": "ipw_cv_gain_se",
    "in_post.rows": "in_post_rows",
    "in_post.share": "in_post_share",
    "in_post.cv_years": "in_post_cv_years",
    "in_post.seconds": "in_post_s",
}


FIT_NDCG = (
    "fit_ndcg10_truth",
    "fit_ndcg10_truth.other_sector",
    "fit_ndcg10_truth.far_from_home",
    "fit_ndcg10_truth.grade_step",
)


def ipw_flipped(settings: Any, *, snapshot_id: str, folder: Path, config: Any) -> dict:
    """The trained configuration with the fit model's IPW flipped (everything else as chosen):
    fit NDCG@10 vs truth, overall and per rarely picked kind, of IPW on minus IPW off."""
    from _worlds import fit_on_development, selection_history, world_examples

    from models.features.build import FEATURE_COLUMNS
    from pipelines import evaluate
    from pipelines.snapshots import load_snapshot
    from pipelines.train import TrainConfig

    world = world_examples(load_snapshot(snapshot_id, settings=settings).data, folder)
    history = selection_history(world, seed=TrainConfig().random_state)
    pools = world.evaluation.pools
    scores = {}
    for ipw in (False, True):
        scorer = fit_on_development(
            config.model_copy(update={"fit_ipw": ipw}),
            world.development,
            fit_weight=history.weight,
            in_post=history.in_post,
        )
        scores[ipw] = evaluate.truth_ndcg(
            pools, scorer.predict_fit(pools[list(FEATURE_COLUMNS)]), k=10
        )
    names = {key: key.removeprefix("fit_ndcg10_truth").strip(".") or "overall" for key in FIT_NDCG}
    return {
        f"delta_ipw.{name}": round(
            scores[True].get(key, float("nan")) - scores[False].get(key, float("nan")), 4
        )
        for key, name in names.items()
    }


def calibration_arm(config: Any) -> str:
    from models.scoring.calibration_choice import arm_name

    return arm_name(
        config.calibration, config.calibration_recent_folds, config.calibration_shift_folds
    )


def worker(
    variant: str, employees: int, seed: int, home: Path, budget: float | None, ipw: str
) -> dict:
    """Generate + ingest (untimed), then one timed training run with selection."""
    import numpy as np
    import pandas as pd

    from pipelines.ingest import ingest_folder
    from pipelines.settings import Settings
    from pipelines.train import TrainConfig, run_training
    from simulator import generate_agency

    settings = Settings(home=home)
    folder = home / "demo"
    generate_agency(folder, employees=employees, seed=seed, variant=variant)
    info = ingest_folder(folder, settings=settings)
    started = time.perf_counter()
    result = run_training(
        settings,
        snapshot_id=info.id,
        truth_folder=folder,
        config=TrainConfig(budget_seconds=budget, ipw=ipw),
    )
    seconds = time.perf_counter() - started
    truth = pd.read_csv(folder / "_truth" / "transfers_truth.csv")
    report = {
        "variant": variant,
        "seed": seed,
        "employees": employees,
        "train_s": round(seconds, 1),
        "select_s": round(result.metrics.get("selection.seconds", float("nan")), 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "true_risk_mean": round(float(truth["resistance_probability"].mean()), 3),
        "promoted": result.promoted,
        "ipw": ipw,
        "fit_ipw_trained": result.scorer_config.fit_ipw,
    }
    for key, name in COLUMNS.items():
        value = result.metrics.get(key, np.nan)
        report[name] = round(float(value), 4) if np.isfinite(value) else None
    report["calibration"] = calibration_arm(result.scorer_config)
    if "propensity.auc" in result.metrics:  # untimed: the chosen config with IPW flipped
        report |= ipw_flipped(
            settings, snapshot_id=info.id, folder=folder, config=result.scorer_config
        )
    return report


def run(args: argparse.Namespace) -> list[dict]:
    records = []
    for variant in args.variants:
        for size in args.sizes:
            for seed in args.seeds:
                with tempfile.TemporaryDirectory(prefix="bench-quality-") as home:
                    command = [sys.executable, __file__, "--worker", variant, "--home", home]
                    command += ["--sizes", str(size), "--seeds", str(seed)]
                    command += ["--no-selection"] if args.no_selection else []
                    command += ["--budget", str(args.budget), "--ipw", args.ipw]
                    done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(
                        f"{variant} {size} {seed}: failed\n{done.stderr[-3000:]}", file=sys.stderr
                    )
                    continue
                record = json.loads(done.stdout.strip().splitlines()[-1])
                print(json.dumps(record), flush=True)
                records.append(record)
                if args.out:
                    with args.out.open("a", encoding="utf-8") as out:
                        out.write(json.dumps(record) + "\n")
    return records


def main() -> None:
    from simulator.variants import REPORT_SEEDS, VARIANTS

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(REPORT_SEEDS))
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 10000])
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--no-selection", action="store_true", help="The standard config.")
    parser.add_argument(
        "--ipw",
        choices=["auto", "on", "off"],
        default="auto",
        help="Inverse-propensity weights of the fit model: offered to CV, forced, or never.",
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        budget = None if args.no_selection else args.budget
        report = worker(args.worker, args.sizes[0], args.seeds[0], args.home, budget, args.ipw)
        print(json.dumps(report))
        return
    records = run(args)
    if records:
        import pandas as pd

        print(pd.DataFrame(records).to_string(index=False))


if __name__ == "__main__":
    main()
