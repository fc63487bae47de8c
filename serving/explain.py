"""Reasons in words: LightGBM contributions of the shown candidates, and policy reason codes.

Contributions (pred_contrib) are computed only for the rows a response returns, the boosters side
by side on the helper threads (serving/threads.py); each factor becomes a sentence through
models/scoring/explain.py, the same words a plan's moves get.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from models.scoring.explain import top_factor_columns
from models.scoring.policy import REASON_TEXT, ReasonCode
from serving.schemas.common import Factor, IneligibleReason
from serving.state import LoadedState
from serving.threads import helper_threads

FIT_FACTORS = 3
RISK_FACTORS = 2


def explain_pairs(
    state: LoadedState,
    nips: np.ndarray,
    features: pd.DataFrame,
    position_id: str,
    *,
    risks: np.ndarray,
    contributions: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> dict[str, list[Factor]]:
    """Top fit and risk factors of each (nip, position_id), as sentences; features[i] are the
    features of (nips[i], position_id), as the ranking built them, and risks[i] its risk.
    `contributions`: `contributions_of(state, features)` when the caller has it already."""
    if len(nips) == 0:
        return {}
    sectors = np.full(len(nips), str(state.lookups.positions.at[position_id, "sector"]))
    fit_contrib, risk_contrib = contributions or contributions_of(state, features)
    explained: dict[str, list[Factor]] = {str(nip): [] for nip in nips}
    for target, contrib, count, risk in (
        ("fit", fit_contrib, FIT_FACTORS, None),
        ("risk", risk_contrib, RISK_FACTORS, risks),
    ):
        factors = top_factor_columns(features, contrib, count=count, sectors=sectors, risk=risk)
        for row, feature, contribution, effect, text in zip(
            factors["row"],
            factors["feature"],
            factors["contribution"],
            factors["effect"],
            factors["text"],
            strict=True,
        ):
            explained[str(nips[row])].append(
                Factor(
                    target=target,  # type: ignore[arg-type]
                    feature=feature,
                    contribution=round(float(contribution), 4),
                    effect=round(float(effect), 1 if target == "fit" else 0),
                    unit="points" if target == "fit" else "percentage_points",
                    text=text,
                )
            )
    return explained


def contributions_of(
    state: LoadedState, features: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit and risk contributions (TreeSHAP) of feature rows, the five boosters side by side
    on the helper threads."""
    return state.bundle.scorer.contributions(features, mapper=helper_threads().map)


def reason_texts(codes: str) -> list[IneligibleReason]:
    """';'-separated policy reason codes -> code and "Indonesian / English" text."""
    return [
        IneligibleReason(code=code, text=_reason_text(code)) for code in codes.split(";") if code
    ]


@cache
def _reason_text(code: str) -> str:
    # a risk check meets ~100 combinations of a dozen codes; the text of each is fixed
    return str(REASON_TEXT.get(ReasonCode(code), code))
