"""TransferScorer: post-move fit (LightGBM regressor) and calibrated resistance risk.

`fit` learns fit with early stopping on an inner validation slice, the latest `holdout_share`
of the examples by decree date, then refits on all of them at the stopped size. Risk is
cross-fitted over `risk_folds` time-ordered folds: each fold's booster learns from the other
folds and stops early on its own, the calibrator is fitted on the out-of-fold predictions (data
its booster did not see), and the boosters are averaged. The caller keeps its own, later,
held-out slice for reporting, so nothing is tuned and reported on the same split.

`with_tree_walks` gives a copy whose predictions walk the trees through other code that returns
LightGBM's raw scores (the compiled boosters of `pipelines/compiled.py`); explanations
(pred_contrib) and training always use LightGBM itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import expit
from sklearn.base import BaseEstimator

from models.features.skp_scale import RATING_HIGH, RATING_LOW, score_on_rating_scale
from models.scoring.calibration import (
    BoosterMap,
    Calibrator,
    FoldEnsemble,
    ShiftedCalibrator,
    booster_predict,
    choose_calibrator,
    intercept_shift,
    time_folds,
)
from models.scoring.config import (
    AUTO_THREADS_MIN_ROWS,
    CalibrationMethod,
    Direction,
    GbmParams,
    ScorerConfig,
)
from models.scoring.linear_base import LinearBase

__all__ = ["GbmParams", "ScorerConfig", "TransferScorer", "TreeWalks"]

TreeWalk = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TreeWalks:
    """Replacement tree walks: `fit` returns what the fit booster's raw prediction would, `risk`
    one callable per risk fold booster (in order) returning its raw log-odds; `together`, when
    given, all of them in one call (one row per booster: fit, then the risk boosters), so that
    the walks of a batch can share threads and wait once instead of once per booster."""

    fit: TreeWalk
    risk: tuple[TreeWalk, ...]
    together: TreeWalk | None = None


def _matrix(X: pd.DataFrame, columns: list[str]) -> np.ndarray:
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise ValueError(f"feature columns missing: {missing}")
    # Row-major once here: every booster (LightGBM's or a compiled one) walks rows, and would
    # otherwise copy pandas' column-major block for each of the five boosters.
    return np.ascontiguousarray(X[columns].to_numpy(dtype=np.float64, na_value=np.nan))


def _monotone(columns: list[str], directions: dict[str, Direction]) -> list[int]:
    return [int(directions.get(c, 0)) for c in columns]


def _stopping(config: ScorerConfig, params: GbmParams) -> list[Any]:
    """Early stopping on the validation slice, unless the model's parameters switch it off."""
    if not params.early_stopping:
        return []
    return [lgb.early_stopping(config.early_stopping_rounds, verbose=False)]


def _rows(weight: np.ndarray | None, mask: np.ndarray) -> np.ndarray | None:
    return None if weight is None else weight[mask]


def in_post_weight(share: float, labelled: np.ndarray, appraisals: int) -> float:
    """The weight of each in-post appraisal: together `share` times the weight of the moves
    with an outcome (`labelled`: their weights), but none above such a move's mean."""
    if not len(labelled):
        return 0.0
    return float(min(share * labelled.sum() / appraisals, labelled.mean()))


def move_weights(config: ScorerConfig, fit_weight: ArrayLike | None) -> np.ndarray | None:
    """The moves' training weights: their inverse-propensity weights when the configuration
    asks for them (`fit_ipw`), else None (every move weighs 1)."""
    if not config.fit_ipw:
        return None  # unweighted unless asked: the default model trains exactly as before
    if fit_weight is None:
        raise ValueError("fit_ipw needs the moves' inverse-propensity weights")
    return np.asarray(fit_weight, dtype=np.float64)


def appraisal_weight(
    config: ScorerConfig, y_rating: ArrayLike, weight: np.ndarray | None, appraisals: int
) -> float | None:
    """Each in-post appraisal's training weight beside moves of `weight` (None: 1 each), or
    None when the fit model leaves them out (share 0, or none given)."""
    if not appraisals or config.fit_in_post_share <= 0:
        return None
    rating = np.asarray(y_rating, dtype=np.float64)
    own = np.ones(len(rating)) if weight is None else weight
    return in_post_weight(config.fit_in_post_share, own[~np.isnan(rating)], appraisals)


