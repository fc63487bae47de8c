"""Reasons in words: LightGBM contributions of the shown candidates, and policy reason codes.

Contributions (pred_contrib) are computed only for the rows a response returns. Each factor
becomes a short "Indonesian / English" sentence from the features engineer's templates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.features.text import describe_feature
from models.scoring.policy import REASON_TEXT, ReasonCode
from serving.schemas import Factor, IneligibleReason
from serving.state import LoadedState

FIT_FACTORS = 3
RISK_FACTORS = 2


def _top_factors(contributions: np.ndarray, *, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the `count` largest |contribution| per row, and their values."""
    count = min(count, contributions.shape[1])
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :count]
    return order, np.take_along_axis(contributions, order, axis=1)


def explain_pairs(
    state: LoadedState, nips: np.ndarray, features: pd.DataFrame, position_id: str
) -> dict[str, list[Factor]]:
    """Top fit and risk factors of each (nip, position_id), as sentences; features[i] are the
    features of (nips[i], position_id), as the ranking built them."""
    if len(nips) == 0:
        return {}
    sector = str(state.lookups.positions.at[position_id, "sector"])
    fit_contrib, risk_contrib = state.bundle.scorer.contributions(features)
    names = [c for c in fit_contrib.columns if c != "bias"]
    values = features[names].to_numpy(float)
    explained: dict[str, list[Factor]] = {}
    per_target = (("fit", fit_contrib, FIT_FACTORS), ("risk", risk_contrib, RISK_FACTORS))
    for target, frame, count in per_target:
        order, contrib = _top_factors(frame[names].to_numpy(float), count=count)
        for row, nip in enumerate(nips):
            factors = explained.setdefault(str(nip), [])
            for column, value in zip(order[row], contrib[row], strict=True):
                feature = names[column]
                factors.append(
                    Factor(
                        target=target,  # type: ignore[arg-type]
                        feature=feature,
                        contribution=round(float(value), 4),
                        text=describe_feature(feature, values[row, column], sector=sector),
                    )
                )
    return explained


def reason_texts(codes: str) -> list[IneligibleReason]:
    """';'-separated policy reason codes -> code and "Indonesian / English" text."""
    return [
        IneligibleReason(code=code, text=str(REASON_TEXT.get(ReasonCode(code), code)))
        for code in codes.split(";")
        if code
    ]
