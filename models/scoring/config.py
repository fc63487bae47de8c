"""Typed parameters of the TransferScorer (pydantic, extra="forbid"); logged whole per run."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AUTO_THREADS_MIN_ROWS = 50_000
Direction = Literal[-1, 1]
CalibrationMethod = Literal["auto", "isotonic", "sigmoid", "none"]
INCREASING: Direction = 1
DECREASING: Direction = -1


class GbmParams(BaseModel):
    """LightGBM parameters of one model (kept small: agencies train on a 2-core machine)."""

    model_config = ConfigDict(extra="forbid")

    num_leaves: int = Field(default=15, ge=2)
    learning_rate: float = Field(default=0.05, gt=0)
    n_estimators: int = Field(default=600, ge=1, description="Upper bound; early stopping cuts.")
    min_child_samples: int = Field(default=20, ge=1)
    subsample: float = Field(default=0.8, gt=0, le=1)
    subsample_freq: int = Field(default=1, ge=0)
    colsample_bytree: float = Field(default=0.8, gt=0, le=1)
    reg_lambda: float = Field(default=1.0, ge=0)
    early_stopping: bool = Field(
        default=True, description="Stop on the time-ordered validation slice; else all trees."
    )
    n_jobs: int | None = Field(
        default=None,
        ge=1,
        description="Threads; None: 1 below AUTO_THREADS_MIN_ROWS rows, else 2. On a busy "
        "2-core machine OpenMP threads spin against each other: 1,400 rows took 29 s with 2 "
        "threads and 3 s with 1.",
    )


class ScorerConfig(BaseModel):
    """Everything that shapes a TransferScorer; logged whole with each training run."""

    model_config = ConfigDict(extra="forbid")

    fit: GbmParams = Field(default_factory=GbmParams)
    risk: GbmParams = Field(
        default_factory=lambda: GbmParams(num_leaves=7, min_child_samples=30),
        description="Smaller trees than fit: resistance is close to additive in its causes, and "
        "each fold's booster trains on three quarters of small histories.",
    )
    risk_folds: int = Field(
        default=4,
        ge=2,
        le=10,
        description="Time-ordered folds of the risk cross-fit: one booster per fold, trained on "
        "the others; the calibrator is fitted on their out-of-fold predictions (every example) "
        "and the boosters are averaged. Chosen on seeds 8-10 over 5 folds and one 50 % slice.",
    )
    holdout_share: float = Field(
        default=0.25, gt=0, lt=1, description="Latest share of examples for stopping the fit model."
    )
    calibration_min_rows: int = Field(
        default=800,
        ge=0,
        description="Grow the fit model's stopping slice (up to half the examples) to at least "
        "this many rows (kept from when this slice also calibrated risk: fit is tuned with it).",
    )
    early_stopping_rounds: int = Field(default=50, ge=1)
    calibration: CalibrationMethod = "auto"
    calibration_recent_folds: int | None = Field(
        default=None,
        ge=1,
        description="Fit the calibrator on the out-of-fold predictions of only the latest this "
        "many risk folds (the most recent years: base rates drift); None: all folds.",
    )
    calibration_shift_folds: int | None = Field(
        default=None,
        ge=1,
        description="After calibrating, re-estimate only the intercept (a shift in log-odds) "
        "on the latest this many risk folds, so the mean risk matches the recent years' rate "
        "while the shape comes from all the folds' data (recalibration in the large); None: no "
        "shift.",
    )
    fit_ignored: list[str] = Field(
        default_factory=list,
        description="Features the fit model may not use (blanked while training, so no tree "
        "splits on them; they still exist as columns, with zero contribution).",
    )
    risk_ignored: list[str] = Field(
        default_factory=lambda: ["skp_vs_peers"],
        description="Features the risk model may not use (as fit_ignored). The SKP relative to "
        "peers is for fit: as a risk feature it lowered AUC and worsened ECE on most design "
        "worlds (bench/README, issue 15 part i).",
    )
    refit_fit_on_all: bool = Field(
        default=True, description="Refit the fit model on all examples at the stopped size."
    )
    fit_linear_terms: list[str] = Field(
        default_factory=lambda: ["competency_shortfall", "grade_step+", "grade_step-"],
        description="Linear base under the fit trees (models/scoring/linear_base.py); "
        "'x+'/'x-' are the positive/negative parts of feature x.",
    )
    fit_ipw: bool = Field(
        default=False,
        description="Weight the fit model's training moves by their clipped inverse propensity "
        "of being picked by HR (models/scoring/propensity.py), so the rare moves stand for the "
        "candidates HR seldom chose. Off unless per-agency CV picks it.",
    )
    fit_in_post_share: float = Field(
        default=0.0,
        ge=0.0,
        le=10.0,
        description="Total weight of the yearly appraisals in posts already held (in-post "
        "examples, models/features/build.py), as a multiple of the moves' total weight, when "
        "the fit model is given them; 0 learns from moves alone. Off unless per-agency CV "
        "picks a share (models/scoring/cv.py decide_in_post).",
    )
    use_score_target: bool = Field(
        default=True,
        description="Learn fit from the post-move SKP score (0-100) mapped onto the rating scale "
        "where the agency keeps scores: finer than the five rating categories.",
    )
    fit_monotone: dict[str, Direction] = Field(
        default_factory=lambda: {
            "recent_rating_mean": INCREASING,
            "skp_vs_peers": INCREASING,
            "last_score": INCREASING,
            "years_in_target_sector": INCREASING,
            "competency_shortfall": DECREASING,
            "education_level_gap": DECREASING,
            "education_field_match": INCREASING,
            "past_post_move_mean": INCREASING,
            "talent_box": INCREASING,
        },
        description="Monotone direction of fit in these features (absent features ignored).",
    )
    risk_monotone: dict[str, Direction] = Field(
        default_factory=lambda: {
            "distance_home_km": INCREASING,
            "distance_move_km": INCREASING,
            "preference_match": DECREASING,
            "unrequested_sector": INCREASING,
            "initiated_by_employee": DECREASING,
            "past_resistance": INCREASING,
        },
        description="Monotone direction of risk in these features (absent features ignored).",
    )
