from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from serving.ranking import _best_with_risk, _rank


def _state_scoring_risk_from_column() -> Any:
    scorer = SimpleNamespace(predict_risk=lambda features: features["risk"].to_numpy())
    return SimpleNamespace(bundle=SimpleNamespace(scorer=scorer))


def test_a_fit_tie_across_the_kth_place_is_broken_by_lower_risk() -> None:
    fit = np.array([1.0, 1.0, 1.0, 1.0, 0.5])
    features = pd.DataFrame({"risk": [0.4, 0.3, 0.2, 0.1, 0.0]})
    best, risk = _best_with_risk(
        _state_scoring_risk_from_column(),
        features,
        fit,
        failed=np.zeros(len(fit), dtype=np.int64),
        k=2,
        max_risk=None,
    )
    frame = pd.DataFrame({"row": best, "fit": fit[best], "risk": risk, "ineligible_reasons": ""})
    ranked = _rank(frame).head(2)
    assert ranked["row"].tolist() == [3, 2]
