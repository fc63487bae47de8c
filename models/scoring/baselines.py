"""Baselines evaluated side by side with TransferScorer; same interface, no LightGBM.

- RandomBaseline: random fit (a lottery) and the training base rate as risk (no skill).
- RuleBaseline: what an HR officer does by hand. Fit = latest SKP score + a bonus for a move
  within the same sector - a penalty per competency level short of the position's standard.
  Risk = the observed resistance rate of moves in the same distance band (near / far).
- LogisticBaseline: logistic regression on the same features (median-imputed, standardised);
  fit is the probability of a post-move rating of baik (4) or better.
- PlainLightGBM: LightGBM with its default parameters on the same features, the rating as fit
  target and the resistance label as risk target; no constraints, linear base, early stopping
  or calibration. The bar the tuned model must clear (the quality gate checks it).
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict
from sklearn.base import BaseEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

GOOD_RATING = 4  # baik


class RuleConfig(BaseModel):
    """Column names and weights of the HR officer's rule."""

    model_config = ConfigDict(extra="forbid")

    skp_score: str = "last_score"
    sector_change: str = "sector_change"
    competency_shortfall: str = "competency_shortfall"
    distance: str = "distance_home_km"
    sector_bonus: float = 10.0
    shortfall_penalty: float = 5.0
    default_skp_score: float = 75.0
    far_km: float = 50.0


class RandomBaseline(BaseEstimator):
    on_rating_scale = True  # fit drawn uniformly on 1-5

    def __init__(self, random_state: int = 0) -> None:
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, *, y_rating: ArrayLike, y_resisted: ArrayLike) -> RandomBaseline:
        self.base_rate_ = float(np.mean(np.asarray(y_resisted, dtype=float)))
        return self

    def predict_fit(self, X: pd.DataFrame) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        return rng.uniform(1.0, 5.0, len(X))

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        return np.full(len(X), self.base_rate_)


class RuleBaseline(BaseEstimator):
    on_rating_scale = False  # fit is a ranking score in SKP points

    def __init__(self, config: RuleConfig | None = None) -> None:
        self.config = config

    def _config(self) -> RuleConfig:
        return self.config if self.config is not None else RuleConfig()

    def _column(self, X: pd.DataFrame, name: str, default: float) -> np.ndarray:
        if name not in X.columns:
            return np.full(len(X), default)
        values = X[name].to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isnan(values), default, values)

    def _far(self, X: pd.DataFrame) -> np.ndarray:
        config = self._config()
        return self._column(X, config.distance, 0.0) > config.far_km

    def fit(self, X: pd.DataFrame, *, y_rating: ArrayLike, y_resisted: ArrayLike) -> RuleBaseline:
        resisted = np.asarray(y_resisted, dtype=float)
        far = self._far(X)
        overall = float(resisted.mean())
        self.rate_near_ = float(resisted[~far].mean()) if (~far).any() else overall
        self.rate_far_ = float(resisted[far].mean()) if far.any() else overall
        return self

    def predict_fit(self, X: pd.DataFrame) -> np.ndarray:
        config = self._config()
        score = self._column(X, config.skp_score, config.default_skp_score)
        same = 1.0 - self._column(X, config.sector_change, 1.0)
        shortfall = self._column(X, config.competency_shortfall, 0.0)
        return score + config.sector_bonus * same - config.shortfall_penalty * shortfall

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        return np.where(self._far(X), self.rate_far_, self.rate_near_)


class LogisticBaseline(BaseEstimator):
    on_rating_scale = False  # fit is a probability of baik or better

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def _pipeline(self) -> Pipeline:
        return make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=self.C, max_iter=1000),
        )

    def fit(
        self, X: pd.DataFrame, *, y_rating: ArrayLike, y_resisted: ArrayLike
    ) -> LogisticBaseline:
        self.feature_names_ = [str(c) for c in X.columns]
        matrix = X.to_numpy(dtype=np.float64, na_value=np.nan)
        rating = np.asarray(y_rating, dtype=np.float64)
        labelled = ~np.isnan(rating)
        self.fit_model_ = self._pipeline().fit(matrix[labelled], rating[labelled] >= GOOD_RATING)
        self.risk_model_ = self._pipeline().fit(matrix, np.asarray(y_resisted, dtype=bool))
        return self

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return X[self.feature_names_].to_numpy(dtype=np.float64, na_value=np.nan)

    def predict_fit(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of a post-move rating of baik or better (a ranking score, not 1-5)."""
        return np.asarray(self.fit_model_.predict_proba(self._matrix(X))[:, 1])

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.risk_model_.predict_proba(self._matrix(X))[:, 1])


class PlainLightGBM(BaseEstimator):
    on_rating_scale = True

    def __init__(self, random_state: int = 0) -> None:
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, *, y_rating: ArrayLike, y_resisted: ArrayLike) -> PlainLightGBM:
        self.feature_names_ = [str(c) for c in X.columns]
        matrix = X.to_numpy(dtype=np.float64, na_value=np.nan)
        rating = np.asarray(y_rating, dtype=np.float64)
        labelled = ~np.isnan(rating)
        seed = self.random_state
        self.fit_model_ = lgb.LGBMRegressor(random_state=seed, n_jobs=1, verbose=-1)
        self.fit_model_.fit(matrix[labelled], rating[labelled])
        resisted = np.asarray(y_resisted, dtype=bool).astype(int)
        self.risk_model_ = lgb.LGBMClassifier(random_state=seed, n_jobs=1, verbose=-1)
        self.risk_model_.fit(matrix, resisted)
        return self

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return X[self.feature_names_].to_numpy(dtype=np.float64, na_value=np.nan)

    def predict_fit(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.fit_model_.predict(self._matrix(X)), dtype=np.float64)

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        probability = np.asarray(self.risk_model_.predict_proba(self._matrix(X)))
        return probability[:, 1]
