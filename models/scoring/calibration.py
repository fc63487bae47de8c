"""Probability calibration of the risk classifier: isotonic or Platt, chosen on the data; the
time-ordered folds and the fold ensemble whose out-of-fold predictions the calibrator is fitted on.

The choice is made by cross-fitting on the calibration data itself (fit on one half, measure
log loss on the other, both ways); the chosen method is then fitted on all of it. Log loss
is a proper score that punishes the overconfident 0s and 1s of an isotonic step fitted on few
examples, so isotonic wins only where the data clearly support its shape. Ties go to Platt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Protocol

import lightgbm as lgb
import numpy as np
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

_EPS = 1e-6

# `map`, or a thread pool's `map`: how a caller runs one call per booster (LightGBM's C calls
# drop the GIL, so boosters on threads run side by side).
BoosterMap = Callable[[Callable[[Any], np.ndarray], Sequence[Any]], Iterable[np.ndarray]]


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EPS, 1 - _EPS)
    return np.log(clipped / (1 - clipped)).reshape(-1, 1)


class Calibrator(Protocol):
    name: str

    def fit(self, raw: np.ndarray, y: np.ndarray) -> Calibrator: ...

    def predict(self, raw: np.ndarray) -> np.ndarray: ...


class PlattCalibrator:
    """Logistic regression on the logit of the raw probability."""

    name = "sigmoid"

    def fit(self, raw: np.ndarray, y: np.ndarray) -> PlattCalibrator:
        self.model_ = LogisticRegression(C=1e4).fit(_logit(raw), y)
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(_logit(np.asarray(raw)))[:, 1])


class IsotonicCalibrator:
    """Monotone step function from raw to calibrated probability."""

    name = "isotonic"

    def fit(self, raw: np.ndarray, y: np.ndarray) -> IsotonicCalibrator:
        self.model_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        self.model_.fit(raw, y)
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(self.model_.predict(np.asarray(raw)), dtype=np.float64)


class IdentityCalibrator:
    """No calibration: the booster's own probability (the plain LightGBM's way)."""

    name = "none"

    def fit(self, raw: np.ndarray, y: np.ndarray) -> IdentityCalibrator:
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(raw, dtype=np.float64)


class ShiftedCalibrator:
    """Another calibrator followed by a constant shift in log-odds."""

    def __init__(self, base: Calibrator, shift: float) -> None:
        self.base = base
        self.shift = shift
        self.name = f"{base.name}+shift"

    def fit(self, raw: np.ndarray, y: np.ndarray) -> ShiftedCalibrator:
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(expit(_logit(self.base.predict(raw)).ravel() + self.shift))


def intercept_shift(probability: np.ndarray, y: np.ndarray) -> float:
    """The shift in log-odds that makes the mean of `probability` equal the rate of `y`
    (recalibration in the large; 0 when either is degenerate)."""
    rate = float(np.mean(y))
    if not 0 < rate < 1 or len(probability) == 0:
        return 0.0
    logits = _logit(np.asarray(probability, dtype=np.float64)).ravel()
    return float(brentq(lambda shift: expit(logits + shift).mean() - rate, -40.0, 40.0))


_METHODS: dict[str, type[PlattCalibrator] | type[IsotonicCalibrator]] = {
    "sigmoid": PlattCalibrator,
    "isotonic": IsotonicCalibrator,
}


def cross_fitted_log_loss(
    raw: np.ndarray, y: np.ndarray, *, method: str, random_state: int
) -> float:
    """Mean log loss of `method` fitted on one random half and measured on the other half."""
    rng = np.random.default_rng(random_state)
    half = rng.permutation(raw.size) < raw.size // 2
    errors = []
    for fit_part in (half, ~half):
        if np.unique(y[fit_part]).size < 2:
            return float("inf")
        calibrator = _METHODS[method]().fit(raw[fit_part], y[fit_part])
        predicted = np.clip(calibrator.predict(raw[~fit_part]), _EPS, 1 - _EPS)
        errors.append(log_loss(y[~fit_part], predicted, labels=[0, 1]))
    return float(np.mean(errors))


def choose_calibrator(
    raw: np.ndarray,
    y: np.ndarray,
    *,
    method: Literal["auto", "isotonic", "sigmoid", "none"] = "auto",
    random_state: int = 0,
) -> Calibrator:
    """Fit the requested calibrator, or under "auto" the one with the lower cross-fitted loss."""
    if method == "none":
        return IdentityCalibrator()
    raw = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    if method == "auto":
        scores = {
            m: cross_fitted_log_loss(raw, y, method=m, random_state=random_state) for m in _METHODS
        }
        method = "isotonic" if scores["isotonic"] < scores["sigmoid"] else "sigmoid"
    calibrator: Calibrator = _METHODS[method]().fit(raw, y)
    return calibrator


def time_folds(decree_date: np.ndarray, *, folds: int) -> np.ndarray:
    """Fold number 0..folds-1 per row: contiguous blocks of equal size in date order, rows of
    one date always in the same fold (so no fold learns from a later copy of its own day)."""
    dates = np.asarray(decree_date).astype("datetime64[ns]").astype(np.int64)
    first_rank = np.searchsorted(np.sort(dates), dates, side="left")
    return np.minimum(first_rank * folds // max(len(dates), 1), folds - 1)


class FoldEnsemble:
    """The cross-fitted risk boosters, averaged in log-odds: every fold's booster learned from
    the other folds, so the out-of-fold predictions that fit the calibrator are honest, and
    together the boosters have seen every training year.

    Predicts through the underlying `lgb.Booster` (the scikit-learn wrapper's `predict` adds
    ~0.4 ms per call, most of the cost of a shortlist's few hundred rows).
    """

    def __init__(self, members: list[lgb.LGBMClassifier]) -> None:
        self.members = members

    def set_params(self, **params: Any) -> FoldEnsemble:
        """Passed on to every booster (serving sets `n_jobs`)."""
        for member in self.members:
            member.set_params(**params)
        return self

    def raw_score(self, matrix: np.ndarray) -> np.ndarray:
        """Mean log-odds of the boosters (each at its early-stopped size)."""
        return np.mean([booster_predict(m, matrix, raw_score=True) for m in self.members], axis=0)

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        """Uncalibrated probability of resistance (1-D)."""
        return np.asarray(expit(self.raw_score(matrix)), dtype=np.float64)

    def feature_importance(self) -> np.ndarray:
        """Total gain per feature over the boosters."""
        return np.sum([m.booster_.feature_importance("gain") for m in self.members], axis=0)

    def num_trees(self) -> int:
        return sum(int(m.best_iteration_ or m.booster_.num_trees()) for m in self.members)


def booster_predict(model: lgb.LGBMModel, matrix: np.ndarray, **kwargs: Any) -> np.ndarray:
    """`model.predict` through its Booster, on the model's `n_jobs` threads (same output)."""
    # the constructor's n_jobs, as get_params() gives it (which inspects the signature per call)
    threads = int(getattr(model, "n_jobs", 0) or 0)
    return np.asarray(model.booster_.predict(matrix, num_threads=threads, **kwargs))
