"""Does the fit search's CV loss agree with the held-out ranking on one demo world?

The fit search judges a configuration by its squared error on the moves HR made (time-ordered
CV, the moves' inverse-propensity weights); the product ranks every eligible candidate for a
position. This look takes the hand-set configuration (IPW on, in-post share 1) and changes one
structural choice the search may make at a time (a feature group dropped, no score-refined
target, no monotone constraints, no linear base, smaller trees), and prints each arm's CV loss
beside its fit NDCG@10 vs truth on the held-out pools. A design look, not a report.

    .venv/bin/python bench/fit_choices.py VARIANT EMPLOYEES SEED
"""

from __future__ import annotations

import json

from _worlds import look_from_args, pool_ndcg

from models.scoring.config import GbmParams, ScorerConfig
from models.scoring.cv import cv_years, fit_cv_loss
from models.scoring.selection import FIT_GROUPS
from pipelines.train import TrainConfig

# The boosters the fit search picked on interactions seed 22 at 3k (2026-12-03).
SMALL_TREES = GbmParams(
    num_leaves=4,
    learning_rate=0.082,
    min_child_samples=8,
    subsample=0.64,
    colsample_bytree=0.94,
    reg_lambda=0.054,
)


def dropped(*groups: str) -> dict:
    return {"fit_ignored": [name for group in groups for name in FIT_GROUPS[group]]}


ARMS: dict[str, dict] = {
    "hand-set": {},
    "no score target": {"use_score_target": False},
    **{f"drop {group}": dropped(group) for group in FIT_GROUPS},
    "drop all groups": dropped(*FIT_GROUPS),
    "no monotone": {"fit_monotone": {}},
    "no linear base": {"fit_linear_terms": []},
    "small trees": {"fit": SMALL_TREES},
    "all of these": {
        "fit": SMALL_TREES,
        "use_score_target": False,
        "fit_monotone": {},
        "fit_linear_terms": [],
        **dropped(*FIT_GROUPS),
    },
}


def main() -> None:
    named, world, history = look_from_args(__doc__)
    development, train = world.development, TrainConfig()
    years = cv_years(
        development["decree_date"], development["post_move_rating"].notna(), folds=train.cv_folds
    )
    base = ScorerConfig().model_copy(update={"fit_ipw": True, "fit_in_post_share": 1.0})
    for arm, change in ARMS.items():
        config = base.model_copy(update=change)
        record = named | {
            "arm": arm,
            "cv_loss": round(fit_cv_loss(config, history, years, train.random_state), 5),
            "fit_ndcg10_truth": round(pool_ndcg(config, world, history), 4),
        }
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
