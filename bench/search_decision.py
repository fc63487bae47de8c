"""Do the searches' winners hold on CV years they were not chosen on? One demo world.

Each study (fit, then risk) picks the lowest CV loss of some dozen configurations on the latest
CV years; the one-SE rule keeps the best start (hand-set or plain) unless the searched best
beats it by more than the paired standard error on those same years, the years that picked
it. This look runs both studies of `mutasi train --budget 60` (for fit the IPW and in-post
decisions first) and, for each study's best start and searched best, prints: the gain and its
standard error on the study's years; the gain and its standard error on the older decision
years the study never saw (an unbiased look at the winner); and the held-out result (fit:
NDCG@10 vs truth on the pools; risk, after the calibrator decision each one would get: AUC as
a share of the Bayes AUC, ECE vs the true probabilities). A design look, not a report: rules
for keeping a searched best are compared on its records.

    .venv/bin/python bench/search_decision.py VARIANT EMPLOYEES SEED
"""

from __future__ import annotations

import json

import numpy as np
from _worlds import WorldExamples, look_from_args, pool_ndcg

from models.features.build import FEATURE_COLUMNS
from models.scoring.calibration_choice import decide_calibration
from models.scoring.config import ScorerConfig
from models.scoring.cv import History, paired_errors, paired_gain_se
from models.scoring.estimators import TransferScorer
from models.scoring.metrics import auc, expected_calibration_error
from models.scoring.selection import Study, older_years, search_fit, search_risk, search_years
from pipelines.train import IPW_CHOICES, TrainConfig

BUDGET = 60.0  # bench/quality.py's default: each study's half is 30 s
SEED = TrainConfig().random_state


def gains(study: Study, start: ScorerConfig, history: History, older: list[int]) -> dict:
    """The searched best's gain over `start` and its SE, on the study's years and on `older`."""
    mine, theirs = study.errors.of(start), study.errors.of(study.best)
    assert mine is not None and theirs is not None
    arms = paired_errors(
        [start, study.best], history, older, SEED, errors_of=study.errors.errors_of
    )
    assert arms is not None
    return {
        "gain": round(mine.loss() - theirs.loss(), 5),
        "gain_se": round(paired_gain_se(mine, theirs), 5),
        "old_gain": round(arms[0].loss() - arms[1].loss(), 5),
        "old_gain_se": round(paired_gain_se(*arms), 5),
    }


def best_start(study: Study) -> tuple[str, ScorerConfig]:
    table = study.table[study.table["state"].eq("complete")]
    name = str(table.at[table.loc[table["start"].ne(""), "cv_loss"].idxmin(), "start"])
    return name, study.starts[name]


def held_out_risk(
    config: ScorerConfig, world: WorldExamples, history: History, wide: list[int]
) -> dict:
    """AUC share of Bayes and ECE vs truth on the held-out years, after the calibrator
    decision `config` would get."""
    calibrated = decide_calibration(config, history, wide, SEED).applied(config)
    scorer = TransferScorer(calibrated, random_state=SEED).fit_risk_model(
        history.X, y_resisted=history.resisted, decree_date=history.decree_date
    )
    heldout, bayes = world.heldout, world.evaluation.bayes_risk
    assert bayes is not None, "the demo world writes its true probabilities"
    risk = scorer.predict_risk(heldout[list(FEATURE_COLUMNS)])
    resisted = heldout["resisted"].to_numpy(dtype=bool).astype(int)
    known = ~np.isnan(bayes)
    return {
        "auc_share": round(auc(resisted, risk) / auc(resisted[known], bayes[known]), 4),
        "ece": round(expected_calibration_error(bayes[known], risk[known]), 4),
    }


def main() -> None:
    named, world, history = look_from_args(__doc__)
    years, wide = search_years(history, TrainConfig().cv_folds)
    older = older_years(years, wide)
    found = search_fit(
        history,
        years=years,
        wide=wide,
        budget_seconds=BUDGET / 2,
        previous=None,
        seed=SEED,
        ipw_choices=IPW_CHOICES["auto"],
    )
    risk = search_risk(
        history,
        found.study.best,
        years=years,
        wide=wide,
        budget_seconds=BUDGET / 2,
        starts=found.study.starts,
        seed=SEED,
    )
    record = named | {"years": years, "older_years": older}
    for part, study in {"fit": found.study, "risk": risk}.items():
        name, start = best_start(study)
        row = {"start": name, "trials": len(study.table)}
        if part == "fit":
            row |= {
                "ndcg_start": round(pool_ndcg(start, world, history), 4),
                "ndcg_best": round(pool_ndcg(study.best, world, history), 4),
            }
        else:
            row |= {f"{k}_start": v for k, v in held_out_risk(start, world, history, wide).items()}
        if study.best is not start:
            if part == "risk":
                best = held_out_risk(study.best, world, history, wide)
                row |= {f"{k}_best": v for k, v in best.items()}
            row |= gains(study, start, history, older)
        record[part] = row
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