def _with_in_post(
    in_post: pd.DataFrame,
    each: float,
    *,
    X: pd.DataFrame,
    y_rating: ArrayLike,
    y_score: ArrayLike | None,
    decree_date: ArrayLike,
    weight: np.ndarray | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The moves followed by the in-post appraisals: features, labels, dates, weights.

    The moves keep their own weights (or 1); each appraisal weighs `each` (`appraisal_weight`:
    together a share of the moves' weight, none above a move's mean). Without the moves'
    scores the appraisals' scores are not used either, so every row has the same kind of target.
    """
    moves = len(X)
    rating = np.asarray(y_rating, dtype=np.float64)
    dates = pd.to_datetime(pd.Series(np.asarray(decree_date))).to_numpy("datetime64[ns]")
    own = np.ones(moves) if weight is None else weight
    in_post_score = in_post["post_move_score"].to_numpy(dtype=float, na_value=np.nan)
    if y_score is None:
        score = np.full(moves + len(in_post), np.nan)
    else:
        score = np.r_[np.asarray(y_score, dtype=np.float64), in_post_score]
    return (
        pd.concat([X, in_post[list(X.columns)]], ignore_index=True),
        np.r_[rating, in_post["post_move_rating"].to_numpy(float)],
        score,
        np.r_[dates, in_post["decree_date"].to_numpy("datetime64[ns]")],
        np.r_[own, np.full(len(in_post), each)],
    )


def time_holdout_mask(decree_date: ArrayLike, *, share: float) -> np.ndarray:
    """True for the latest `share` of rows by date (all rows of the cut-off date included)."""
    dates = pd.to_datetime(pd.Series(np.asarray(decree_date))).to_numpy()
    ticks = dates.astype("datetime64[ns]").astype(np.int64)
    return np.asarray(ticks >= np.quantile(ticks, 1.0 - share))


@dataclass(frozen=True)
class OutOfFold:
    """The risk boosters' out-of-fold raw probabilities, the labels and each row's time fold."""

    raw: np.ndarray
    resisted: np.ndarray
    fold: np.ndarray
    folds: int

    def latest(self, folds: int | None) -> np.ndarray:
        """Rows of the latest `folds` time folds (all rows for None)."""
        return self.fold >= self.folds - folds if folds else np.ones(len(self.fold), dtype=bool)


class TransferScorer(BaseEstimator):
    """Predicts post-move fit (rating scale 1-5) and calibrated resistance risk for pairs."""

    on_rating_scale = True

    def __init__(self, config: ScorerConfig | None = None, random_state: int = 0) -> None:
        self.config = config
        self.random_state = random_state

    def _config(self) -> ScorerConfig:
        return self.config if self.config is not None else ScorerConfig()

    def _gbm(
        self, params: GbmParams, monotone: list[int], *, classifier: bool, rows: int
    ) -> lgb.LGBMModel:
        cls = lgb.LGBMClassifier if classifier else lgb.LGBMRegressor
        threads = params.n_jobs or (1 if rows < AUTO_THREADS_MIN_ROWS else 2)
        return cls(
            **params.model_dump(exclude={"n_jobs", "early_stopping"}),
            n_jobs=threads,
            monotone_constraints=monotone,
            random_state=self.random_state,
            verbose=-1,
        )

    def fit(
        self,
        X: pd.DataFrame,
        *,
        y_rating: ArrayLike,
        y_resisted: ArrayLike,
        decree_date: ArrayLike,
        y_score: ArrayLike | None = None,
        fit_weight: ArrayLike | None = None,
        in_post: pd.DataFrame | None = None,
    ) -> TransferScorer:
        """Learn both models; NaN ratings are skipped by the fit model only.

        `y_score`, the post-move SKP score (0-100, NaN where not kept), refines the fit target
        when `use_score_target`: see models/features/skp_scale.py. `fit_weight`, the moves'
        inverse-propensity weights, is used by the fit model when `fit_ipw`.
        """
        self.fit_rating_model(
            X,
            y_rating=y_rating,
            decree_date=decree_date,
            y_score=y_score,
            fit_weight=fit_weight,
            in_post=in_post,
        )
        return self.fit_risk_model(X, y_resisted=y_resisted, decree_date=decree_date)

    def _training_matrix(self, X: pd.DataFrame, ignored: list[str]) -> np.ndarray:
        """The feature matrix with the ignored features blanked (NaN: no tree can split on a
        feature that is missing everywhere, so the model does not use it)."""
        self.feature_names_ = [str(c) for c in X.columns]
        matrix = _matrix(X, self.feature_names_)
        blank = [i for i, name in enumerate(self.feature_names_) if name in set(ignored)]
        if not blank:
            return matrix
        matrix = matrix.copy()  # to_numpy may return a read-only view of the frame
        matrix[:, blank] = np.nan
        return matrix

    def fit_rating_model(
        self,
        X: pd.DataFrame,
        *,
        y_rating: ArrayLike,
        decree_date: ArrayLike,
        y_score: ArrayLike | None = None,
        fit_weight: ArrayLike | None = None,
        in_post: pd.DataFrame | None = None,
    ) -> TransferScorer:
        """Learn the fit model alone (`fit` = this + `fit_risk_model`); `fit_weight` is
        required when the configuration asks for inverse-propensity weights (`fit_ipw`).
        `in_post` (models/features/build.py `in_post_examples`) adds yearly appraisals in
        posts already held, together weighing `fit_in_post_share` times the moves."""
        config = self._config()
        weight = move_weights(config, fit_weight)
        appraisals = 0 if in_post is None else len(in_post)
        each = appraisal_weight(config, y_rating, weight, appraisals)
        if in_post is not None and each is not None:
            X, y_rating, y_score, decree_date, weight = _with_in_post(
                in_post,
                each,
                X=X,
                y_rating=y_rating,
                y_score=y_score,
                decree_date=decree_date,
                weight=weight,
            )
        self.tree_walks_: TreeWalks | None = None  # walks of earlier boosters would be wrong
        matrix = self._training_matrix(X, config.fit_ignored)
        rating = np.asarray(y_rating, dtype=np.float64)
        if config.use_score_target and y_score is not None:
            score = np.asarray(y_score, dtype=np.float64)
            rating = score_on_rating_scale(rating, score, map_unrated=False)
        share = max(config.holdout_share, min(0.5, config.calibration_min_rows / len(X)))
        late = time_holdout_mask(decree_date, share=share)
        if late.all() or not late.any():
            raise ValueError("need examples on more than one decree date to split by time")
        self.fit_model_ = self._fit_rating(matrix, rating, late, config, weight=weight)
        return self

    def fit_risk_model(
        self, X: pd.DataFrame, *, y_resisted: ArrayLike, decree_date: ArrayLike
    ) -> TransferScorer:
        """Learn the cross-fitted risk boosters and their calibrator alone."""
        out_of_fold = self.fit_risk_boosters(X, y_resisted=y_resisted, decree_date=decree_date)
        config = self._config()
        return self.calibrate_risk(
            out_of_fold,
            calibration=config.calibration,
            recent_folds=config.calibration_recent_folds,
            shift_folds=config.calibration_shift_folds,
        )

    def fit_risk_boosters(
        self, X: pd.DataFrame, *, y_resisted: ArrayLike, decree_date: ArrayLike
    ) -> OutOfFold:
        """The cross-fitted risk boosters alone; returns their out-of-fold predictions, which
        `calibrate_risk` fits the calibrator on (`fit_risk_model` = both)."""
        config = self._config()
        self.tree_walks_ = None
        matrix = self._training_matrix(X, config.risk_ignored)
        resisted = np.asarray(y_resisted, dtype=bool).astype(int)
        folds = time_folds(np.asarray(decree_date), folds=config.risk_folds)
        self.risk_model_, raw = self._fit_risk(matrix, resisted, folds, config)
        return OutOfFold(raw=raw, resisted=resisted, fold=folds, folds=config.risk_folds)

    def calibrate_risk(
        self,
        out_of_fold: OutOfFold,
        *,
        calibration: CalibrationMethod,
        recent_folds: int | None,
        shift_folds: int | None = None,
    ) -> TransferScorer:
        """Fit the calibrator on the boosters' out-of-fold predictions (of the latest
        `recent_folds` time folds only, when given), then shift its intercept to the latest
        `shift_folds` folds' rate (when given)."""
        raw, resisted = out_of_fold.raw, out_of_fold.resisted
        used = out_of_fold.latest(recent_folds)
        calibrator = choose_calibrator(
            raw[used], resisted[used], method=calibration, random_state=self.random_state
        )
        if shift_folds:
            recent = out_of_fold.latest(shift_folds)
            shift = intercept_shift(calibrator.predict(raw[recent]), resisted[recent])
            calibrator = ShiftedCalibrator(calibrator, shift)
        self.calibrator_: Calibrator = calibrator
        return self

    def _fit_rating(
        self,
        matrix: np.ndarray,
        rating: np.ndarray,
        late: np.ndarray,
        config: ScorerConfig,
        *,
        weight: np.ndarray | None,
    ) -> lgb.LGBMModel:
        labelled = ~np.isnan(rating)
        train, valid = labelled & ~late, labelled & late
        if train.sum() < 2 or valid.sum() < 1:
            raise ValueError("too few examples with a post-move rating to learn fit")
        monotone = _monotone(self.feature_names_, config.fit_monotone)
        base = self._linear_base(matrix[train], rating[train], config, weight=_rows(weight, train))
        offset = base.predict(matrix)
        model = self._gbm(config.fit, monotone, classifier=False, rows=int(train.sum()))
        model.fit(
            matrix[train],
            rating[train],
            sample_weight=_rows(weight, train),
            init_score=offset[train],
            eval_X=(matrix[valid],),
            eval_y=(rating[valid],),
            eval_sample_weight=None if weight is None else [weight[valid]],
            eval_init_score=[offset[valid]],
            callbacks=_stopping(config, config.fit),
        )
        best = max(int(model.best_iteration_ or config.fit.n_estimators), 1)
        self.fit_iterations_ = best
        if not config.refit_fit_on_all:
            self.linear_base_ = base
            return model
        self.linear_base_ = self._linear_base(
            matrix[labelled], rating[labelled], config, weight=_rows(weight, labelled)
        )
        params = config.fit.model_copy(update={"n_estimators": best})
        refit = self._gbm(params, monotone, classifier=False, rows=int(labelled.sum()))
        offset = self.linear_base_.predict(matrix[labelled])
        return refit.fit(
            matrix[labelled],
            rating[labelled],
            sample_weight=_rows(weight, labelled),
            init_score=offset,
        )

    def _linear_base(
        self,
        matrix: np.ndarray,
        target: np.ndarray,
        config: ScorerConfig,
        *,
        weight: np.ndarray | None,
    ) -> LinearBase:
        base = LinearBase(config.fit_linear_terms, dict(config.fit_monotone))
        return base.fit(matrix, target, self.feature_names_, sample_weight=weight)

    def _fit_risk(
        self, matrix: np.ndarray, resisted: np.ndarray, folds: np.ndarray, config: ScorerConfig
    ) -> tuple[FoldEnsemble, np.ndarray]:
        """One booster per time-ordered fold, trained on the others, stopped on its own fold;
        returns them with the out-of-fold raw probabilities."""
        monotone = _monotone(self.feature_names_, config.risk_monotone)
        out_of_fold = np.empty(len(matrix), dtype=np.float64)
        members = []
        for fold in range(config.risk_folds):
            held = folds == fold
            if np.unique(resisted[held]).size < 2 or np.unique(resisted[~held]).size < 2:
                raise ValueError("both resisted and smooth moves are needed in each time fold")
            model = self._gbm(config.risk, monotone, classifier=True, rows=int((~held).sum()))
            model.fit(
                matrix[~held],
                resisted[~held],
                eval_X=(matrix[held],),
                eval_y=(resisted[held],),
                callbacks=_stopping(config, config.risk),
            )
            out_of_fold[held] = booster_predict(model, matrix[held])
            members.append(model)
        self.risk_iterations_ = [int(m.best_iteration_ or 0) for m in members]
        return FoldEnsemble(members), out_of_fold

    def predict_fit(self, X: pd.DataFrame) -> np.ndarray:
        """Expected post-move rating, on the scale 1 (sangat_kurang) to 5 (sangat_baik)."""
        return self.predict_fit_matrix(_matrix(X, self.feature_names_))

    def predict_fit_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """`predict_fit` of a feature matrix whose columns are `feature_names_`, in that order
        (float64; C-ordered, or every booster copies it)."""
        matrix = self._checked_matrix(matrix)
        if len(matrix) == 0:
            return np.empty(0)
        walks = self._tree_walks()
        trees = walks.fit(matrix) if walks else booster_predict(self.fit_model_, matrix)
        return self._fit_from_trees(matrix, trees)

    def _fit_from_trees(self, matrix: np.ndarray, trees: np.ndarray) -> np.ndarray:
        predicted = self.linear_base_.predict(matrix) + trees
        return np.clip(np.asarray(predicted, dtype=np.float64), RATING_LOW, RATING_HIGH)

    def predict_matrix(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(`predict_fit_matrix`, `predict_risk_matrix`) of one matrix, the same numbers; with
        tree walks that walk every booster in one call, the batch is walked once for both."""
        walks = self._tree_walks()
        if walks is None or walks.together is None or len(matrix) == 0:
            return self.predict_fit_matrix(matrix), self.predict_risk_matrix(matrix)
        raw = walks.together(self._checked_matrix(matrix))
        fit = self._fit_from_trees(matrix, raw[0])
        risk = expit(np.mean(raw[1:], axis=0))
        return fit, self.calibrator_.predict(np.asarray(risk))

    def predict_raw_risk(self, X: pd.DataFrame) -> np.ndarray:
        """Uncalibrated classifier probability (for diagnostics)."""
        return self.predict_raw_risk_matrix(_matrix(X, self.feature_names_))

    def predict_raw_risk_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """`predict_raw_risk` of a matrix in `feature_names_` order (see `predict_fit_matrix`)."""
        matrix = self._checked_matrix(matrix)
        if len(matrix) == 0:
            return np.empty(0)
        walks = self._tree_walks()
        if walks is None:
            return self.risk_model_.predict_proba(matrix)
        return np.asarray(expit(np.mean([walk(matrix) for walk in walks.risk], axis=0)))

    def _checked_matrix(self, matrix: np.ndarray) -> np.ndarray:
        if matrix.ndim != 2 or matrix.shape[1] != len(self.feature_names_):
            raise ValueError(
                f"feature matrix of shape {matrix.shape}: "
                f"{len(self.feature_names_)} columns expected ({self.feature_names_})"
            )
        return matrix

    def with_tree_walks(
        self, *, fit: TreeWalk, risk: Sequence[TreeWalk], together: TreeWalk | None = None
    ) -> TransferScorer:
        """A copy (sharing the fitted models) that predicts through these tree walks (see
        `TreeWalks`); the caller vouches that they return LightGBM's raw scores (compiled code
        checks it)."""
        if len(risk) != len(self.risk_model_.members):
            raise ValueError(
                f"{len(risk)} risk tree walks for {len(self.risk_model_.members)} boosters"
            )
        twin = copy.copy(self)
        twin.tree_walks_ = TreeWalks(fit=fit, risk=tuple(risk), together=together)
        return twin

    def _tree_walks(self) -> TreeWalks | None:
        walks: TreeWalks | None = getattr(self, "tree_walks_", None)
        return walks

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that the move meets resistance."""
        return self.predict_risk_matrix(_matrix(X, self.feature_names_))

    def predict_risk_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """`predict_risk` of a matrix in `feature_names_` order (see `predict_fit_matrix`)."""
        raw = self.predict_raw_risk_matrix(matrix)
        return self.calibrator_.predict(raw) if len(raw) else raw

    def contributions(
        self, X: pd.DataFrame, *, mapper: BoosterMap = map
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per-feature contributions (LightGBM pred_contrib) to fit and to risk.

        Fit contributions are in rating points (the linear base's terms added to their
        features, its intercept to `bias`); risk contributions are in log-odds of the
        uncalibrated classifier, the mean over its fold boosters (calibration is monotone, so
        their signs and order hold).
        Each frame has one column per feature plus `bias`, and the input's index.
        The five boosters' calls go through `mapper` at once (a thread pool's `map` runs them
        side by side: TreeSHAP is most of an explanation's cost and drops the GIL).
        """
        matrix = _matrix(X, self.feature_names_)
        columns = [*self.feature_names_, "bias"]
        if len(matrix) == 0:
            empty = pd.DataFrame(np.empty((0, len(columns))), columns=columns, index=X.index)
            return empty, empty.copy()
        boosters = [self.fit_model_, *self.risk_model_.members]
        fit_part, *risk_parts = mapper(
            lambda model: booster_predict(model, matrix, pred_contrib=True), boosters
        )
        fit = np.array(fit_part)
        for name, share in self.linear_base_.parts(matrix).items():
            fit[:, self.feature_names_.index(name)] += share
        fit[:, -1] += self.linear_base_.intercept_
        risk = np.mean(risk_parts, axis=0)  # the fold boosters' mean, as their raw_score
        return (
            pd.DataFrame(np.asarray(fit), columns=columns, index=X.index),
            pd.DataFrame(np.asarray(risk), columns=columns, index=X.index),
        )

    def feature_importance(self) -> pd.DataFrame:
        """Total gain of each feature in the fit and the risk model."""
        return pd.DataFrame(
            {
                "feature": self.feature_names_,
                "fit_gain": self.fit_model_.booster_.feature_importance("gain"),
                "risk_gain": self.risk_model_.feature_importance(),
            }
        )
