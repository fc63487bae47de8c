"""Per-agency model selection: time-ordered CV years, the candidates always tried, the choice."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
import pytest

from models.scoring.calibration import choose_calibrator
from models.scoring.config import GbmParams, ScorerConfig
from models.scoring.cv import CvErrors
from models.scoring.estimators import TransferScorer
from models.scoring.selection import (
    Budget,
    Confirm,
    ErrorLog,
    History,
    Selection,
    Study,
    _search,
    cv_years,
    fit_cv_loss,
    one_se_pick,
    plain_config,
    select_config,
)
from tests.fixtures.examples import FEATURES, cv_history, synthetic_examples


def _history(frame: pd.DataFrame) -> History:
    return cv_history(frame)


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


def _weighted(frame: pd.DataFrame, weight: np.ndarray) -> History:
    return dataclasses.replace(_history(frame), weight=weight)


def test_ipw_is_decided_first_and_then_fixed_for_the_search() -> None:
    frame = synthetic_examples(1000, seed=5)
    weight = np.random.default_rng(0).uniform(0.2, 3.0, len(frame))
    chosen = select_config(_weighted(frame, weight / weight.mean()), budget_seconds=1.0)
    arms = chosen.table[chosen.table["part"] == "ipw"]
    assert list(arms["start"]) == ["default", "default+ipw"]
    assert chosen.ipw is not None and arms["chosen"].sum() == 1
    fit = chosen.table[chosen.table["part"] == "fit"]
    assert set(fit["fit.ipw"].dropna()) <= {str(chosen.ipw.use)}
    assert chosen.config.fit_ipw == chosen.ipw.use


def test_ipw_is_kept_only_if_it_lowers_the_weighted_cv_loss_beyond_one_se() -> None:
    frame = synthetic_examples(1000, seed=5)
    weight = np.random.default_rng(0).uniform(0.2, 3.0, len(frame))
    chosen = select_config(_weighted(frame, weight / weight.mean()), budget_seconds=1.0)
    assert chosen.ipw is not None
    gain = chosen.ipw.loss_off - chosen.ipw.loss_on
    assert chosen.ipw.use == (gain > chosen.ipw.gain_se) and chosen.ipw.gain_se > 0


def _with_in_post(frame: pd.DataFrame, in_post: pd.DataFrame) -> History:
    return dataclasses.replace(_history(frame), in_post=in_post)


def test_the_in_post_share_is_decided_first_and_then_fixed_for_the_search() -> None:
    frame = synthetic_examples(400, seed=5)  # a short history, many appraisals like its moves
    extra = synthetic_examples(1200, seed=8)[[*FEATURES, "post_move_rating", "decree_date"]]
    chosen = select_config(
        _with_in_post(frame, extra.assign(post_move_score=np.nan)), budget_seconds=9.0
    )  # a third of it for the in-post arms: about 7x the moves-alone arm's time
    decision = chosen.in_post
    assert decision is not None and set(decision.losses) == {0.0, 1.0, 3.0}
    # Appraisals drawn like the moves teach the same thing: some share is kept.
    assert len(set(decision.losses.values())) == 3 and decision.share > 0
    arms = chosen.table[chosen.table["part"] == "in_post"]
    assert len(arms) == 3 and arms["chosen"].sum() == 1
    assert decision.share == min(decision.losses, key=decision.losses.__getitem__)
    assert chosen.config.fit_in_post_share == decision.share


def test_appraisals_unlike_the_moves_are_left_out() -> None:
    frame = synthetic_examples(1000, seed=5)
    noise = synthetic_examples(1000, seed=8)[[*FEATURES, "decree_date"]]
    ratings = np.random.default_rng(1).uniform(1.0, 5.0, len(noise))  # unrelated to anything
    unlike = noise.assign(post_move_rating=ratings, post_move_score=np.nan)
    chosen = select_config(_with_in_post(frame, unlike), budget_seconds=9.0)
    assert chosen.in_post is not None and chosen.in_post.losses  # compared, not out of time
    assert chosen.in_post.share == 0.0
    assert chosen.config.fit_in_post_share == 0.0


def test_calibrator_is_chosen_on_the_chosen_boosters(selection: Selection) -> None:
    arms = selection.table[selection.table["part"] == "calibration"]
    assert {"sigmoid/all", "isotonic/all", "none/all", "sigmoid/all+shift2"} <= set(arms["start"])
    assert arms["chosen"].sum() == 1
    chosen = arms[arms["chosen"].astype(bool)].iloc[0]
    reference = arms[arms["start"] == "sigmoid/all"].iloc[0]
    beats = reference["cv_loss"] - chosen["cv_loss"] > chosen["gain_se"]
    assert chosen["start"] == "sigmoid/all" or beats  # the one-standard-error rule
    assert selection.calibration is not None
    assert selection.config.calibration == selection.calibration.method


def test_a_search_trial_still_running_at_the_deadline_is_pruned_after_its_fold() -> None:
    """Starts are quick, every searched configuration slow: the first searched trial starts
    (a typical trial fits), passes the deadline in its first fold and is pruned there."""
    history = _history(synthetic_examples(300, seed=6))
    start = ScorerConfig()
    slow = start.model_copy(update={"fit_ipw": True})
    folds: list[bool] = []

    def loss(config: ScorerConfig, history: History, years: list[int], seed: int) -> float:
        folds.append(config.fit_ipw)
        time.sleep(1.5 if config.fit_ipw else 0.01)
        return 1.0 if config.fit_ipw else 2.0

    chosen, table = _search(
        "fit",
        loss=loss,
        build=lambda trial, base: slow,
        starts={"default": start},
        budget=Budget(history=history, years=[2021, 2022], seconds=1.0, seed=0),
    )
    assert list(table["state"]) == ["complete", "pruned"]
    assert folds == [False, False, True]  # the pruned trial ran one fold of two
    assert chosen == start


def test_time_reserved_for_what_follows_ends_the_search_sooner() -> None:
    """Trials of ~0.05 s in a 1.5 s study: a search with nothing reserved runs more than
    the start; one that must leave 60 folds' time (more than it has) runs the start alone."""
    history = _history(synthetic_examples(300, seed=6))

    def loss(config: ScorerConfig, history: History, years: list[int], seed: int) -> float:
        time.sleep(0.025)
        return 1.0

    def trials(reserve_folds: int) -> int:
        _, table = _search(
            "fit",
            loss=loss,
            build=lambda trial, base: base,
            starts={"default": ScorerConfig()},
            budget=Budget(history=history, years=[2021, 2022], seconds=1.5, seed=0),
            reserve_folds=reserve_folds,
        )
        return len(table)

    assert trials(60) == 1 and trials(0) > 1


