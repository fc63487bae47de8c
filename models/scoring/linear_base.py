"""A small linear base under the fit trees, so that penalties keep growing past history.

Trees cannot extrapolate: a candidate with a larger competency shortfall or a bigger grade step
than any past move gets the prediction of the edge of history. HR rarely moved such people,
which is exactly where a shortlist needs the model most. A few linear terms (the shortfall,
the promotion and the demotion part of the grade step) are fitted first, with signs bounded by
the configured monotone directions, and the trees learn what they leave (LightGBM init_score).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import lsq_linear

POSITIVE_PART, NEGATIVE_PART = "+", "-"


def term_source(term: str) -> str:
    """The feature a term is computed from: "grade_step+" -> "grade_step"."""
    return term.rstrip(POSITIVE_PART + NEGATIVE_PART)


def term_values(term: str, column: np.ndarray) -> np.ndarray:
    """A term's values: the feature, or its positive/negative part; unknown (NaN) counts 0."""
    values = np.nan_to_num(np.asarray(column, dtype=np.float64), nan=0.0)
    if term.endswith(POSITIVE_PART):
        return np.maximum(values, 0.0)
    if term.endswith(NEGATIVE_PART):
        return np.maximum(-values, 0.0)
    return values


class LinearBase:
    """Least squares on a few terms with sign bounds; `predict` and per-term `parts`."""

    def __init__(self, terms: list[str], directions: dict[str, int]) -> None:
        self.terms = terms
        self.directions = directions

    def _design(self, matrix: np.ndarray, feature_names: list[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(feature_names)}
        columns = [term_values(t, matrix[:, index[term_source(t)]]) for t in self.terms_]
        return np.column_stack(columns) if columns else np.empty((len(matrix), 0))

    def _bounds(self) -> tuple[list[float], list[float]]:
        lower, upper = [], []
        for term in self.terms_:
            direction = self.directions.get(term_source(term), 0)
            if term.endswith(NEGATIVE_PART):
                direction = -direction  # the negative part grows as the feature falls
            lower.append(0.0 if direction > 0 else -np.inf)
            upper.append(0.0 if direction < 0 else np.inf)
        return [*lower, -np.inf], [*upper, np.inf]

    def fit(
        self,
        matrix: np.ndarray,
        target: np.ndarray,
        feature_names: list[str],
        sample_weight: np.ndarray | None = None,
    ) -> LinearBase:
        self.feature_names_ = feature_names
        self.terms_ = [t for t in self.terms if term_source(t) in feature_names]
        design = np.column_stack([self._design(matrix, feature_names), np.ones(len(matrix))])
        root = np.ones(len(matrix)) if sample_weight is None else np.sqrt(sample_weight)
        # Weighted least squares: each row scaled by the root of its weight.
        solution = lsq_linear(design * root[:, None], target * root, bounds=self._bounds())
        self.coef_ = np.asarray(solution.x[:-1])
        self.intercept_ = float(solution.x[-1])
        return self

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        return self._design(matrix, self.feature_names_) @ self.coef_ + self.intercept_

    def parts(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """Each source feature's share of the prediction (terms of one feature summed)."""
        design = self._design(matrix, self.feature_names_)
        shares: dict[str, np.ndarray] = {}
        for i, term in enumerate(self.terms_):
            source = term_source(term)
            shares[source] = shares.get(source, 0.0) + design[:, i] * self.coef_[i]
        return shares
