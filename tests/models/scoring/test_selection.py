"""Per-agency model selection: time-ordered CV years, the candidates always tried, the choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.scoring.calibration import choose_calibrator
from models.scoring.config import GbmParams, ScorerConfig
from models.scoring.estimators import TransferScorer
from models.scoring.selection import History, Selection, cv_years, plain_config, select_config
from tests.fixtures.examples import FEATURES, synthetic_examples


def _history(frame: pd.DataFrame) -> History:
    return History(
        X=frame[FEATURES],
        rating=frame["post_move_rating"].to_numpy(dtype=float),
        score=np.full(len(frame), np.nan),
        resisted=frame["resisted"].to_numpy(dtype=int),
        decree_date=frame["decree_date"],
    )


@pytest.fixture(scope="module")
def selection() -> Selection:
    return select_config(_history(synthetic_examples(1500, seed=4)), budget_seconds=2.0)


def test_cv_years_are_the_latest_with_two_earlier_years() -> None:
    dates = pd.Series(pd.to_datetime([f"{y}-03-01" for y in range(2018, 2024)]))
    assert cv_years(dates, pd.Series([True] * 6), folds=2) == [2022, 2023]


def test_cv_years_need_two_years_of_history_before_the_first_fold() -> None:
    dates = pd.Series(pd.to_datetime(["2020-03-01", "2021-03-01"]))
    assert cv_years(dates, pd.Series([True, True]), folds=2) == []


def test_default_and_plain_configurations_are_always_tried(selection: Selection) -> None:
    for part in ("fit", "risk"):
        starts = selection.table.loc[selection.table["part"] == part, "start"]
        assert {"default", "plain"} <= set(starts)


def test_chosen_configuration_has_the_lowest_cv_loss_of_each_part(selection: Selection) -> None:
    table = selection.table
    for part in ("fit", "risk"):
        rows = table[table["part"] == part]
        assert rows["cv_loss"].min() <= rows.loc[rows["start"] == "plain", "cv_loss"].iloc[0]


def test_plain_configuration_has_no_constraints_base_or_calibration() -> None:
    plain = plain_config()
    assert plain.fit_monotone == {} and plain.fit_linear_terms == []
    assert plain.calibration == "none" and not plain.fit.early_stopping


def test_ignored_features_get_no_weight_in_the_model() -> None:
    history = synthetic_examples(800, seed=2)
    config = ScorerConfig(
        fit=GbmParams(n_estimators=60),
        risk=GbmParams(n_estimators=60),
        fit_ignored=["distance_home_km"],
        risk_ignored=["last_score"],
    )
    scorer = TransferScorer(config).fit(
        history[FEATURES],
        y_rating=history["post_move_rating"],
        y_resisted=history["resisted"],
        decree_date=history["decree_date"],
    )
    importance = scorer.feature_importance().set_index("feature")
    assert importance.loc["distance_home_km", "fit_gain"] == 0.0
    assert importance.loc["last_score", "risk_gain"] == 0.0


def test_no_calibration_returns_the_raw_probability() -> None:
    raw = np.array([0.1, 0.4, 0.8])
    calibrator = choose_calibrator(raw, np.array([0, 1, 1]), method="none")
    assert calibrator.predict(raw) == pytest.approx(raw)
