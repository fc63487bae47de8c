"""The risk calibrator arms on one demo world: per-year CV log loss and held-out ECE vs truth.

Generates and ingests the world, trains the hand-set risk boosters once per CV year (as
`decide_calibration` does) and scores every arm, including the single-fold arms no longer
offered, by log loss per CV year; then trains them on all development years and measures each
arm's ECE against the true probabilities on the held-out years. Prints one JSON record per
world: what the calibrator rule was designed on (seeds 10-12), never a report.

    .venv/bin/python bench/calibration_arms.py VARIANT EMPLOYEES SEED
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from _worlds import development_history, world_from_args

from models.features.build import FEATURE_COLUMNS
from models.scoring.calibration_choice import CalibrationArm, arm_losses_by_year, arm_name
from models.scoring.config import ScorerConfig
from models.scoring.cv import cv_years
from models.scoring.estimators import TransferScorer
from models.scoring.metrics import expected_calibration_error

ARMS: tuple[CalibrationArm, ...] = (
    *((method, recent, None) for method in ("sigmoid", "isotonic") for recent in (None, 1, 2)),
    *((method, None, shift) for method in ("sigmoid", "isotonic") for shift in (1, 2)),
    ("none", None, None),
)


def main() -> None:
    named, world = world_from_args(__doc__)
    history, data = development_history(world.development), world.evaluation
    labelled = pd.Series(~np.isnan(history.rating))
    years = cv_years(history.decree_date, labelled, folds=4)
    by_year = arm_losses_by_year(ScorerConfig(), history, years, 0, ARMS)
    scorer = TransferScorer(ScorerConfig(), random_state=0)
    out_of_fold = scorer.fit_risk_boosters(
        history.X, y_resisted=history.resisted, decree_date=history.decree_date
    )
    assert data.bayes_risk is not None, "the demo world writes its true probabilities"
    known = ~np.isnan(data.bayes_risk)
    ece = {}
    for method, recent, shift in ARMS:
        scorer.calibrate_risk(
            out_of_fold, calibration=method, recent_folds=recent, shift_folds=shift
        )
        risk = scorer.predict_risk(data.heldout[list(FEATURE_COLUMNS)])
        name = arm_name(method, recent, shift)
        ece[name] = expected_calibration_error(data.bayes_risk[known], risk[known])
    record = named | {"years": years, "ece": ece}
    print(json.dumps(record | {"by_year": {k: list(v) for k, v in by_year.items()}}))


if __name__ == "__main__":
    main()