def test_a_trial_cap_makes_a_rerun_choose_the_same_configuration() -> None:
    history = _history(synthetic_examples(1200, seed=9))
    runs = [select_config(history, budget_seconds=600.0, max_trials=5) for _ in range(2)]
    assert runs[0].config == runs[1].config
    for part in ("fit", "risk"):
        tables = [run.table[run.table["part"] == part].drop(columns="seconds") for run in runs]
        assert len(tables[0]) == 5  # the cap, not the 600 s, ended each study
        pd.testing.assert_frame_equal(tables[0], tables[1])


def _search_log(start_errors: np.ndarray, searched_errors: np.ndarray) -> tuple:
    """A fit study of one start and one searched trial, their squared errors on 200 moves."""
    start, searched = ScorerConfig(), ScorerConfig(fit_in_post_share=1.0)
    log = ErrorLog()
    for config, squared in ((start, start_errors), (searched, searched_errors)):
        year = np.repeat([2022, 2023], 100)
        log.by_config[config.model_dump_json()] = {
            y: CvErrors(error=squared[year == y], weight=np.ones(100), year=year[year == y])
            for y in (2022, 2023)
        }
    table = pd.DataFrame(
        {
            "part": "fit",
            "trial": [0, 1],
            "cv_loss": [log.of(c).loss() for c in (start, searched)],  # type: ignore[union-attr]
            "start": ["default", ""],
            "state": "complete",
        }
    )
    return start, searched, log, table


def test_a_searched_configuration_replaces_the_best_start_only_beyond_one_se() -> None:
    noise = np.random.default_rng(3).normal(0.0, 0.1, 200)
    start_errors = 0.4 + noise
    # Lower by 0.005 on average, the moves' differences spread by 0.1 (SE ~0.007): kept start.
    spread = noise[::-1] - noise.mean()
    start, searched, log, table = _search_log(start_errors, start_errors - 0.005 + spread)
    assert table.at[0, "cv_loss"] - table.at[1, "cv_loss"] == pytest.approx(0.005)
    kept, marked = one_se_pick(Study({"default": start}, searched, table, log))
    assert kept is start and list(marked["chosen"]) == [True, False]
    assert marked.at[1, "gain_se"] > 0.005
    # Lower on every move by far more than the spread: the searched one is kept.
    start, searched, log, table = _search_log(start_errors, start_errors - 0.05)
    kept, marked = one_se_pick(Study({"default": start}, searched, table, log))
    assert kept is searched and list(marked["chosen"]) == [False, True]


