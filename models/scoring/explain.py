"""Model contributions into sentences: the one place that turns LightGBM's per-feature
contributions (pred_contrib) into the "Indonesian / English" reasons people read.

The shortlist, the risk check and the round plan all explain through `top_factors`, so a pair
gets the same reasons wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from models.features.text import describe_feature


def top_factors(
    features: pd.DataFrame,
    contributions: pd.DataFrame,
    *,
    count: int,
    sectors: Sequence[str] | np.ndarray,
) -> pd.DataFrame:
    """The `count` largest |contribution| factors of each row of `features`, as sentences.

    `contributions` holds one column per feature (and optionally `bias`), row-aligned with
    `features`; `sectors[i]` is the target position's sector of row i (the templates name it).
    Returns a long frame ordered by row, then by |contribution| descending: `row` (position in
    `features`), `feature`, `value`, `contribution`, `text`.
    """
    names = [c for c in contributions.columns if c != "bias"]
    count = min(count, len(names))
    contrib = contributions[names].to_numpy(np.float64)
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :count]
    values = np.take_along_axis(features[names].to_numpy(np.float64), order, axis=1).ravel()
    feature_names = np.asarray(names, dtype=object)[order].ravel()
    rows = np.repeat(np.arange(len(features)), count)
    row_sectors = np.asarray(sectors, dtype=object)[rows] if len(rows) else rows
    texts = [
        describe_feature(name, float(value), sector=str(sector))
        for name, value, sector in zip(feature_names, values, row_sectors, strict=True)
    ]
    return pd.DataFrame(
        {
            "row": rows,
            "feature": feature_names,
            "value": values,
            "contribution": np.take_along_axis(contrib, order, axis=1).ravel(),
            "text": texts,
        }
    )
