"""Model contributions into sentences: the one place that turns LightGBM's per-feature
contributions (pred_contrib) into the "Indonesian / English" reasons people read.

The shortlist, the risk check and the round plan all explain through `top_factors`, so a pair
gets the same reasons wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.features.text import fit_effect, reason_sentence, risk_effect

RiskBand = Literal["rendah", "sedang", "tinggi"]
BAND_ENGLISH: dict[str, str] = {"rendah": "low", "sedang": "medium", "tinggi": "high"}


class RiskBands(BaseModel):
    """Where a risk of resistance turns from rendah (low) to sedang (medium) to tinggi (high)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    medium_from: float = Field(default=0.2, gt=0.0, lt=1.0, description="Sedang from here.")
    high_from: float = Field(default=0.4, gt=0.0, lt=1.0, description="Tinggi from here.")

    @model_validator(mode="after")
    def _ordered(self) -> RiskBands:
        if self.high_from <= self.medium_from:
            raise ValueError("high_from must be above medium_from")
        return self

    def band(self, risk: float) -> RiskBand:
        if risk >= self.high_from:
            return "tinggi"
        return "sedang" if risk >= self.medium_from else "rendah"

    def bands(self, risk: np.ndarray) -> np.ndarray:
        """`band` of every element at once (an object array of band names)."""
        edges = np.array([self.medium_from, self.high_from])
        return np.array(["rendah", "sedang", "tinggi"], dtype=object)[
            np.searchsorted(edges, risk, side="right")
        ]

    def words(self, risk: float) -> str:
        """ "risiko 23 % (sedang) / risk 23 % (medium)"."""
        band = self.band(risk)
        percent = round(100 * risk)
        return f"risiko {percent} % ({band}) / risk {percent} % ({BAND_ENGLISH[band]})"


def top_factors(
    features: pd.DataFrame,
    contributions: pd.DataFrame,
    *,
    count: int,
    sectors: Sequence[str] | np.ndarray,
    risk: Sequence[float] | np.ndarray | None = None,
) -> pd.DataFrame:
    """The `count` largest |contribution| factors of each row of `features`, as sentences.

    `contributions` holds one column per feature (and optionally `bias`), row-aligned with
    `features`; `sectors[i]` is the target position's sector of row i (the templates name it).
    Fit contributions are in rating points; with `risk` (each row's probability) they are
    log-odds of resistance, worded in percentage points: the row's risk minus the risk without
    the factor. Each sentence says the value, which way it pushes and by how much.
    Returns a long frame ordered by row, then by |contribution| descending: `row` (position in
    `features`), `feature`, `value`, `contribution`, `effect` (rating points, or percentage
    points of risk), `text`.
    """
    return pd.DataFrame(
        top_factor_columns(features, contributions, count=count, sectors=sectors, risk=risk)
    )


def top_factor_columns(
    features: pd.DataFrame,
    contributions: pd.DataFrame,
    *,
    count: int,
    sectors: Sequence[str] | np.ndarray,
    risk: Sequence[float] | np.ndarray | None = None,
) -> dict[str, np.ndarray | list[str]]:
    """`top_factors` as its columns (arrays, the texts a list), for callers that read them
    row by row: a frame of them would only be taken apart again."""
    names = [c for c in contributions.columns if c != "bias"]
    count = min(count, len(names))
    contrib = _matrix(contributions, names)
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :count]
    values = np.take_along_axis(_matrix(features, names), order, axis=1).ravel()
    feature_names = np.asarray(names, dtype=object)[order].ravel()
    rows = np.repeat(np.arange(len(features)), count)
    row_sectors = np.asarray(sectors, dtype=object)[rows] if len(rows) else rows
    contribution = np.take_along_axis(contrib, order, axis=1).ravel()
    words: Callable[[float], tuple[str, str]] = fit_effect
    effect = contribution
    if risk is not None:
        effect = risk_points(np.asarray(risk, dtype=np.float64)[rows], contribution)
        words = risk_effect
    texts = [
        reason_sentence(name, float(value), sector=str(sector), effect=words(size))
        for name, value, sector, size in zip(
            feature_names, values, row_sectors, effect, strict=True
        )
    ]
    return {
        "row": rows,
        "feature": feature_names,
        "value": values,
        "contribution": contribution,
        "effect": effect,
        "text": texts,
    }


def _matrix(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Columns `names` of `frame` as one float matrix. A frame that holds just these columns in
    this order (a feature frame; contributions add `bias` last) is taken whole, as one block;
    any other is read column by column (selecting a list of columns builds a string index each
    time: most of the cost for a shortlist's ten rows)."""
    if not names:
        return np.empty((len(frame), 0))
    columns = list(frame.columns)
    if columns == names or columns == [*names, "bias"]:
        return frame.to_numpy(np.float64)[:, : len(names)]
    return np.column_stack([frame[name].to_numpy(np.float64) for name in names])


def risk_points(risk: np.ndarray, log_odds: np.ndarray) -> np.ndarray:
    """Percentage points a log-odds contribution adds to a probability `risk`: risk minus the
    probability with the contribution taken away."""
    p = np.clip(risk, 1e-6, 1 - 1e-6)
    without = 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) - log_odds)))
    return 100.0 * (p - without)
