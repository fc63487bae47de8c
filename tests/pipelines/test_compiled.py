"""Compiled scoring: the same numbers as LightGBM, a cache, and LightGBM when it cannot compile."""

from __future__ import annotations

import copy
import pickle
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.features.build import FeatureContext
from models.scoring.estimators import GbmParams, ScorerConfig, TransferScorer
from pipelines.compiled import (
    PARALLEL_MIN_ROWS,
    TOLERANCE,
    CompiledScorer,
    compile_for_context,
    compile_scorer,
)
from pipelines.settings import Settings
from tests.fixtures.agency import world
from tests.fixtures.examples import FEATURES, synthetic_examples

SMALL = ScorerConfig(fit=GbmParams(n_estimators=60), risk=GbmParams(n_estimators=60))


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return synthetic_examples(1500, seed=3)


@pytest.fixture(scope="module")
def scorer(history: pd.DataFrame) -> TransferScorer:
    return TransferScorer(SMALL, random_state=0).fit(
        history[FEATURES],
        y_rating=history["post_move_rating"],
        y_resisted=history["resisted"],
        decree_date=history["decree_date"],
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compiled")


@pytest.fixture(scope="module")
def compiled(scorer: TransferScorer, history: pd.DataFrame, cache: Path) -> CompiledScorer:
    sample = history[FEATURES].head(200).to_numpy(dtype=np.float64, na_value=np.nan)
    return compile_scorer(scorer, sample=sample, cache_dir=cache)


def _with_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Every tenth value missing: the compiled trees must send NaN where LightGBM does."""
    mask = np.random.default_rng(0).random(frame.shape) < 0.1
    return frame.mask(mask)


def test_scorer_compiles_where_lleaves_is_installed(compiled: CompiledScorer) -> None:
    assert compiled.compiled and compiled.reason == ""


@pytest.mark.parametrize("predict", ["predict_fit", "predict_raw_risk"])
def test_compiled_predictions_equal_lightgbm(
    scorer: TransferScorer, compiled: CompiledScorer, history: pd.DataFrame, predict: str
) -> None:
    X = _with_missing(history[FEATURES])
    got, expected = getattr(compiled.scorer, predict)(X), getattr(scorer, predict)(X)
    assert got == pytest.approx(expected, abs=TOLERANCE, rel=0)


@pytest.mark.parametrize("scored", ["lightgbm", "compiled"])
def test_predictions_from_a_feature_matrix_equal_those_from_the_frame(
    scorer: TransferScorer, compiled: CompiledScorer, history: pd.DataFrame, scored: str
) -> None:
    model = scorer if scored == "lightgbm" else compiled.scorer
    X = _with_missing(history[FEATURES])
    matrix = np.ascontiguousarray(X[model.feature_names_].to_numpy(dtype=np.float64))
    np.testing.assert_array_equal(model.predict_fit_matrix(matrix), model.predict_fit(X))
    np.testing.assert_array_equal(model.predict_risk_matrix(matrix), model.predict_risk(X))


@pytest.mark.parametrize("threads", [1, 2])
def test_every_booster_walked_in_one_call_gives_the_same_fit_and_risk(
    scorer: TransferScorer, history: pd.DataFrame, cache: Path, threads: int
) -> None:
    sample = history[FEATURES].head(200).to_numpy(dtype=np.float64, na_value=np.nan)
    model = compile_scorer(scorer, sample=sample, cache_dir=cache, threads=threads).scorer
    X = _with_missing(pd.concat([history[FEATURES]] * 2, ignore_index=True))
    assert len(X) >= PARALLEL_MIN_ROWS  # split over the threads when there are two
    fit, risk = model.predict_matrix(np.ascontiguousarray(X.to_numpy(dtype=np.float64)))
    np.testing.assert_array_equal(fit, model.predict_fit(X))
    np.testing.assert_array_equal(risk, model.predict_risk(X))


def test_a_feature_matrix_of_the_wrong_width_is_refused(compiled: CompiledScorer) -> None:
    width = len(compiled.scorer.feature_names_)
    with pytest.raises(ValueError, match=f"{width} columns expected"):
        compiled.scorer.predict_risk_matrix(np.zeros((3, width - 1)))


def test_compiling_leaves_the_original_scorer_on_lightgbm(
    scorer: TransferScorer, compiled: CompiledScorer
) -> None:
    assert compiled.scorer is not scorer and getattr(scorer, "tree_walks_", None) is None


def test_compiled_code_is_cached_per_booster(compiled: CompiledScorer, cache: Path) -> None:
    boosters = 1 + len(compiled.scorer.risk_model_.members)
    assert len(list(cache.glob("*.o"))) == boosters


def test_without_a_cache_folder_the_scorer_still_compiles(
    scorer: TransferScorer, history: pd.DataFrame
) -> None:
    X = history[FEATURES].head(300)
    sample = X.to_numpy(dtype=np.float64)
    result = compile_scorer(scorer, sample=sample, cache_dir=None)  # scratch folder, removed
    assert result.compiled
    assert result.scorer.predict_fit(X) == pytest.approx(scorer.predict_fit(X), abs=TOLERANCE)


def test_a_pickled_compiled_scorer_predicts_the_same(
    compiled: CompiledScorer, history: pd.DataFrame
) -> None:
    X = history[FEATURES].head(300)
    copy = pickle.loads(pickle.dumps(compiled.scorer))  # how it reaches a Dask worker
    assert np.array_equal(copy.predict_risk(X), compiled.scorer.predict_risk(X))
    matrix = np.ascontiguousarray(X.to_numpy(dtype=np.float64))
    np.testing.assert_array_equal(
        copy.predict_matrix(matrix), compiled.scorer.predict_matrix(matrix)
    )


def test_without_lleaves_the_scorer_stays_on_lightgbm(
    scorer: TransferScorer, history: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "lleaves", None)  # as on a machine without the package
    sample = history[FEATURES].head(50).to_numpy(dtype=np.float64)
    result = compile_scorer(scorer, sample=sample, cache_dir=None)
    assert (result.compiled, result.scorer) == (False, scorer) and "lleaves" in result.reason


@pytest.mark.parametrize("enabled", [True, False])
def test_settings_turn_compiled_scoring_on_and_off(
    scorer: TransferScorer, tmp_path: Path, enabled: bool
) -> None:
    context = FeatureContext.build(world(), date(2025, 6, 30))
    settings = Settings(home=tmp_path, compiled_scoring=enabled)
    result = compile_for_context(scorer, context, settings=settings)
    cached = list(settings.compiled_dir.glob("*.o"))
    assert result.compiled == enabled and bool(cached) == enabled


def test_a_bundle_needing_a_feature_no_longer_built_stays_on_lightgbm(
    scorer: TransferScorer, tmp_path: Path
) -> None:
    stale = copy.copy(scorer)
    stale.feature_names_ = [*scorer.feature_names_, "retired_feature"]
    context = FeatureContext.build(world(), date(2025, 6, 30))
    result = compile_for_context(stale, context, settings=Settings(home=tmp_path))
    assert not result.compiled and "retired_feature" in result.reason
