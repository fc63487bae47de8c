"""The risk level by calendar year on one demo world: model vs truth (a design look).

Generates and ingests the world, trains the hand-set risk model (boosters + Platt on all
folds) on the development years and prints, per decree year of development and held-out
moves: the share of moves whose home address is unknown, the mean true resistance probability,
the realised rate, the model's mean prediction (in-sample for development years), and the
held-out ECE vs truth. What issue 15 part f was designed on (seeds 10-12), never a report.

    .venv/bin/python bench/risk_drift.py VARIANT EMPLOYEES SEED
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from _worlds import development_history, world_from_args
from sklearn.metrics import roc_auc_score

from models.features.build import FEATURE_COLUMNS
from models.scoring.calibration import booster_predict
from models.scoring.config import ScorerConfig
from models.scoring.estimators import TransferScorer
from models.scoring.metrics import expected_calibration_error


def main() -> None:
    named, world = world_from_args(__doc__)
    development, heldout, data = world.development, world.heldout, world.evaluation
    truth = world.truth.transfers
    history = development_history(development)
    scorer = TransferScorer(ScorerConfig(), random_state=0)
    out_of_fold = scorer.fit_risk_boosters(
        history.X, y_resisted=history.resisted, decree_date=history.decree_date
    )
    scorer.calibrate_risk(out_of_fold, calibration="sigmoid", recent_folds=None)
    assert truth is not None and data.bayes_risk is not None
    true_p = truth.set_index("transfer_id")["resistance_probability"]
    moves = pd.concat([development, heldout], ignore_index=True)
    table = pd.DataFrame(
        {
            "year": pd.to_datetime(moves["decree_date"]).dt.year,
            "home_unknown": moves["distance_home_km"].isna(),
            "true": moves["transfer_id"].map(true_p).to_numpy(dtype=float),
            "resisted": moves["resisted"].to_numpy(dtype=float),
            "predicted": scorer.predict_risk(moves[list(FEATURE_COLUMNS)]),
            "sector_years": moves["years_in_target_sector"],
        }
    )
    by_year = table.groupby("year").mean().round(3)
    matrix = moves[list(FEATURE_COLUMNS)].to_numpy(dtype=float)
    parts = [
        booster_predict(member, matrix, pred_contrib=True) for member in scorer.risk_model_.members
    ]
    contributions = pd.DataFrame(np.mean(parts, axis=0), columns=[*FEATURE_COLUMNS, "bias"])
    per_year = contributions.groupby(table["year"].to_numpy()).mean()
    drift = (per_year.loc[2024:].mean() - per_year.loc[:2019].mean()).sort_values()
    print("log-odds contribution, 2024-26 minus 2017-19:", drift.round(3).to_dict())
    known = ~np.isnan(data.bayes_risk)
    risk = scorer.predict_risk(data.heldout[list(FEATURE_COLUMNS)])
    ece = expected_calibration_error(data.bayes_risk[known], risk[known])
    held = heldout["resisted"].to_numpy(dtype=bool)
    in_service = heldout["nip"].isin(world.data.employees["nip"]).to_numpy()
    held_risk = scorer.predict_risk(heldout[list(FEATURE_COLUMNS)])
    auc = {
        "auc_heldout": roc_auc_score(held, held_risk),
        "auc_in_service": roc_auc_score(held[in_service], held_risk[in_service]),
    }
    print(by_year.to_string())
    print(
        json.dumps(
            named
            | {
                "ece_heldout": round(float(ece), 4),
                "mean_pred": round(float(risk[known].mean()), 4),
                "mean_true": round(float(data.bayes_risk[known].mean()), 4),
                **{k: round(float(v), 4) for k, v in auc.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
