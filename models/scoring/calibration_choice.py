"""Which calibrator the chosen risk boosters get: arms compared by time-ordered CV on the same
out-of-fold predictions (paired), and a one-standard-error rule.

The arms: Platt or isotonic fitted on every fold's out-of-fold predictions, or on the latest
two folds only (base rates and features drift: the recent years may be the better guide), or
on all with the intercept re-estimated on the latest two folds ("recalibration in the large");
and no calibrator. No arm is fitted on a single fold: at 10,000 employees a fold holds ~650
moves, so an intercept estimated on it alone is off by ~0.1 in log-odds (one standard error,
~0.015 in probability at a 15 % rate) before any drift is corrected.

The rule: Platt on all folds (the fewest parameters from the most data) is the reference and is
kept unless another arm's CV log loss is lower by more than the standard error of the paired
difference across the CV years; among the arms that are, the lowest mean loss wins. The
standard error is the spread of the per-year differences over the root of the number of years:
a recent arm's advantage is a property of a year (did the drift continue?), so the years, not
the moves, are the units of replication. With fewer than two CV years there is no spread to
judge by and the reference is kept. The differences a calibrator makes are a few thousandths of
log loss, of the order of their year-to-year spread; picking the minimum of seven noisy means
picks noise (three of the four 10k ECE misses of the 2026-12-02 grid were single-fold arms
chosen that way). The one-standard-error rule is the classic guard (Breiman, Friedman, Olshen
and Stone 1984; Hastie, Tibshirani and Friedman, ESL 7.10).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import log_loss

from models.scoring.config import CalibrationMethod, ScorerConfig
from models.scoring.cv import History
from models.scoring.estimators import TransferScorer

# (method, latest folds fitted on, latest folds the intercept is re-estimated on).
CalibrationArm = tuple[CalibrationMethod, int | None, int | None]
REFERENCE_ARM: CalibrationArm = ("sigmoid", None, None)
RECENT_FOLDS = 2  # the recent arms' folds: never one (see above)
CALIBRATION_ARMS: tuple[CalibrationArm, ...] = (
    REFERENCE_ARM,
    ("isotonic", None, None),
    *((method, RECENT_FOLDS, None) for method in ("sigmoid", "isotonic")),
    *((method, None, RECENT_FOLDS) for method in ("sigmoid", "isotonic")),
    ("none", None, None),
)


def arm_name(method: str, recent: int | None, shift: int | None) -> str:
    """E.g. "sigmoid/all", "isotonic/2" (fitted on the latest 2 folds), "sigmoid/all+shift2"."""
    return f"{method}/{recent or 'all'}" + (f"+shift{shift}" if shift else "")


REFERENCE = arm_name(*REFERENCE_ARM)


@dataclass(frozen=True)
class CalibrationDecision:
    """The calibrator chosen for the risk boosters, and every arm's CV log loss."""

    method: CalibrationMethod
    recent_folds: int | None
    shift_folds: int | None
    losses: dict[str, float]  # arm_name -> mean log loss over the CV years
    gain_se: dict[str, float]  # arm_name -> standard error of (reference - arm) over the years
    seconds: float

    def applied(self, config: ScorerConfig) -> ScorerConfig:
        """`config` with this calibrator."""
        return config.model_copy(
            update={
                "calibration": self.method,
                "calibration_recent_folds": self.recent_folds,
                "calibration_shift_folds": self.shift_folds,
            }
        )


def paired_year_se(reference: np.ndarray, arm: np.ndarray) -> float:
    """Standard error of the mean over CV years of reference - arm (NaN under two years)."""
    difference = np.asarray(reference) - np.asarray(arm)
    if len(difference) < 2:
        return float("nan")
    return float(np.std(difference, ddof=1) / np.sqrt(len(difference)))


def one_se_choice(by_year: dict[str, np.ndarray], *, reference: str = REFERENCE) -> str:
    """The reference arm, unless other arms lower its mean loss by more than the paired
    standard error over the years; then the lowest mean loss among those."""
    base = by_year[reference]
    beating = [
        name
        for name, losses in by_year.items()
        if np.mean(base - losses) > paired_year_se(base, losses)  # False while the SE is NaN
    ]
    return min(beating, key=lambda name: float(np.mean(by_year[name])), default=reference)


def arm_losses_by_year(
    config: ScorerConfig,
    history: History,
    years: list[int],
    seed: int,
    arms: tuple[CalibrationArm, ...],
) -> dict[str, np.ndarray]:
    """Each arm's log loss per CV year: the boosters trained once on the earlier years, every
    arm fitted on their out-of-fold predictions and scored on the year's decrees. A year too
    early to train on (too few of a kind) is left out for every arm."""
    losses: dict[str, list[float]] = {arm_name(*arm): [] for arm in arms}
    for year in years:
        train, valid = history.year < year, history.year == year
        scorer = TransferScorer(config, random_state=seed)
        try:
            out_of_fold = scorer.fit_risk_boosters(
                history.X.loc[train],
                y_resisted=history.resisted[train],
                decree_date=history.decree_date[train],
            )
        except ValueError:
            continue
        for method, recent, shift in arms:
            scorer.calibrate_risk(
                out_of_fold, calibration=method, recent_folds=recent, shift_folds=shift
            )
            predicted = np.clip(scorer.predict_risk(history.X.loc[valid]), 1e-6, 1 - 1e-6)
            loss = float(log_loss(history.resisted[valid], predicted, labels=[0, 1]))
            losses[arm_name(method, recent, shift)].append(loss)
    return {name: np.asarray(values) for name, values in losses.items()}


def decide_calibration(
    config: ScorerConfig, history: History, years: list[int], seed: int
) -> CalibrationDecision:
    """The calibrator of `config`'s risk boosters by the one-standard-error rule over the
    paired CV log losses of the arms (module docstring). Why apart from the search: a
    calibrator changes the log loss by less than the noise between booster configurations;
    with the boosters fixed the arms' differences are the calibrators' own."""
    started = time.perf_counter()
    arms = tuple(a for a in CALIBRATION_ARMS if max(a[1] or 0, a[2] or 0) < config.risk_folds)
    by_year = arm_losses_by_year(config, history, years, seed, arms)
    if not len(by_year[REFERENCE]):  # no year to compare on: the configuration's own
        return CalibrationDecision(
            method=config.calibration,
            recent_folds=config.calibration_recent_folds,
            shift_folds=config.calibration_shift_folds,
            losses={},
            gain_se={},
            seconds=time.perf_counter() - started,
        )
    chosen = one_se_choice(by_year)
    method, recent, shift = next(arm for arm in arms if arm_name(*arm) == chosen)
    return CalibrationDecision(
        method=method,
        recent_folds=recent,
        shift_folds=shift,
        losses={name: float(np.mean(losses)) for name, losses in by_year.items()},
        gain_se={name: paired_year_se(by_year[REFERENCE], v) for name, v in by_year.items()},
        seconds=time.perf_counter() - started,
    )
