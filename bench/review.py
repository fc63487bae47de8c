"""`mutasi review` on a demo agency: wall time of the real command, and the programme table
beside the simulator's true effects.

The demo world is generated with a known programme (a move effect and a pre-transfer training
effect, simulator/programme.py), ingested and trained first (not timed); the timed part is the
`mutasi review` command itself (a fresh process: imports, snapshot, champion, backcasts,
training plans, programme impact, drift, MLflow monitoring run, report) over the default window,
the last three decree years.

    nice -n 10 .venv/bin/python bench/review.py [--employees 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from pipelines.ingest import ingest_folder
from pipelines.registry import promote
from pipelines.settings import Settings
from pipelines.train import run_training
from simulator import Programme, generate_agency

PROGRAMME = Programme(move_effect=0.3, pretraining_effect=0.3, pretraining_share=0.4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mutasi-bench-review-") as folder:
        root = Path(folder)
        settings = Settings(home=root / "home")
        started = time.perf_counter()
        generate_agency(
            root / "agency", employees=args.employees, seed=args.seed, programme=PROGRAMME
        )
        ingest_folder(root / "agency", settings=settings)
        trained = run_training(settings)
        if not trained.promoted:  # the review needs a champion; say that it was forced
            promote(settings, version=trained.version, force=True)
            print(f"version {trained.version} failed the gate; promoted by force for the bench")
        print(f"setup (generate, ingest, train): {time.perf_counter() - started:.0f} s", flush=True)
        env = {**os.environ, "MUTASI_HOME": str(settings.home)}
        mutasi = Path(sys.executable).with_name("mutasi")
        started = time.perf_counter()
        subprocess.run([str(mutasi), "review", "--out", str(root / "out")], env=env, check=True)
        seconds = time.perf_counter() - started
        print(f"mutasi review, {args.employees} employees, seed {args.seed}: {seconds:.1f} s")
        programme = pd.read_csv(root / "out" / "programme.csv")
        moves = pd.read_csv(root / "out" / "moves.csv")
        truth = pd.read_csv(root / "agency" / "_truth" / "programme_truth.csv")
        window = sorted(pd.to_datetime(moves["decree_date"]).dt.year.unique())
        realised = truth.loc[truth["year"].isin([y + 1 for y in window])]
        pretrained = realised.loc[realised["pretraining_effect_score"] != 0]
        print(f"moves: {len(moves)}; flags: {moves['flag'].value_counts().to_dict()}")
        print(
            f"truth: move_effect {PROGRAMME.move_effect} rating = "
            f"{15 * (PROGRAMME.move_effect or 0):.1f} score points; realised mean "
            f"{realised['move_effect_score'].mean():.2f}; pretraining realised mean "
            f"{pretrained['pretraining_effect_score'].mean():.2f}"
        )
        reliable = programme.loc[~programme["cohort"].str.startswith("unit")]
        print(reliable.to_string(index=False))


if __name__ == "__main__":
    main()
