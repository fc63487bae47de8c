"""The set-up the model design looks share: one demo world's training examples, split by time
as training splits them, with the held-out years' evaluation data and the generator's truth.

Imported by the bench scripts as `_worlds` (a script's own folder is first on sys.path).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.contract.tables import AgencyData
from models.features.build import FEATURE_COLUMNS
from models.scoring.config import ScorerConfig
from models.scoring.cv import History
from models.scoring.estimators import TransferScorer
from models.scoring.propensity import fit_propensity
from pipelines import evaluate
from pipelines.ingest import ingest_folder
from pipelines.settings import Settings
from pipelines.snapshots import load_snapshot
from pipelines.train import TrainConfig, in_post_rows, split
from simulator import generate_agency


@dataclass(frozen=True)
class WorldExamples:
    data: AgencyData  # the ingested tables
    development: pd.DataFrame  # transfer examples of the development (earlier) years
    evaluation: evaluate.EvaluationData  # the held-out years' examples, truth pools, Bayes risk
    truth: evaluate.Truth  # the generator's truth (empty for a folder without _truth/)

    @property
    def heldout(self) -> pd.DataFrame:
        return self.evaluation.heldout


def world_examples(data: AgencyData, folder: Path) -> WorldExamples:
    """Split an ingested agency as training does and prepare the held-out evaluation against
    the truth written in `folder` (the export's own folder)."""
    development, heldout = split(data, TrainConfig())
    truth = evaluate.read_truth(folder)
    evaluation = evaluate.prepare(data, heldout, truth)
    return WorldExamples(data=data, development=development, evaluation=evaluation, truth=truth)


def demo_world(variant: str, employees: int, seed: int) -> WorldExamples:
    """A fresh demo world generated and ingested into a throwaway home, as examples."""
    with tempfile.TemporaryDirectory(prefix="bench-world-") as home:
        settings = Settings(home=Path(home))
        folder = Path(home) / "demo"
        generate_agency(folder, employees=employees, seed=seed, variant=variant)
        snapshot = load_snapshot(ingest_folder(folder, settings=settings).id, settings=settings)
        return world_examples(snapshot.data, folder)


def development_history(development: pd.DataFrame) -> History:
    """The development examples as the CV history the selection validates on (unweighted)."""
    return History(
        X=development[list(FEATURE_COLUMNS)],
        rating=development["post_move_rating"].to_numpy(dtype=float, na_value=np.nan),
        score=development["post_move_score"].to_numpy(dtype=float, na_value=np.nan),
        resisted=development["resisted"].to_numpy(dtype=bool).astype(int),
        decree_date=development["decree_date"],
    )


def selection_history(world: WorldExamples, *, seed: int) -> History:
    """The development history as `mutasi train` selects on it: with the moves'
    inverse-propensity weights and the in-post appraisals."""
    development = world.development
    weights = fit_propensity(world.data, development, random_state=seed).weights
    in_post = in_post_rows(world.data, development, world.heldout, seed=seed)
    return dataclasses.replace(development_history(development), weight=weights, in_post=in_post)


def world_from_args(description: str | None) -> tuple[dict, WorldExamples]:
    """The demo world a design look's command line names (VARIANT EMPLOYEES SEED): the names
    as a record's first fields, and the world."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("variant")
    parser.add_argument("employees", type=int)
    parser.add_argument("seed", type=int)
    args = parser.parse_args()
    return vars(args), demo_world(args.variant, args.employees, args.seed)


def look_from_args(description: str | None) -> tuple[dict, WorldExamples, History]:
    """A model design look's set-up: the named world (with truth pools) and its selection
    history (`selection_history`, seeded as training is)."""
    named, world = world_from_args(description)
    if world.evaluation.pools is None:
        raise SystemExit("the world has no truth pools")
    return named, world, selection_history(world, seed=TrainConfig().random_state)


def pool_ndcg(config: ScorerConfig, world: WorldExamples, history: History) -> float:
    """Fit NDCG@10 vs truth on the held-out pools of `config`'s fit model trained on the
    development years (with the history's weights and in-post appraisals)."""
    scorer = fit_on_development(
        config,
        world.development,
        fit_weight=history.weight,
        in_post=history.in_post,
        seed=TrainConfig().random_state,
    )
    pools = world.evaluation.pools
    assert pools is not None
    score = scorer.predict_fit(pools[list(FEATURE_COLUMNS)])
    return evaluate.truth_ndcg(pools, score, k=10)["fit_ndcg10_truth"]


def fit_on_development(
    config: ScorerConfig,
    development: pd.DataFrame,
    *,
    fit_weight: np.ndarray | None,
    in_post: pd.DataFrame | None,
    seed: int = 0,
) -> TransferScorer:
    """The fit model of `config` trained on the development years, as training trains it."""
    return TransferScorer(config, random_state=seed).fit_rating_model(
        development[list(FEATURE_COLUMNS)],
        y_rating=development["post_move_rating"],
        decree_date=development["decree_date"],
        y_score=development["post_move_score"],
        fit_weight=fit_weight,
        in_post=in_post,
    )
