"""HR's selection of past moves: candidate sampling, the propensity model and IPW weights."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.contract.tables import AgencyData
from models.features.build import pair_features_at, transfer_examples
from models.scoring.metrics import auc
from models.scoring.propensity import (
    CLIP_RATIO,
    PropensityModel,
    candidate_pairs,
    fit_propensity,
    ipw_weights,
    weight_summary,
)
from pipelines.ingest import read_and_validate
from simulator import generate_agency


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> AgencyData:
    folder: Path = tmp_path_factory.mktemp("agency")
    generate_agency(folder, employees=500, seed=11, as_of=date(2026, 7, 1))
    return read_and_validate(folder, today=date(2026, 7, 1))


@pytest.fixture(scope="module")
def moves(data: AgencyData) -> pd.DataFrame:
    return transfer_examples(data)


def test_weights_are_finite_clipped_and_mean_one() -> None:
    propensity = np.array([1e-12, 0.0, 0.001, 0.05, 0.2, 0.2, 0.5, 0.9, 1.0])
    weights = ipw_weights(propensity)
    assert np.isfinite(weights).all()
    assert weights.mean() == pytest.approx(1.0, abs=1e-12)
    assert weights.max() / np.median(weights) <= CLIP_RATIO + 1e-9


def test_rarer_picks_weigh_more_up_to_the_clip() -> None:
    weights = ipw_weights(np.array([0.01, 0.1, 0.2, 0.4, 0.8]))
    assert (np.diff(weights) <= 0).all() and weights[0] > weights[-1]


def test_equal_weights_have_the_full_effective_sample_size() -> None:
    summary = weight_summary(np.ones(40))
    assert summary["ess"] == pytest.approx(40.0) and summary["ess_share"] == pytest.approx(1.0)


def test_candidates_were_in_service_and_are_never_the_mover(
    data: AgencyData, moves: pd.DataFrame
) -> None:
    pairs = candidate_pairs(data, moves, per_move=4, random_state=0)
    drawn = pairs[pairs["picked"] == 0].merge(
        moves[["transfer_id", "nip"]], on="transfer_id", suffixes=("", "_mover")
    )
    assert len(drawn) > 0 and (drawn["nip"] != drawn["nip_mover"]).all()
    appraised = set(zip(data.performance["nip"], data.performance["year"], strict=True))
    prior_year = pd.to_datetime(drawn["as_of"]).dt.year - 1
    assert all((n, y) in appraised for n, y in zip(drawn["nip"], prior_year, strict=True))


def test_propensity_ranks_actual_movers_above_sampled_non_movers(
    data: AgencyData, moves: pd.DataFrame
) -> None:
    pairs = candidate_pairs(data, moves, per_move=5, random_state=1)
    features = pair_features_at(data, pairs[["nip", "position_id", "as_of"]])
    year = pd.to_datetime(pairs["as_of"]).dt.year.to_numpy()
    late = year >= year.max() - 1  # fitted on earlier years, ranked on the latest two
    picked = pairs["picked"].to_numpy()
    model = PropensityModel().fit(features.loc[~late], picked[~late])
    assert auc(picked[late], model.predict(features.loc[late])) > 0.5


def test_fit_propensity_gives_one_weight_per_move(data: AgencyData, moves: pd.DataFrame) -> None:
    propensity = fit_propensity(data, moves, random_state=0)
    assert propensity.weights.shape == (len(moves),)
    assert (
        propensity.summary["weight_max"] / propensity.summary["weight_median"] <= CLIP_RATIO + 1e-9
    )
    assert 0.5 < propensity.auc <= 1.0


def test_without_appraisals_there_is_no_one_to_compare_with(
    data: AgencyData, moves: pd.DataFrame
) -> None:
    bare = dataclasses.replace(data, performance=data.performance.iloc[0:0])
    with pytest.raises(ValueError, match="no one in service"):
        fit_propensity(bare, moves, random_state=0)
