"""Baselines: the HR rule ranks by SKP, sector and gaps; logistic regression learns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.scoring.baselines import LogisticBaseline, RandomBaseline, RuleBaseline
from models.scoring.metrics import auc
from tests.fixtures.examples import FEATURES, synthetic_examples


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return synthetic_examples(1000, seed=2)


def test_rule_prefers_same_sector_and_no_gaps() -> None:
    X = pd.DataFrame(
        {
            "last_score": [80.0, 80.0, 80.0],
            "sector_change": [0.0, 1.0, 0.0],
            "competency_shortfall": [0.0, 0.0, 2.0],
        }
    )
    scores = RuleBaseline().predict_fit(X)
    assert scores[0] > scores[1] and scores[0] > scores[2]


def test_rule_fills_missing_skp_score_with_default() -> None:
    X = pd.DataFrame(
        {"last_score": [np.nan], "sector_change": [1.0], "competency_shortfall": [0.0]}
    )
    assert RuleBaseline().predict_fit(X)[0] == pytest.approx(75.0)


def test_rule_risk_is_higher_for_far_moves(history: pd.DataFrame) -> None:
    rule = RuleBaseline().fit(
        history[FEATURES], y_rating=history["post_move_rating"], y_resisted=history["resisted"]
    )
    assert rule.rate_far_ > rule.rate_near_


def test_random_baseline_has_no_skill(history: pd.DataFrame) -> None:
    base = RandomBaseline(random_state=3).fit(
        history[FEATURES], y_rating=history["post_move_rating"], y_resisted=history["resisted"]
    )
    assert auc(history["resisted"], base.predict_risk(history[FEATURES])) == pytest.approx(0.5)


def test_logistic_baseline_learns_risk(history: pd.DataFrame) -> None:
    model = LogisticBaseline().fit(
        history[FEATURES], y_rating=history["post_move_rating"], y_resisted=history["resisted"]
    )
    assert auc(history["resisted"], model.predict_risk(history[FEATURES])) > 0.65