def test_a_searched_winner_must_also_beat_the_start_on_years_the_study_did_not_see() -> None:
    noise = np.random.default_rng(3).normal(0.0, 0.1, 200)
    start, searched, log, table = _search_log(0.4 + noise, 0.35 + noise)  # far beyond one SE
    year = np.repeat([2020, 2021], 100)
    spread = np.random.default_rng(5).normal(0.0, 0.1, 200)

    def older(gain: float) -> Confirm:
        """Both arms' errors on two older years: the searched one lower by `gain` on average,
        the moves' differences spread by 0.05 (SE ~0.0035)."""
        arms = [
            CvErrors(error=0.4 + spread, weight=np.ones(200), year=year),
            CvErrors(
                error=0.4 + spread - gain + (spread[::-1] - spread.mean()) / 2,
                weight=np.ones(200),
                year=year,
            ),
        ]
        return lambda a, b: arms

    for gain, expected in ((0.001, start), (0.05, searched)):
        kept, marked = one_se_pick(Study({"default": start}, searched, table, log), older(gain))
        assert kept is expected
        assert marked.at[1, "older_gain"] == pytest.approx(gain)
        assert marked.at[1, "older_gain_se"] == pytest.approx(0.0035, abs=0.001)
    # No older year to confirm on (a short history): the one-SE test on the study's years.
    kept, marked = one_se_pick(Study({"default": start}, searched, table, log), lambda a, b: None)
    assert kept is searched and np.isnan(marked.at[1, "older_gain"])


@pytest.mark.parametrize("part", ["fit", "risk"])
def test_the_kept_configuration_of_each_study_is_marked_in_the_cv_table(
    selection: Selection, part: str
) -> None:
    rows = selection.table[selection.table["part"] == part]
    assert rows["chosen"].sum() == 1
    kept = rows[rows["chosen"]].iloc[0]
    best_start = rows.loc[rows["start"].ne(""), "cv_loss"].min()
    assert kept["cv_loss"] <= best_start
    if kept["start"] == "":  # a searched configuration beat the best start by over one SE
        assert best_start - kept["cv_loss"] > kept["gain_se"]
        older = kept["older_gain"]  # and again on the older years, when there were any
        assert np.isnan(older) or older > kept["older_gain_se"]
    else:  # a start: the selection's configuration has its part
        start = {"default": ScorerConfig(), "plain": plain_config()}[kept["start"]]
        field = "fit" if part == "fit" else "risk"
        assert getattr(selection.config, field) == getattr(start, field)


def test_without_weights_ipw_is_never_chosen(selection: Selection) -> None:
    assert not selection.config.fit_ipw and selection.ipw is None
    assert "default+ipw" not in set(selection.table["start"])


def test_equal_weights_leave_the_cv_loss_unchanged() -> None:
    frame = synthetic_examples(900, seed=6)
    plain, years = plain_config(), [2022, 2023]
    unweighted = fit_cv_loss(plain, _history(frame), years, 0)
    equal = fit_cv_loss(plain, _weighted(frame, np.ones(len(frame))), years, 0)
    assert equal == pytest.approx(unweighted, rel=1e-9)


def test_cv_loss_of_an_unweighted_model_is_weighted_too() -> None:
    """Every configuration is scored on the same IPW estimate, not only the weighted ones."""
    frame = synthetic_examples(900, seed=6)
    weight = np.where(frame["distance_home_km"].to_numpy() > 50, 5.0, 0.5)
    plain, years = plain_config(), [2022, 2023]
    unweighted = fit_cv_loss(plain, _history(frame), years, 0)
    assert fit_cv_loss(plain, _weighted(frame, weight), years, 0) != pytest.approx(unweighted)


def test_ipw_configuration_refuses_to_train_without_weights() -> None:
    frame = synthetic_examples(300, seed=7)
    with pytest.raises(ValueError, match="fit_ipw"):
        TransferScorer(ScorerConfig(fit_ipw=True)).fit_rating_model(
            frame[FEATURES],
            y_rating=frame["post_move_rating"],
            decree_date=frame["decree_date"],
        )
